"""Queries for the roadmap: its settings row, the ideas of each column, and how many each column holds."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.boards.models import Board
from ideaflow.ideas.models import Idea, listed
from ideaflow.roadmap.models import RoadmapSettings


async def get_settings(session: AsyncSession, workspace_id: int) -> RoadmapSettings | None:
    return await session.scalar(select(RoadmapSettings).where(RoadmapSettings.workspace_id == workspace_id))


def _ideas(workspace_id: int, board_ids: list[int], status_keys: list[str]):
    return (
        select(Idea, Board)
        .join(Board, Board.id == Idea.board_id)
        .where(
            Idea.workspace_id == workspace_id,
            listed(),
            Idea.board_id.in_(board_ids),
            Idea.status.in_(status_keys),
        )
    )


async def column_ideas(
    session: AsyncSession,
    workspace_id: int,
    *,
    board_ids: list[int],
    status_keys: list[str],
    newest_first: bool,
    limit: int,
) -> list[tuple[Idea, Board]]:
    """One column's cards: the most wanted first, or (shipped) the most recently changed first."""
    if not board_ids or not status_keys:
        return []
    order = (Idea.updated_at.desc(), Idea.id.desc()) if newest_first else (Idea.vote_count.desc(), Idea.id.desc())
    rows = await session.execute(_ideas(workspace_id, board_ids, status_keys).order_by(*order).limit(limit))
    return [(i, b) for i, b in rows]


async def count_by_status(
    session: AsyncSession, workspace_id: int, *, board_ids: list[int], status_keys: list[str]
) -> dict[str, int]:
    if not board_ids or not status_keys:
        return {}
    rows = await session.execute(
        select(Idea.status, func.count())
        .where(
            Idea.workspace_id == workspace_id,
            listed(),
            Idea.board_id.in_(board_ids),
            Idea.status.in_(status_keys),
        )
        .group_by(Idea.status)
    )
    return {key: count for key, count in rows}
