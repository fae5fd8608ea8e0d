"""Queries for tags and the tags on ideas."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.kit.sql import insert_ignoring_conflicts
from ideaflow.tags.models import IdeaTag, Tag


async def list_tags(session: AsyncSession, workspace_id: int) -> list[Tag]:
    return list(await session.scalars(select(Tag).where(Tag.workspace_id == workspace_id).order_by(Tag.name, Tag.id)))


async def get(session: AsyncSession, workspace_id: int, tag_id: int) -> Tag | None:
    if not 1 <= tag_id <= 2**63 - 1:
        return None
    return await session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.id == tag_id))


async def get_by_name(session: AsyncSession, workspace_id: int, name: str) -> Tag | None:
    """Case-insensitive for every script: compared in Python, since SQLite's lower() folds ASCII only (a
    workspace has tens of tags, so this is one small query)."""
    wanted = name.casefold()
    return next((t for t in await list_tags(session, workspace_id) if t.name.casefold() == wanted), None)


async def tags_for_ideas(session: AsyncSession, workspace_id: int, idea_ids: list[int]) -> list[tuple[int, Tag]]:
    if not idea_ids:
        return []
    rows = await session.execute(
        select(IdeaTag.idea_id, Tag)
        .join(Tag, Tag.id == IdeaTag.tag_id)
        .where(IdeaTag.workspace_id == workspace_id, IdeaTag.idea_id.in_(idea_ids))
        .order_by(Tag.name, Tag.id)
    )
    return [(i, t) for i, t in rows]


async def add(session: AsyncSession, workspace_id: int, idea_id: int, tag_id: int) -> bool:
    from ideaflow.db import utcnow

    result = await session.execute(
        insert_ignoring_conflicts(
            session,
            IdeaTag.__table__,
            ["idea_id", "tag_id"],
            workspace_id=workspace_id,
            idea_id=idea_id,
            tag_id=tag_id,
            created_at=utcnow(),
        )
    )
    return bool(result.rowcount)


async def remove(session: AsyncSession, workspace_id: int, idea_id: int, tag_id: int) -> bool:
    result = await session.execute(
        delete(IdeaTag).where(
            IdeaTag.workspace_id == workspace_id, IdeaTag.idea_id == idea_id, IdeaTag.tag_id == tag_id
        )
    )
    return bool(result.rowcount)


async def usage(session: AsyncSession, workspace_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(IdeaTag.tag_id, func.count()).where(IdeaTag.workspace_id == workspace_id).group_by(IdeaTag.tag_id)
    )
    return {t: n for t, n in rows}


def idea_ids_with_tag(tag_id: int):
    return select(IdeaTag.idea_id).where(IdeaTag.tag_id == tag_id)
