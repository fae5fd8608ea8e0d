"""Queries only feeds need: an idea's public comments and the roadmap's latest status changes. Both leave out
everything customers may not read (internal notes, removed comments, deleted ideas)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board
from ideaflow.comments.models import Comment
from ideaflow.ideas.models import Idea, listed
from ideaflow.moderation.models import ModerationState
from ideaflow.statuses.models import OfficialResponse, TimelineEntry, TimelineKind


async def public_comments(
    session: AsyncSession, workspace_id: int, idea_id: int, *, limit: int
) -> list[tuple[Comment, str]]:
    rows = await session.execute(
        select(Comment, User.name)
        .join(User, User.id == Comment.author_id)
        .where(
            Comment.workspace_id == workspace_id,
            Comment.idea_id == idea_id,
            Comment.internal.is_(False),
            Comment.deleted_at.is_(None),
            Comment.moderation_state == ModerationState.approved,
        )
        .order_by(Comment.id.desc())
        .limit(limit)
    )
    return [(c, n) for c, n in rows]


async def idea_timeline(
    session: AsyncSession, workspace_id: int, idea_id: int, *, limit: int
) -> list[tuple[TimelineEntry, OfficialResponse | None]]:
    rows = await session.execute(
        select(TimelineEntry, OfficialResponse)
        .outerjoin(OfficialResponse, OfficialResponse.id == TimelineEntry.response_id)
        .where(TimelineEntry.workspace_id == workspace_id, TimelineEntry.idea_id == idea_id)
        .order_by(TimelineEntry.id.desc())
        .limit(limit)
    )
    return [(e, r) for e, r in rows]


async def roadmap_changes(
    session: AsyncSession, workspace_id: int, *, board_ids: list[int], status_keys: list[str], limit: int
) -> list[tuple[TimelineEntry, Idea, Board, OfficialResponse | None]]:
    """The latest moves of ideas into the roadmap's statuses, on the roadmap's boards."""
    if not board_ids or not status_keys:
        return []
    rows = await session.execute(
        select(TimelineEntry, Idea, Board, OfficialResponse)
        .join(Idea, Idea.id == TimelineEntry.idea_id)
        .join(Board, Board.id == Idea.board_id)
        .outerjoin(OfficialResponse, OfficialResponse.id == TimelineEntry.response_id)
        .where(
            TimelineEntry.workspace_id == workspace_id,
            TimelineEntry.kind == TimelineKind.status_changed.value,
            TimelineEntry.to_status.in_(status_keys),
            Idea.board_id.in_(board_ids),
            listed(),
        )
        .order_by(TimelineEntry.id.desc())
        .limit(limit)
    )
    return [(e, i, b, r) for e, i, b, r in rows]
