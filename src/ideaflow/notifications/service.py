"""Notification rules: following ideas and boards, preferences, the in-app inbox, and one-click unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Board
from ideaflow.errors import Invalid, NotFound, Unauthorized
from ideaflow.ideas.service import IdeaView
from ideaflow.mail.tokens import make_signed, read_signed
from ideaflow.notifications import repository
from ideaflow.notifications.models import EmailFrequency, NotificationPreference
from ideaflow.workspaces.service import WorkspaceContext

PAGE_SIZE_MAX = 100
UNSUBSCRIBE_PURPOSE = "unsubscribe"
# Which preference switch governs which event.
EVENT_TOPICS = {
    "idea.status_changed": "on_status",
    "idea.merged": "on_status",
    "idea.response_posted": "on_response",
    "comment.created": "on_comment",
    "idea.created": "on_new_idea",
}
PREFERENCE_FIELDS = (
    "email_enabled",
    "in_app_enabled",
    "email_frequency",
    "on_status",
    "on_response",
    "on_comment",
    "on_new_idea",
)


def default_preferences(user_id: int) -> NotificationPreference:
    return NotificationPreference(
        user_id=user_id,
        email_enabled=True,
        in_app_enabled=True,
        email_frequency=EmailFrequency.instant,
        on_status=True,
        on_response=True,
        on_comment=True,
        on_new_idea=True,
        updated_at=None,
    )


def _require_user(user: User | None) -> User:
    if user is None:
        raise Unauthorized("Sign in to do that.")
    return user


# Following.


async def is_following_idea(session: AsyncSession, *, user: User | None, idea_id: int, board_id: int) -> bool:
    """Following the idea itself, or its board without having unfollowed the idea."""
    if user is None:
        return False
    own = await repository.get_subscription(session, user_id=user.id, idea_id=idea_id)
    if own is not None:
        return not own.unsubscribed
    board = await repository.get_subscription(session, user_id=user.id, board_id=board_id)
    return board is not None and not board.unsubscribed


async def is_following_board(session: AsyncSession, *, user: User | None, board_id: int) -> bool:
    if user is None:
        return False
    found = await repository.get_subscription(session, user_id=user.id, board_id=board_id)
    return found is not None and not found.unsubscribed


async def set_idea_following(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView, *, following: bool) -> bool:
    """Follow or unfollow an idea the viewer can see (idempotent). An unfollow is remembered, so voting or
    commenting later does not follow it again."""
    user = _require_user(ctx.user)
    await repository.set_subscription(
        session, workspace_id=ctx.workspace.id, user_id=user.id, idea_id=view.idea.id, following=following
    )
    await session.flush()
    return following


async def set_board_following(session: AsyncSession, ctx: WorkspaceContext, board: Board, *, following: bool) -> bool:
    user = _require_user(ctx.user)
    if not board_service.can_see(ctx, board):
        raise NotFound("No such board.")
    await repository.set_subscription(
        session, workspace_id=ctx.workspace.id, user_id=user.id, board_id=board.id, following=following
    )
    await session.flush()
    return following


# Preferences.


async def get_preferences(session: AsyncSession, *, user: User) -> NotificationPreference:
    return await repository.get_preferences(session, user.id) or default_preferences(user.id)


async def update_preferences(session: AsyncSession, *, user: User, changes: dict) -> NotificationPreference:
    unknown = set(changes) - set(PREFERENCE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise Invalid.field(name, "is not a notification preference")
    if "email_frequency" in changes:
        try:
            changes["email_frequency"] = EmailFrequency(changes["email_frequency"])
        except ValueError:
            raise Invalid.field("email_frequency", "must be instant or daily") from None
    prefs = await repository.get_preferences(session, user.id)
    if prefs is None:
        prefs = default_preferences(user.id)
        session.add(prefs)
    for name, value in changes.items():
        setattr(prefs, name, value)
    prefs.updated_at = datetime.now(UTC)
    await session.flush()
    return prefs


# The inbox.


@dataclass
class NotificationItem:
    id: int
    event_type: str
    workspace_slug: str
    workspace_name: str
    idea_number: int
    idea_title: str
    actor_name: str | None
    data: dict
    read_at: datetime | None
    created_at: datetime

    @property
    def url(self) -> str:
        anchor = f"#comment-{self.data['comment_id']}" if self.data.get("comment_id") else ""
        return f"/{self.workspace_slug}/ideas/{self.idea_number}{anchor}"

    @property
    def summary(self) -> str:
        """What happened, in one line (the idea's title is shown beside it)."""
        who = self.actor_name or "Someone"
        match self.event_type:
            case "idea.status_changed":
                return f"Status changed from {self.data.get('from_name', '?')} to {self.data.get('to_name', '?')}"
            case "idea.response_posted":
                return f"{who} posted an official response"
            case "comment.created":
                return f"{who} commented"
            case "idea.created":
                return f"{who} posted a new idea on {self.data.get('board_name', 'a board you follow')}"
            case "idea.merged":
                return f"{who} merged this idea into another"
        return "Something changed"


async def list_notifications(
    session: AsyncSession, *, user: User, limit: int = 30, before_id: int | None = None, unread_only: bool = False
) -> tuple[list[NotificationItem], int | None]:
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise Invalid.field("limit", f"must be between 1 and {PAGE_SIZE_MAX}")
    rows = await repository.list_notifications(
        session, user_id=user.id, limit=limit + 1, before_id=before_id, unread_only=unread_only
    )
    items = [
        NotificationItem(
            id=row.Notification.id,
            event_type=row.Notification.event_type,
            workspace_slug=row.slug,
            workspace_name=row.workspace_name,
            idea_number=row.number,
            idea_title=row.title,
            actor_name=row.actor_name,
            data=row.Notification.data or {},
            read_at=row.Notification.read_at,
            created_at=row.Notification.created_at,
        )
        for row in rows[:limit]
    ]
    next_before = items[-1].id if len(rows) > limit else None
    return items, next_before


async def unread_count(session: AsyncSession, *, user: User) -> int:
    return await repository.count_unread(session, user.id)


async def mark_read(session: AsyncSession, *, user: User, notification_id: int) -> None:
    if not await repository.notification_exists(session, user_id=user.id, notification_id=notification_id):
        raise NotFound("No such notification.")
    await repository.mark_read(session, user_id=user.id, at=datetime.now(UTC), notification_id=notification_id)


async def mark_all_read(session: AsyncSession, *, user: User) -> int:
    return await repository.mark_read(session, user_id=user.id, at=datetime.now(UTC))


# One-click unsubscribe: the signed token names the person and what to stop (one idea, or all email).


def unsubscribe_token(*, user_id: int, idea_id: int | None = None, workspace_id: int | None = None) -> str:
    if idea_id is not None:
        return make_signed(UNSUBSCRIBE_PURPOSE, {"u": user_id, "i": idea_id, "w": workspace_id})
    return make_signed(UNSUBSCRIBE_PURPOSE, {"u": user_id, "all": 1})


@dataclass
class UnsubscribeTarget:
    user_id: int
    idea_id: int | None
    workspace_id: int | None

    @property
    def everything(self) -> bool:
        return self.idea_id is None


def read_unsubscribe_token(token: str) -> UnsubscribeTarget:
    data = read_signed(UNSUBSCRIBE_PURPOSE, token)
    if data is None or not isinstance(data.get("u"), int):
        raise NotFound("This unsubscribe link is not valid. Manage your email from your notification settings.")
    idea_id = data.get("i") if isinstance(data.get("i"), int) else None
    workspace_id = data.get("w") if isinstance(data.get("w"), int) else None
    return UnsubscribeTarget(user_id=data["u"], idea_id=idea_id, workspace_id=workspace_id)


async def unsubscribe(session: AsyncSession, target: UnsubscribeTarget) -> None:
    """Stop the emails the link was about. Idempotent: a second click changes nothing."""
    user = (await repository.active_users(session, [target.user_id])).get(target.user_id)
    if user is None:
        raise NotFound("This unsubscribe link is no longer valid.")
    if target.everything or target.workspace_id is None:
        await update_preferences(session, user=user, changes={"email_enabled": False})
        return
    await repository.set_subscription(
        session, workspace_id=target.workspace_id, user_id=user.id, idea_id=target.idea_id, following=False
    )
    await session.flush()
