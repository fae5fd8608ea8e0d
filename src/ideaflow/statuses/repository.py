"""Queries for statuses, official responses and the timeline."""

from __future__ import annotations

import functools

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.ideas.models import Idea
from ideaflow.statuses.models import OfficialResponse, ResponseRevision, Status, TimelineEntry


@functools.cache
def _statuses() -> Select:
    """Built once (every list and idea page runs it), with the named parameter `workspace_id`."""
    return select(Status).where(Status.workspace_id == bindparam("workspace_id")).order_by(Status.position, Status.id)


async def list_statuses(session: AsyncSession, workspace_id: int) -> list[Status]:
    return list(await session.scalars(_statuses(), {"workspace_id": workspace_id}))


async def get_by_key(session: AsyncSession, workspace_id: int, key: str) -> Status | None:
    return await session.scalar(select(Status).where(Status.workspace_id == workspace_id, Status.key == key))


async def next_position(session: AsyncSession, workspace_id: int) -> int:
    current = await session.scalar(select(func.max(Status.position)).where(Status.workspace_id == workspace_id))
    return (current or 0) + 1


async def count_ideas(session: AsyncSession, workspace_id: int, key: str) -> int:
    return (
        await session.scalar(
            select(func.count()).where(Idea.workspace_id == workspace_id, Idea.status == key, Idea.deleted_at.is_(None))
        )
        or 0
    )


async def count_by_status(session: AsyncSession, workspace_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Idea.status, func.count())
        .where(Idea.workspace_id == workspace_id, Idea.deleted_at.is_(None))
        .group_by(Idea.status)
    )
    return {k: n for k, n in rows}


async def idea_ids_with_status(session: AsyncSession, workspace_id: int, key: str) -> list[int]:
    return list(await session.scalars(select(Idea.id).where(Idea.workspace_id == workspace_id, Idea.status == key)))


async def move_ideas(session: AsyncSession, workspace_id: int, from_key: str, to: Status) -> None:
    await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.status == from_key)
        .values(status=to.key, status_category=to.category)
        .execution_options(synchronize_session="evaluate")
    )


async def recategorise_ideas(session: AsyncSession, workspace_id: int, key: str, category: str) -> None:
    await session.execute(
        update(Idea)
        .where(Idea.workspace_id == workspace_id, Idea.status == key)
        .values(status_category=category)
        .execution_options(synchronize_session="evaluate")
    )


async def latest_response(session: AsyncSession, workspace_id: int, idea_id: int):
    row = (
        await session.execute(
            select(OfficialResponse, User.name)
            .outerjoin(User, User.id == OfficialResponse.author_id)
            .where(OfficialResponse.workspace_id == workspace_id, OfficialResponse.idea_id == idea_id)
            .order_by(OfficialResponse.id.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def get_response(session: AsyncSession, workspace_id: int, response_id: int) -> OfficialResponse | None:
    if not 1 <= response_id <= 2**63 - 1:
        return None
    return await session.scalar(
        select(OfficialResponse).where(
            OfficialResponse.workspace_id == workspace_id, OfficialResponse.id == response_id
        )
    )


async def timeline(session: AsyncSession, workspace_id: int, idea_id: int):
    """The idea's entries oldest first, each with its actor's name and its response (if any)."""
    rows = await session.execute(
        select(TimelineEntry, User.name, OfficialResponse)
        .outerjoin(User, User.id == TimelineEntry.actor_id)
        .outerjoin(OfficialResponse, OfficialResponse.id == TimelineEntry.response_id)
        .where(TimelineEntry.workspace_id == workspace_id, TimelineEntry.idea_id == idea_id)
        .order_by(TimelineEntry.id)
    )
    return [(e, n, r) for e, n, r in rows]


async def revisions(session: AsyncSession, workspace_id: int, response_id: int):
    rows = await session.execute(
        select(ResponseRevision, User.name)
        .outerjoin(User, User.id == ResponseRevision.editor_id)
        .where(ResponseRevision.workspace_id == workspace_id, ResponseRevision.response_id == response_id)
        .order_by(ResponseRevision.id.desc())
    )
    return [(r, n) for r, n in rows]
