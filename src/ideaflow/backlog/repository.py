"""Backlog queries: connections, links and deliveries, always scoped to a workspace, and the batched ranked
read the exports stream from."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.backlog.models import TrackerConnection, TrackerDelivery, TrackerLink
from ideaflow.boards.models import Board
from ideaflow.ideas.models import Idea, listed


async def list_connections(session: AsyncSession, workspace_id: int) -> list[TrackerConnection]:
    stmt = (
        select(TrackerConnection)
        .where(TrackerConnection.workspace_id == workspace_id)
        .order_by(TrackerConnection.name, TrackerConnection.id)
    )
    return list((await session.scalars(stmt)).all())


async def get_connection(session: AsyncSession, workspace_id: int, connection_id: int) -> TrackerConnection | None:
    stmt = select(TrackerConnection).where(
        TrackerConnection.workspace_id == workspace_id, TrackerConnection.id == connection_id
    )
    return (await session.scalars(stmt)).first()


async def name_taken(session: AsyncSession, workspace_id: int, name: str, *, except_id: int | None = None) -> bool:
    stmt = select(TrackerConnection.id).where(
        TrackerConnection.workspace_id == workspace_id, TrackerConnection.name == name
    )
    if except_id is not None:
        stmt = stmt.where(TrackerConnection.id != except_id)
    return (await session.scalar(stmt)) is not None


async def get_link(session: AsyncSession, connection_id: int, idea_id: int) -> TrackerLink | None:
    stmt = select(TrackerLink).where(TrackerLink.connection_id == connection_id, TrackerLink.idea_id == idea_id)
    return (await session.scalars(stmt)).first()


async def get_link_by_external(session: AsyncSession, connection_id: int, external_id: str) -> TrackerLink | None:
    stmt = select(TrackerLink).where(TrackerLink.connection_id == connection_id, TrackerLink.external_id == external_id)
    return (await session.scalars(stmt)).first()


async def links_for_ideas(
    session: AsyncSession, workspace_id: int, idea_ids: Sequence[int]
) -> dict[int, list[tuple[TrackerLink, TrackerConnection]]]:
    """Every idea's tracker items in one query."""
    found: dict[int, list[tuple[TrackerLink, TrackerConnection]]] = {i: [] for i in idea_ids}
    if not idea_ids:
        return found
    stmt = (
        select(TrackerLink, TrackerConnection)
        .join(TrackerConnection, TrackerConnection.id == TrackerLink.connection_id)
        .where(TrackerLink.workspace_id == workspace_id, TrackerLink.idea_id.in_(list(idea_ids)))
        .order_by(TrackerLink.idea_id, TrackerConnection.name)
    )
    for link, connection in (await session.execute(stmt)).all():
        found[link.idea_id].append((link, connection))
    return found


async def record_delivery(session: AsyncSession, connection_id: int, delivery_id: str) -> bool:
    """False when this delivery id was already accepted (a replay). Runs in a savepoint so a duplicate
    leaves the caller's transaction usable."""
    try:
        async with session.begin_nested():
            session.add(TrackerDelivery(connection_id=connection_id, delivery_id=delivery_id))
            await session.flush()
    except IntegrityError:
        return False
    return True


async def delete_connection(session: AsyncSession, connection: TrackerConnection) -> None:
    await session.execute(delete(TrackerDelivery).where(TrackerDelivery.connection_id == connection.id))
    await session.execute(delete(TrackerLink).where(TrackerLink.connection_id == connection.id))
    await session.delete(connection)
    await session.flush()


def ideas_query(workspace_id: int, *, board_ids: Sequence[int], status: str | None) -> Select:
    """Live ideas of the boards the viewer may see, with their board; ranking adds its own ORDER BY."""
    stmt = (
        select(Idea, Board)
        .join(Board, Board.id == Idea.board_id)
        .where(Idea.workspace_id == workspace_id, listed(), Idea.board_id.in_(list(board_ids)))
    )
    if status:
        stmt = stmt.where(Idea.status == status)
    return stmt


async def live_idea_ids(session: AsyncSession, workspace_id: int, idea_ids: Sequence[int]) -> list[int]:
    stmt = select(Idea.id).where(Idea.workspace_id == workspace_id, Idea.id.in_(list(idea_ids)), listed())
    return list((await session.scalars(stmt)).all())
