"""Queries for votes: race-safe insert and delete that report whether a row changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.kit.sql import insert_ignoring_conflicts
from ideaflow.votes.models import Vote


async def insert_vote(session: AsyncSession, workspace_id: int, idea_id: int, user_id: int, at: datetime) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: True only if this call created the vote."""
    stmt = insert_ignoring_conflicts(
        session,
        Vote.__table__,
        ["workspace_id", "idea_id", "user_id"],
        workspace_id=workspace_id,
        idea_id=idea_id,
        user_id=user_id,
        created_at=at,
    ).returning(Vote.__table__.c.id)
    return (await session.execute(stmt)).first() is not None


async def delete_vote(session: AsyncSession, workspace_id: int, idea_id: int, user_id: int) -> datetime | None:
    """Delete the vote; return when it had been cast, or None if there was none."""
    row = (
        await session.execute(
            delete(Vote)
            .where(Vote.workspace_id == workspace_id, Vote.idea_id == idea_id, Vote.user_id == user_id)
            .returning(Vote.created_at)
            .execution_options(synchronize_session=False)
        )
    ).first()
    return row[0] if row else None


async def voted_idea_ids(session: AsyncSession, workspace_id: int, user_id: int, idea_ids: list[int]) -> set[int]:
    result = await session.scalars(
        select(Vote.idea_id).where(
            Vote.workspace_id == workspace_id, Vote.user_id == user_id, Vote.idea_id.in_(idea_ids)
        )
    )
    return set(result)
