"""Queries for boards."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.boards.models import Board, Visibility


async def list_boards(session: AsyncSession, workspace_id: int, *, include_private: bool) -> list[Board]:
    stmt = select(Board).where(Board.workspace_id == workspace_id)
    if not include_private:
        stmt = stmt.where(Board.visibility == Visibility.public)
    return list(await session.scalars(stmt.order_by(Board.position, Board.id)))


async def get_by_slug(session: AsyncSession, workspace_id: int, slug: str) -> Board | None:
    return await session.scalar(select(Board).where(Board.workspace_id == workspace_id, Board.slug == slug))


async def get_by_id(session: AsyncSession, workspace_id: int, board_id: int) -> Board | None:
    return await session.scalar(select(Board).where(Board.workspace_id == workspace_id, Board.id == board_id))


async def next_position(session: AsyncSession, workspace_id: int) -> int:
    current = await session.scalar(select(func.max(Board.position)).where(Board.workspace_id == workspace_id))
    return (current or 0) + 1
