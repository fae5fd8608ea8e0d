"""Queries for boards."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.boards.models import Board, Visibility

# A request reads its workspace's boards more than once (the ETag of a list, then the list itself): the first read
# is kept for the rest of the session. Creating or changing a board forgets it (`forget_lists`).
_LISTS = "ideaflow.boards.lists"


async def list_boards(session: AsyncSession, workspace_id: int, *, include_private: bool) -> list[Board]:
    key = (workspace_id, include_private)
    cached = session.info.get(_LISTS, {}).get(key)
    if cached is not None:
        return list(cached)
    stmt = select(Board).where(Board.workspace_id == workspace_id)
    if not include_private:
        stmt = stmt.where(Board.visibility == Visibility.public)
    boards = list(await session.scalars(stmt.order_by(Board.position, Board.id)))
    session.info.setdefault(_LISTS, {})[key] = boards
    return list(boards)


def forget_lists(session: AsyncSession) -> None:
    session.info.pop(_LISTS, None)


async def get_by_slug(session: AsyncSession, workspace_id: int, slug: str) -> Board | None:
    return await session.scalar(select(Board).where(Board.workspace_id == workspace_id, Board.slug == slug))


async def get_by_id(session: AsyncSession, workspace_id: int, board_id: int) -> Board | None:
    return await session.scalar(select(Board).where(Board.workspace_id == workspace_id, Board.id == board_id))


async def next_position(session: AsyncSession, workspace_id: int) -> int:
    current = await session.scalar(select(func.max(Board.position)).where(Board.workspace_id == workspace_id))
    return (current or 0) + 1
