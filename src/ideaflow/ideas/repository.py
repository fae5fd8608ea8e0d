"""Queries for ideas: keyset-paginated lists, full-text search on both databases, look-ups."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, literal_column, select, table, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.boards.models import Board
from ideaflow.db import utcnow
from ideaflow.ideas.models import Idea, listed
from ideaflow.ideas.schemas import IdeaSort
from ideaflow.kit.sql import dialect_name
from ideaflow.tags.models import Tag
from ideaflow.workspaces.models import Workspace


@dataclass
class IdeaRow:
    idea: Idea
    author_name: str
    board: Board


def _words(text: str, limit: int = 12) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if len(w) > 1 or w.isdigit()][:limit]


def _base(workspace_id: int, board_ids: list[int]) -> Select:
    stmt = (
        select(Idea, User.name, Board)
        .join(User, User.id == Idea.author_id)
        .join(Board, Board.id == Idea.board_id)
        .where(Idea.workspace_id == workspace_id, listed())
    )
    if len(board_ids) == 1:
        return stmt.where(Idea.board_id == board_ids[0])
    return stmt.where(Idea.board_id.in_(board_ids))


def _search_filter(session: AsyncSession, query: str):
    """Every word must match (stemmed), on both databases."""
    words = _words(query)
    if not words:
        return None
    if dialect_name(session) == "postgresql":
        return literal_column("ideas.search_vector").op("@@")(func.websearch_to_tsquery("english", query))
    fts = " ".join(f'"{w}"' for w in words)
    matching = (
        select(literal_column("rowid"))
        .select_from(table("ideas_fts"))
        .where(literal_column("ideas_fts").op("MATCH")(fts))
    )
    return Idea.id.in_(matching)


SORT_KEYS = {
    IdeaSort.top: (Idea.vote_count, int),
    IdeaSort.trending: (Idea.trending_score, float),
}


def sort_key(idea: Idea, sort: IdeaSort) -> list[Any]:
    if sort == IdeaSort.new:
        return [idea.id]
    return [getattr(idea, SORT_KEYS[sort][0].key), idea.id]


def cursor_types(sort: IdeaSort) -> tuple[type, ...]:
    return (int,) if sort == IdeaSort.new else (SORT_KEYS[sort][1], int)


async def list_ideas(
    session: AsyncSession,
    *,
    workspace_id: int,
    board_ids: list[int],
    sort: IdeaSort,
    status: str | None,
    query: str | None,
    after: list[Any] | None,
    limit: int,
    tag_id: int | None = None,
) -> list[IdeaRow]:
    if not board_ids:
        return []
    stmt = _base(workspace_id, board_ids)
    if status is not None:
        stmt = stmt.where(Idea.status == status)
    if tag_id is not None:
        from ideaflow.tags.repository import idea_ids_with_tag

        stmt = stmt.where(Idea.id.in_(idea_ids_with_tag(tag_id)))
    walk = False
    if query:
        condition = _search_filter(session, query)
        if condition is None:
            return []
        stmt = stmt.where(condition)
        walk = _is_phrase_search(session, query) and await _matches_many(session, workspace_id, condition)
    if sort == IdeaSort.new:
        if after:
            stmt = stmt.where(Idea.id < after[0])
        stmt = stmt.order_by(Idea.id.desc())
    else:
        column = SORT_KEYS[sort][0]
        if after:
            stmt = stmt.where(tuple_(column, Idea.id) < tuple_(after[0], after[1]))
        stmt = stmt.order_by(column.desc(), Idea.id.desc())
    if not walk:
        rows = await session.execute(stmt.limit(limit))
        return [IdeaRow(idea=i, author_name=a, board=b) for i, a, b in rows]
    # PostgreSQL estimates a phrase (`sign-on`, "dark mode") to match far fewer ideas than it does, and then
    # rechecks every match from the full-text index and sorts them all (1.6 s for 98,000 matches at 1,000,000
    # ideas). When there are many, walking the list's own sort index and keeping the matches is the fast plan.
    await session.execute(text("SET LOCAL enable_bitmapscan = off"))
    try:
        rows = await session.execute(stmt.limit(limit))
        return [IdeaRow(idea=i, author_name=a, board=b) for i, a, b in rows]
    finally:
        await session.execute(text("SET LOCAL enable_bitmapscan = on"))


# A phrase search matching at least this many ideas walks the sort index instead of the full-text index.
PHRASE_WALK_THRESHOLD = 2_000


def _is_phrase_search(session: AsyncSession, query: str) -> bool:
    """PostgreSQL turns hyphenated words and quoted text into phrase queries, whose matches it underestimates."""
    return dialect_name(session) == "postgresql" and ('"' in query or re.search(r"\w-\w", query) is not None)


async def _matches_many(session: AsyncSession, workspace_id: int, condition) -> bool:
    """Whether at least PHRASE_WALK_THRESHOLD ideas of the workspace match: counts no further than that."""
    capped = select(Idea.id).where(Idea.workspace_id == workspace_id, condition).limit(PHRASE_WALK_THRESHOLD)
    found = await session.scalar(select(func.count()).select_from(capped.subquery()))
    return (found or 0) >= PHRASE_WALK_THRESHOLD


async def similar_ideas(
    session: AsyncSession, *, workspace_id: int, board_ids: list[int], title: str, limit: int
) -> list[IdeaRow]:
    """Ideas sharing words with a title being typed: any word may match, best matches first."""
    words = _words(title)
    if not words or not board_ids:
        return []
    stmt = _base(workspace_id, board_ids)
    if dialect_name(session) == "postgresql":
        tsquery = func.to_tsquery("english", " | ".join([*words[:-1], words[-1] + ":*"]))
        vector = literal_column("ideas.search_vector")
        stmt = stmt.where(vector.op("@@")(tsquery)).order_by(
            func.ts_rank(vector, tsquery).desc(), Idea.vote_count.desc(), Idea.id.desc()
        )
    else:
        fts = " OR ".join([f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*'])
        ranked = (
            select(literal_column("rowid").label("idea_id"), literal_column("rank").label("rank"))
            .select_from(table("ideas_fts"))
            .where(literal_column("ideas_fts").op("MATCH")(fts))
            .order_by(literal_column("rank"))
            .limit(200)
            .subquery()
        )
        stmt = stmt.join(ranked, ranked.c.idea_id == Idea.id).order_by(
            ranked.c.rank, Idea.vote_count.desc(), Idea.id.desc()
        )
    rows = await session.execute(stmt.limit(limit))
    return [IdeaRow(idea=i, author_name=a, board=b) for i, a, b in rows]


@functools.cache
def _row_statement(by_number: bool) -> Select:
    """Built once (idea pages and votes run it), with named parameters `workspace_id` and `key`."""
    key = Idea.number if by_number else Idea.id
    return (
        select(Idea, User.name, Board)
        .join(User, User.id == Idea.author_id)
        .join(Board, Board.id == Idea.board_id)
        .where(Idea.workspace_id == bindparam("workspace_id"), key == bindparam("key"))
    )


async def get_row(
    session: AsyncSession, workspace_id: int, *, number: int | None = None, idea_id: int | None = None
) -> IdeaRow | None:
    by_number = number is not None
    params = {"workspace_id": workspace_id, "key": number if by_number else idea_id}
    row = (await session.execute(_row_statement(by_number), params)).first()
    return IdeaRow(idea=row[0], author_name=row[1], board=row[2]) if row else None


async def change_counters(
    session: AsyncSession, idea_id: int, *, votes: int = 0, comments: int = 0, trending=None
) -> tuple[int, int]:
    """Adjust denormalised counters in SQL (never read-modify-write in Python) and return them. Lists show the
    counters, so the same UPDATE bumps `updated_at`: the lists' change marker (`list_marker`)."""
    values: dict[str, Any] = {"updated_at": utcnow()}
    if votes:
        values["vote_count"] = Idea.vote_count + votes
    if comments:
        values["comment_count"] = Idea.comment_count + comments
    if trending is not None:
        values["trending_score"] = trending
    row = (
        await session.execute(
            update(Idea)
            .where(Idea.id == idea_id)
            .values(**values)
            .returning(Idea.vote_count, Idea.comment_count)
            .execution_options(synchronize_session=False)
        )
    ).one()
    return row[0], row[1]


