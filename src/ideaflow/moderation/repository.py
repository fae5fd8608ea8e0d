"""Queries for moderation: settings, blocks, the queue, the spam signals' look-backs and bulk state changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, literal, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board
from ideaflow.comments.models import Comment
from ideaflow.db import ID_MAX
from ideaflow.ideas.models import Idea
from ideaflow.moderation.models import ModerationSettings, ModerationState, UserBlock


async def get_settings(session: AsyncSession, workspace_id: int) -> ModerationSettings | None:
    return await session.scalar(select(ModerationSettings).where(ModerationSettings.workspace_id == workspace_id))


async def get_block(session: AsyncSession, workspace_id: int, user_id: int) -> UserBlock | None:
    if not 1 <= user_id <= ID_MAX:
        return None
    return await session.scalar(
        select(UserBlock).where(UserBlock.workspace_id == workspace_id, UserBlock.user_id == user_id)
    )


async def is_blocked(session: AsyncSession, workspace_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(UserBlock.id).where(UserBlock.workspace_id == workspace_id, UserBlock.user_id == user_id)
    )
    return found is not None


@dataclass
class BlockRow:
    block: UserBlock
    user: User
    blocked_by_name: str | None


async def list_blocks(session: AsyncSession, workspace_id: int) -> list[BlockRow]:
    """Blocked users, most recent first, with who blocked them: one query."""
    by = aliased(User)
    rows = await session.execute(
        select(UserBlock, User, by.name)
        .join(User, User.id == UserBlock.user_id)
        .outerjoin(by, by.id == UserBlock.blocked_by_id)
        .where(UserBlock.workspace_id == workspace_id)
        .order_by(UserBlock.id.desc())
    )
    return [BlockRow(block=b, user=u, blocked_by_name=n) for b, u, n in rows]


@dataclass
class QueuedIdea:
    idea: Idea
    author: User
    board: Board


@dataclass
class QueuedComment:
    comment: Comment
    author: User
    idea: Idea


async def pending_ideas(session: AsyncSession, workspace_id: int, *, limit: int) -> list[QueuedIdea]:
    rows = await session.execute(
        select(Idea, User, Board)
        .join(User, User.id == Idea.author_id)
        .join(Board, Board.id == Idea.board_id)
        .where(
            Idea.workspace_id == workspace_id,
            Idea.moderation_state == ModerationState.pending,
            Idea.deleted_at.is_(None),
            Idea.merged_into_id.is_(None),
        )
        .order_by(Idea.id)
        .limit(limit)
    )
    return [QueuedIdea(idea=i, author=u, board=b) for i, u, b in rows]


async def pending_comments(session: AsyncSession, workspace_id: int, *, limit: int) -> list[QueuedComment]:
    rows = await session.execute(
        select(Comment, User, Idea)
        .join(User, User.id == Comment.author_id)
        .join(Idea, Idea.id == Comment.idea_id)
        .where(
            Comment.workspace_id == workspace_id,
            Comment.moderation_state == ModerationState.pending,
            Comment.deleted_at.is_(None),
            Comment.internal.is_(False),
            Idea.deleted_at.is_(None),
        )
        .order_by(Comment.id)
        .limit(limit)
    )
    return [QueuedComment(comment=c, author=u, idea=i) for c, u, i in rows]


async def get_idea(session: AsyncSession, workspace_id: int, *, number: int) -> Idea | None:
    if not 1 <= number <= ID_MAX:
        return None
    return await session.scalar(
        select(Idea).where(Idea.workspace_id == workspace_id, Idea.number == number, Idea.deleted_at.is_(None))
    )


async def get_comment(session: AsyncSession, workspace_id: int, comment_id: int) -> Comment | None:
    if not 1 <= comment_id <= ID_MAX:
        return None
    return await session.scalar(
        select(Comment).where(
            Comment.workspace_id == workspace_id,
            Comment.id == comment_id,
            Comment.internal.is_(False),
            Comment.deleted_at.is_(None),
        )
    )


async def recent_activity(
    session: AsyncSession, workspace_id: int, user_id: int, *, since: datetime
) -> list[tuple[str, str, str, datetime]]:
    """The user's ideas and public comments in this workspace since `since`: (kind, title, body, created_at)
    each, in one query (both spam look-backs read it)."""
    ideas = select(literal("idea").label("kind"), Idea.title, Idea.body, Idea.created_at).where(
        Idea.workspace_id == workspace_id, Idea.author_id == user_id, Idea.created_at >= since
    )
    comments = select(literal("comment"), literal(""), Comment.body, Comment.created_at).where(
        Comment.workspace_id == workspace_id,
        Comment.author_id == user_id,
        Comment.internal.is_(False),
        Comment.created_at >= since,
    )
    rows = await session.execute(union_all(ideas, comments))
    return [(k, t or "", b or "", at) for k, t, b, at in rows]


async def set_author_ideas_state(
    session: AsyncSession, workspace_id: int, user_id: int, *, source: ModerationState, target: ModerationState
) -> int:
    result = await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.author_id == user_id, Idea.moderation_state == source)
        .values(moderation_state=target, updated_at=datetime.now(UTC))
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount or 0


async def set_author_comments_state(
    session: AsyncSession, workspace_id: int, user_id: int, *, source: ModerationState, target: ModerationState
) -> list[int]:
    """Move the user's public comments from one state to another; returns the ids of the ideas touched."""
    idea_ids = list(
        await session.scalars(
            select(Comment.idea_id)
            .where(
                Comment.workspace_id == workspace_id,
                Comment.author_id == user_id,
                Comment.internal.is_(False),
                Comment.moderation_state == source,
            )
            .distinct()
        )
    )
    if idea_ids:
        await session.execute(
            update(Comment)
            .where(
                Comment.workspace_id == workspace_id,
                Comment.author_id == user_id,
                Comment.internal.is_(False),
                Comment.moderation_state == source,
            )
            .values(moderation_state=target, updated_at=datetime.now(UTC))
            .execution_options(synchronize_session="fetch")
        )
    return idea_ids


async def recount_comments(session: AsyncSession, workspace_id: int, idea_ids: list[int]) -> dict[int, int]:
    """Set each idea's comment_count to its approved, public, not removed comments (one statement); returns
    the new counts."""
    if not idea_ids:
        return {}
    shown = (
        select(func.count())
        .select_from(Comment)
        .where(
            Comment.idea_id == Idea.id,
            Comment.internal.is_(False),
            Comment.deleted_at.is_(None),
            Comment.moderation_state == ModerationState.approved,
        )
        .scalar_subquery()
    )
    rows = await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.id.in_(idea_ids))
        .values(comment_count=shown, updated_at=datetime.now(UTC))
        .returning(Idea.id, Idea.comment_count)
        .execution_options(synchronize_session=False)
    )
    return {i: n for i, n in rows}
