"""Queries for subscriptions, preferences, in-app notifications and email deliveries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.db import utcnow
from ideaflow.ideas.models import Idea
from ideaflow.kit.sql import insert_ignoring_conflicts
from ideaflow.notifications.models import (
    DeliveryStatus,
    EmailDelivery,
    Notification,
    NotificationPreference,
    Subscription,
    SubscriptionReason,
)
from ideaflow.workspaces.models import Membership, Workspace

# Subscriptions.


async def follow_automatically(
    session: AsyncSession, *, workspace_id: int, user_id: int, idea_id: int, reason: SubscriptionReason
) -> None:
    """Follow unless a row exists already: an earlier follow keeps its reason, an explicit unfollow stays."""
    await session.execute(
        insert_ignoring_conflicts(
            session,
            Subscription.__table__,
            ["user_id", "idea_id"],
            workspace_id=workspace_id,
            user_id=user_id,
            idea_id=idea_id,
            reason=reason.value,
            unsubscribed=False,
            created_at=utcnow(),
        )
    )


async def get_subscription(
    session: AsyncSession, *, user_id: int, idea_id: int | None = None, board_id: int | None = None
) -> Subscription | None:
    target = Subscription.idea_id == idea_id if idea_id is not None else Subscription.board_id == board_id
    return await session.scalar(select(Subscription).where(Subscription.user_id == user_id, target))


async def set_subscription(
    session: AsyncSession,
    *,
    workspace_id: int,
    user_id: int,
    following: bool,
    idea_id: int | None = None,
    board_id: int | None = None,
) -> None:
    """An explicit follow or unfollow: it overrides whatever was there."""
    index = ["user_id", "idea_id"] if idea_id is not None else ["user_id", "board_id"]
    await session.execute(
        insert_ignoring_conflicts(
            session,
            Subscription.__table__,
            index,
            workspace_id=workspace_id,
            user_id=user_id,
            idea_id=idea_id,
            board_id=board_id,
            reason=SubscriptionReason.manual.value,
            unsubscribed=not following,
            created_at=utcnow(),
        )
    )
    target = Subscription.idea_id == idea_id if idea_id is not None else Subscription.board_id == board_id
    await session.execute(
        update(Subscription)
        .where(Subscription.user_id == user_id, target, Subscription.unsubscribed.is_(following))
        .values(unsubscribed=not following, reason=SubscriptionReason.manual)
        .execution_options(synchronize_session=False)
    )


async def subscriptions_for(session: AsyncSession, *, idea_id: int, board_id: int) -> Sequence[Row]:
    """Every row about this idea or its board: (user_id, idea_id, unsubscribed)."""
    result = await session.execute(
        select(Subscription.user_id, Subscription.idea_id, Subscription.unsubscribed).where(
            or_(Subscription.idea_id == idea_id, Subscription.board_id == board_id)
        )
    )
    return result.all()


# Preferences.


async def get_preferences(session: AsyncSession, user_id: int) -> NotificationPreference | None:
    return await session.get(NotificationPreference, user_id)


async def preferences_for(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, NotificationPreference]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))
    return {row.user_id: row for row in rows}


# Recipients.


async def active_users(session: AsyncSession, user_ids: Iterable[int]) -> dict[int, User]:
    ids = list(user_ids)
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(ids), User.is_active.is_(True)))
    return {user.id: user for user in rows}


async def member_ids(session: AsyncSession, workspace_id: int, user_ids: Iterable[int]) -> set[int]:
    ids = list(user_ids)
    if not ids:
        return set()
    rows = await session.scalars(
        select(Membership.user_id).where(Membership.workspace_id == workspace_id, Membership.user_id.in_(ids))
    )
    return set(rows)


# In-app notifications.


async def add_notification(session: AsyncSession, **values: Any) -> None:
    await session.execute(
        insert_ignoring_conflicts(
            session, Notification.__table__, ["event_id", "user_id"], created_at=utcnow(), **values
        )
    )


async def list_notifications(
    session: AsyncSession, *, user_id: int, limit: int, before_id: int | None = None, unread_only: bool = False
) -> Sequence[Row]:
    """Newest first, each with its idea, workspace and actor, in one query."""
    Actor = User.__table__.alias("actor")
    query = (
        select(
            Notification,
            Idea.number,
            Idea.title,
            Workspace.slug,
            Workspace.name.label("workspace_name"),
            Actor.c.name.label("actor_name"),
        )
        .join(Idea, Idea.id == Notification.idea_id)
        .join(Workspace, Workspace.id == Notification.workspace_id)
        .outerjoin(Actor, Actor.c.id == Notification.actor_id)
        .where(Notification.user_id == user_id)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return (await session.execute(query.order_by(Notification.id.desc()).limit(limit))).all()


async def count_unread(session: AsyncSession, user_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


async def mark_read(session: AsyncSession, *, user_id: int, at: datetime, notification_id: int | None = None) -> int:
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = await session.execute(query.values(read_at=at).execution_options(synchronize_session=False))
    return result.rowcount or 0


async def notification_exists(session: AsyncSession, *, user_id: int, notification_id: int) -> bool:
    found = await session.scalar(
        select(Notification.id).where(Notification.id == notification_id, Notification.user_id == user_id)
    )
    return found is not None


# Email deliveries.


async def add_delivery(session: AsyncSession, **values: Any) -> None:
    await session.execute(
        insert_ignoring_conflicts(
            session, EmailDelivery.__table__, ["event_id", "user_id"], created_at=utcnow(), **values
        )
    )


async def pending_deliveries(session: AsyncSession, event_id: int) -> list[EmailDelivery]:
    rows = await session.scalars(
        select(EmailDelivery)
        .where(EmailDelivery.event_id == event_id, EmailDelivery.status == DeliveryStatus.pending)
        .order_by(EmailDelivery.id)
    )
    return list(rows)


async def users_with_queued_digest(session: AsyncSession, *, before: datetime) -> list[int]:
    rows = await session.scalars(
        select(EmailDelivery.user_id)
        .where(EmailDelivery.status == DeliveryStatus.queued, EmailDelivery.created_at <= before)
        .group_by(EmailDelivery.user_id)
        .order_by(EmailDelivery.user_id)
    )
    return list(rows)


async def queued_for_user(session: AsyncSession, *, user_id: int, before: datetime) -> list[EmailDelivery]:
    rows = await session.scalars(
        select(EmailDelivery)
        .where(
            EmailDelivery.user_id == user_id,
            EmailDelivery.status == DeliveryStatus.queued,
            EmailDelivery.created_at <= before,
        )
        .order_by(EmailDelivery.id)
    )
    return list(rows)


async def claim_deliveries(session: AsyncSession, *, ids: Sequence[int], at: datetime) -> list[int]:
    """Mark queued deliveries sent and return those this caller changed: another worker may have won some."""
    if not ids:
        return []
    result = await session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id.in_(ids), EmailDelivery.status == DeliveryStatus.queued)
        .values(status=DeliveryStatus.sent, sent_at=at)
        .returning(EmailDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


async def settle_deliveries(
    session: AsyncSession, *, ids: Sequence[int], status: DeliveryStatus, at: datetime | None
) -> None:
    if not ids:
        return
    await session.execute(
        update(EmailDelivery)
        .where(EmailDelivery.id.in_(ids), EmailDelivery.status.in_([DeliveryStatus.pending, DeliveryStatus.queued]))
        .values(status=status, sent_at=at)
        .execution_options(synchronize_session=False)
    )


async def ideas_with_workspaces(session: AsyncSession, idea_ids: Iterable[int]) -> dict[int, Row]:
    ids = list(set(idea_ids))
    if not ids:
        return {}
    result = await session.execute(
        select(Idea, Workspace).join(Workspace, Workspace.id == Idea.workspace_id).where(Idea.id.in_(ids))
    )
    return {row[0].id: row for row in result.all()}
