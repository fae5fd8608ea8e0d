"""Queries for changelog entries and the ideas they deliver."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board, Visibility
from ideaflow.changelog.models import ChangelogEntry, ChangelogEntryIdea
from ideaflow.ideas.models import Idea, listed


async def list_published(
    session: AsyncSession, workspace_id: int, *, after: tuple[datetime, int] | None, limit: int
) -> list[tuple[ChangelogEntry, str | None]]:
    """Published entries, newest first, each with its author's name."""
    stmt = (
        select(ChangelogEntry, User.name)
        .outerjoin(User, User.id == ChangelogEntry.author_id)
        .where(ChangelogEntry.workspace_id == workspace_id, ChangelogEntry.published_at.is_not(None))
    )
    if after is not None:
        stmt = stmt.where(tuple_(ChangelogEntry.published_at, ChangelogEntry.id) < tuple_(after[0], after[1]))
    stmt = stmt.order_by(ChangelogEntry.published_at.desc(), ChangelogEntry.id.desc()).limit(limit)
    return [(e, n) for e, n in await session.execute(stmt)]


async def list_drafts(
    session: AsyncSession, workspace_id: int, *, limit: int
) -> list[tuple[ChangelogEntry, str | None]]:
    stmt = (
        select(ChangelogEntry, User.name)
        .outerjoin(User, User.id == ChangelogEntry.author_id)
        .where(ChangelogEntry.workspace_id == workspace_id, ChangelogEntry.published_at.is_(None))
        .order_by(ChangelogEntry.updated_at.desc(), ChangelogEntry.id.desc())
        .limit(limit)
    )
    return [(e, n) for e, n in await session.execute(stmt)]


async def get(
    session: AsyncSession, workspace_id: int, *, slug: str | None = None, entry_id: int | None = None
) -> tuple[ChangelogEntry, str | None] | None:
    stmt = (
        select(ChangelogEntry, User.name)
        .outerjoin(User, User.id == ChangelogEntry.author_id)
        .where(ChangelogEntry.workspace_id == workspace_id)
    )
    stmt = stmt.where(ChangelogEntry.slug == slug) if slug is not None else stmt.where(ChangelogEntry.id == entry_id)
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def slugs_like(session: AsyncSession, workspace_id: int, base: str) -> set[str]:
    rows = await session.scalars(
        select(ChangelogEntry.slug).where(
            ChangelogEntry.workspace_id == workspace_id,
            ChangelogEntry.slug.like(base.replace("_", r"\_") + "%", escape="\\"),
        )
    )
    return set(rows)


async def linked_ideas(
    session: AsyncSession, workspace_id: int, entry_ids: list[int], *, include_private: bool
) -> list[tuple[int, Idea, Board]]:
    """(entry id, idea, board) for every live idea the entries link, in one query; private boards' ideas
    only when asked for."""
    if not entry_ids:
        return []
    stmt = (
        select(ChangelogEntryIdea.entry_id, Idea, Board)
        .join(Idea, Idea.id == ChangelogEntryIdea.idea_id)
        .join(Board, Board.id == Idea.board_id)
        .where(
            ChangelogEntryIdea.workspace_id == workspace_id,
            ChangelogEntryIdea.entry_id.in_(entry_ids),
            listed(),
        )
        .order_by(ChangelogEntryIdea.entry_id, Idea.number)
    )
    if not include_private:
        stmt = stmt.where(Board.visibility == Visibility.public)
    return [(e, i, b) for e, i, b in await session.execute(stmt)]


async def linked_idea_ids(session: AsyncSession, workspace_id: int, entry_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(ChangelogEntryIdea.idea_id).where(
                ChangelogEntryIdea.workspace_id == workspace_id, ChangelogEntryIdea.entry_id == entry_id
            )
        )
    )


async def ideas_by_number(session: AsyncSession, workspace_id: int, numbers: list[int]) -> list[Idea]:
    if not numbers:
        return []
    return list(
        await session.scalars(select(Idea).where(Idea.workspace_id == workspace_id, Idea.number.in_(numbers), listed()))
    )


async def ideas_by_id(session: AsyncSession, workspace_id: int, ids: list[int]) -> list[Idea]:
    if not ids:
        return []
    return list(
        await session.scalars(
            select(Idea).where(Idea.workspace_id == workspace_id, Idea.id.in_(ids), listed()).order_by(Idea.number)
        )
    )


async def link(session: AsyncSession, workspace_id: int, entry_id: int, idea_ids: list[int]) -> None:
    session.add_all(ChangelogEntryIdea(workspace_id=workspace_id, entry_id=entry_id, idea_id=i) for i in idea_ids)
    await session.flush()


async def unlink(session: AsyncSession, workspace_id: int, entry_id: int, idea_ids: list[int]) -> None:
    if idea_ids:
        await session.execute(
            delete(ChangelogEntryIdea).where(
                ChangelogEntryIdea.workspace_id == workspace_id,
                ChangelogEntryIdea.entry_id == entry_id,
                ChangelogEntryIdea.idea_id.in_(idea_ids),
            )
        )


async def mark_published(session: AsyncSession, workspace_id: int, entry_id: int, at: datetime) -> bool:
    """Publish a draft in one statement: of two concurrent publishes exactly one changes the row."""
    result = await session.execute(
        update(ChangelogEntry)
        .where(
            ChangelogEntry.workspace_id == workspace_id,
            ChangelogEntry.id == entry_id,
            ChangelogEntry.published_at.is_(None),
        )
        .values(published_at=at, updated_at=at)
        .returning(ChangelogEntry.id)
        .execution_options(synchronize_session=False)
    )
    return result.first() is not None


async def candidate_ideas(session: AsyncSession, workspace_id: int, *, categories: list[str], limit: int) -> list[Idea]:
    """Ideas staff are likely to ship next (the active categories), most wanted first."""
    return list(
        await session.scalars(
            select(Idea)
            .where(
                Idea.workspace_id == workspace_id,
                listed(),
                Idea.status_category.in_(categories),
            )
            .order_by(Idea.vote_count.desc(), Idea.id.desc())
            .limit(limit)
        )
    )
