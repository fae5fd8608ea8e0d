"""Queries for widget settings, signing secrets, identities and widget sessions (all workspace-scoped)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board
from ideaflow.ideas.models import Idea, listed
from ideaflow.ideas.repository import IdeaRow
from ideaflow.widget.models import (
    IdentityKind,
    SecretStatus,
    WidgetIdentity,
    WidgetSecret,
    WidgetSession,
    WidgetSettings,
)
from ideaflow.workspaces.models import Workspace


async def get_settings(session: AsyncSession, workspace_id: int) -> WidgetSettings | None:
    return await session.scalar(select(WidgetSettings).where(WidgetSettings.workspace_id == workspace_id))


async def list_secrets(session: AsyncSession, workspace_id: int) -> list[WidgetSecret]:
    result = await session.scalars(
        select(WidgetSecret)
        .where(WidgetSecret.workspace_id == workspace_id)
        .order_by(WidgetSecret.status, WidgetSecret.created_at.desc(), WidgetSecret.id.desc())
    )
    return list(result)


async def get_secret(session: AsyncSession, workspace_id: int, secret_id: int) -> WidgetSecret | None:
    return await session.scalar(
        select(WidgetSecret).where(WidgetSecret.workspace_id == workspace_id, WidgetSecret.id == secret_id)
    )


async def count_active_secrets(session: AsyncSession, workspace_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(WidgetSecret)
        .where(WidgetSecret.workspace_id == workspace_id, WidgetSecret.status == SecretStatus.active)
    )


async def touch_secret(session: AsyncSession, secret_id: int, now: datetime) -> None:
    await session.execute(update(WidgetSecret).where(WidgetSecret.id == secret_id).values(last_used_at=now))


async def delete_sessions_for_secret(session: AsyncSession, workspace_id: int, secret_id: int) -> None:
    await session.execute(
        delete(WidgetSession).where(WidgetSession.workspace_id == workspace_id, WidgetSession.secret_id == secret_id)
    )


async def get_identity(session: AsyncSession, workspace_id: int, subject: str) -> WidgetIdentity | None:
    return await session.scalar(
        select(WidgetIdentity).where(WidgetIdentity.workspace_id == workspace_id, WidgetIdentity.subject == subject)
    )


async def identity_for_user(session: AsyncSession, workspace_id: int, user_id: int) -> WidgetIdentity | None:
    return await session.scalar(
        select(WidgetIdentity).where(WidgetIdentity.workspace_id == workspace_id, WidgetIdentity.user_id == user_id)
    )


async def session_for_token(
    session: AsyncSession, token_hash: str, now: datetime
) -> tuple[WidgetSession, User, Workspace, IdentityKind] | None:
    """A live widget session: not expired, and minted with a secret that is still active (or none, for
    email identities). Revoking a secret therefore ends its sessions even before they are swept."""
    row = (
        await session.execute(
            select(WidgetSession, User, Workspace, WidgetIdentity.kind)
            .join(WidgetIdentity, WidgetIdentity.id == WidgetSession.identity_id)
            .join(User, User.id == WidgetIdentity.user_id)
            .join(Workspace, Workspace.id == WidgetSession.workspace_id)
            .outerjoin(WidgetSecret, WidgetSecret.id == WidgetSession.secret_id)
            .where(
                WidgetSession.token_hash == token_hash,
                WidgetSession.expires_at > now,
                User.is_active.is_(True),
                or_(WidgetSession.secret_id.is_(None), WidgetSecret.status == SecretStatus.active),
            )
        )
    ).first()
    return (row[0], row[1], row[2], IdentityKind(row[3])) if row else None


async def delete_expired_sessions(session: AsyncSession, identity_id: int, now: datetime) -> None:
    await session.execute(
        delete(WidgetSession).where(WidgetSession.identity_id == identity_id, WidgetSession.expires_at <= now)
    )


async def ideas_by_author(
    session: AsyncSession, workspace_id: int, user_id: int, board_ids: list[int], limit: int
) -> list[IdeaRow]:
    """The ideas one person posted, newest first, on the boards they may see."""
    if not board_ids:
        return []
    rows = await session.execute(
        select(Idea, User.name, Board)
        .join(User, User.id == Idea.author_id)
        .join(Board, Board.id == Idea.board_id)
        .where(
            Idea.workspace_id == workspace_id,
            Idea.author_id == user_id,
            listed(),
            Idea.board_id.in_(board_ids),
        )
        .order_by(Idea.id.desc())
        .limit(limit)
    )
    return [IdeaRow(idea=i, author_name=a, board=b) for i, a, b in rows]
