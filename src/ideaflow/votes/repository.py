"""Queries for votes: race-safe insert, change and delete that report whether a row changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.kit.sql import insert_ignoring_conflicts
from ideaflow.votes.models import Vote


@dataclass(frozen=True)
class StoredVote:
    id: int
    value: int
    importance: str | None
    created_at: datetime


async def insert_vote(
    session: AsyncSession,
    workspace_id: int,
    idea_id: int,
    user_id: int,
    at: datetime,
    *,
    value: int = 1,
    importance: str | None = None,
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: True only if this call created the vote."""
    stmt = insert_ignoring_conflicts(
        session,
        Vote.__table__,
        ["workspace_id", "idea_id", "user_id"],
        workspace_id=workspace_id,
        idea_id=idea_id,
        user_id=user_id,
        created_at=at,
        value=value,
        importance=importance,
    ).returning(Vote.__table__.c.id)
    return (await session.execute(stmt)).first() is not None


async def get_vote(session: AsyncSession, workspace_id: int, idea_id: int, user_id: int) -> StoredVote | None:
    row = (
        await session.execute(
            select(Vote.id, Vote.value, Vote.importance, Vote.created_at).where(
                Vote.workspace_id == workspace_id, Vote.idea_id == idea_id, Vote.user_id == user_id
            )
        )
    ).first()
    return StoredVote(*row) if row else None


async def change_vote(
    session: AsyncSession, vote: StoredVote, *, value: int, importance: str | None, at: datetime
) -> bool:
    """Change a vote only if it still holds what we read (a concurrent change makes this a no-op)."""
    condition = [Vote.id == vote.id, Vote.value == vote.value]
    condition.append(Vote.importance.is_(None) if vote.importance is None else Vote.importance == vote.importance)
    values: dict = {"value": value, "importance": importance}
    if value != vote.value:
        values["created_at"] = at  # a vote that changes direction counts from now in trending
    row = (
        await session.execute(
            update(Vote)
            .where(*condition)
            .values(**values)
            .returning(Vote.id)
            .execution_options(synchronize_session=False)
        )
    ).first()
    return row is not None


async def delete_vote(session: AsyncSession, workspace_id: int, idea_id: int, user_id: int) -> StoredVote | None:
    """Delete the vote; return what it was, or None if there was none."""
    row = (
        await session.execute(
            delete(Vote)
            .where(Vote.workspace_id == workspace_id, Vote.idea_id == idea_id, Vote.user_id == user_id)
            .returning(Vote.id, Vote.value, Vote.importance, Vote.created_at)
            .execution_options(synchronize_session=False)
        )
    ).first()
    return StoredVote(*row) if row else None


async def voted_idea_ids(session: AsyncSession, workspace_id: int, user_id: int, idea_ids: list[int]) -> set[int]:
    """The ideas among `idea_ids` the user voted for (+1; a vote against does not press the button)."""
    result = await session.scalars(
        select(Vote.idea_id).where(
            Vote.workspace_id == workspace_id,
            Vote.user_id == user_id,
            Vote.idea_id.in_(idea_ids),
            Vote.value == 1,
        )
    )
    return set(result)
