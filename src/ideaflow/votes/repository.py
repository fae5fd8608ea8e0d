"""Queries for votes: race-safe insert, change and delete that report whether a row changed, and the votes
staff recorded on customers' behalf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from ideaflow.accounts.models import User
from ideaflow.kit.sql import insert_ignoring_conflicts
from ideaflow.votes.models import Vote


@dataclass(frozen=True)
class Provenance:
    """Who recorded a vote on the voter's behalf, and where the request came from."""

    added_by_id: int
    source: str
    note: str | None = None
    link: str | None = None

    def columns(self) -> dict:
        return {
            "added_by_id": self.added_by_id,
            "proxy_source": self.source,
            "proxy_note": self.note,
            "proxy_link": self.link,
        }


# Setting these clears the provenance: the vote is the voter's own.
NO_PROVENANCE = {"added_by_id": None, "proxy_source": None, "proxy_note": None, "proxy_link": None}


@dataclass(frozen=True)
class StoredVote:
    id: int
    value: int
    importance: str | None
    created_at: datetime
    added_by_id: int | None = None
    proxy_source: str | None = None
    proxy_note: str | None = None
    proxy_link: str | None = None

    @property
    def on_behalf(self) -> bool:
        return self.added_by_id is not None

    def provenance(self) -> Provenance | None:
        if self.added_by_id is None:
            return None
        return Provenance(self.added_by_id, self.proxy_source or "other", self.proxy_note, self.proxy_link)


_STORED = (
    Vote.id,
    Vote.value,
    Vote.importance,
    Vote.created_at,
    Vote.added_by_id,
    Vote.proxy_source,
    Vote.proxy_note,
    Vote.proxy_link,
)


async def insert_vote(
    session: AsyncSession,
    workspace_id: int,
    idea_id: int,
    user_id: int,
    at: datetime,
    *,
    value: int = 1,
    importance: str | None = None,
    provenance: Provenance | None = None,
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
        returning=["id"],
        **(provenance.columns() if provenance else {}),
    )
    return (await session.execute(stmt)).first() is not None


async def get_vote(session: AsyncSession, workspace_id: int, idea_id: int, user_id: int) -> StoredVote | None:
    row = (
        await session.execute(
            select(*_STORED).where(Vote.workspace_id == workspace_id, Vote.idea_id == idea_id, Vote.user_id == user_id)
        )
    ).first()
    return StoredVote(*row) if row else None


async def change_vote(
    session: AsyncSession,
    vote: StoredVote,
    *,
    value: int,
    importance: str | None,
    at: datetime,
    provenance: dict | None = None,
) -> bool:
    """Change a vote only if it still holds what we read (a concurrent change makes this a no-op). `provenance`:
    the provenance columns to set as well (`Provenance.columns()`, or `NO_PROVENANCE` to make it the voter's own)."""
    condition = [Vote.id == vote.id, Vote.value == vote.value]
    condition.append(Vote.importance.is_(None) if vote.importance is None else Vote.importance == vote.importance)
    condition.append(Vote.added_by_id.is_(None) if vote.added_by_id is None else Vote.added_by_id.is_not(None))
    values: dict = {"value": value, "importance": importance, **(provenance or {})}
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


async def delete_vote(
    session: AsyncSession, workspace_id: int, idea_id: int, user_id: int, *, only_on_behalf: bool = False
) -> StoredVote | None:
    """Delete the vote (with `only_on_behalf`, only one staff recorded); return what it was, or None."""
    condition = [Vote.workspace_id == workspace_id, Vote.idea_id == idea_id, Vote.user_id == user_id]
    if only_on_behalf:
        condition.append(Vote.added_by_id.is_not(None))
    row = (
        await session.execute(
            delete(Vote).where(*condition).returning(*_STORED).execution_options(synchronize_session=False)
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


@dataclass(frozen=True)
class OnBehalfRow:
    vote: StoredVote
    user_id: int
    name: str
    email: str
    signed_up: bool
    added_by_name: str | None


async def list_on_behalf(session: AsyncSession, workspace_id: int, idea_id: int) -> list[OnBehalfRow]:
    """The votes staff recorded on an idea for other people, newest first, with the voter and the staff member
    (one query)."""
    staff = aliased(User)
    rows = await session.execute(
        select(*_STORED, User.id, User.name, User.email, User.password_hash.is_not(None), staff.name)
        .join(User, User.id == Vote.user_id)
        .outerjoin(staff, staff.id == Vote.added_by_id)
        .where(Vote.workspace_id == workspace_id, Vote.idea_id == idea_id, Vote.added_by_id.is_not(None))
        .order_by(Vote.created_at.desc(), Vote.id.desc())
    )
    n = len(_STORED)
    return [
        OnBehalfRow(StoredVote(*row[:n]), row[n], row[n + 1], row[n + 2], bool(row[n + 3]), row[n + 4]) for row in rows
    ]