def _marker(workspace_id) -> Select:
    return select(func.max(Idea.updated_at)).where(Idea.workspace_id == workspace_id)


async def list_marker(session: AsyncSession, workspace_id: int) -> datetime | None:
    """When an idea of the workspace last changed in a way lists show: every such change bumps `ideas.updated_at`.
    Per workspace, not per board: an idea moved to another board leaves its old board's own newest `updated_at`
    as it was, but not the workspace's. One probe of ix_ideas_workspace_updated."""
    return await session.scalar(_marker(workspace_id))


@functools.cache
def _marker_and_tags() -> Select:
    marker = _marker(bindparam("workspace_id")).scalar_subquery()
    return (
        select(marker, Tag)
        .select_from(Workspace)
        .outerjoin(Tag, Tag.workspace_id == Workspace.id)
        .where(Workspace.id == bindparam("workspace_id"))
        .order_by(Tag.name, Tag.id)
    )


async def list_marker_and_tags(session: AsyncSession, workspace_id: int) -> tuple[datetime | None, list[Tag]]:
    """The change marker and the workspace's tags (list items show them by name and colour, so they belong in a
    list's ETag), in one round trip; tags in the order `tags.service.list_tags` gives."""
    found = (await session.execute(_marker_and_tags(), {"workspace_id": workspace_id})).all()
    return (found[0][0] if found else None), [tag for _, tag in found if tag is not None]
