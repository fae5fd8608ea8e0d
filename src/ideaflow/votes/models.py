"""Votes: one per user per idea, enforced by the database, with an optional importance and a direction."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import SmallInteger, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, BigId, CreatedAtMixin, fk_column, id_column


class Importance(StrEnum):
    """How much an idea matters to the voter, offered on boards that enable it."""

    nice_to_have = "nice_to_have"
    important = "important"
    critical = "critical"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Vote(CreatedAtMixin, Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("workspace_id", "idea_id", "user_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    user_id: Mapped[int] = fk_column("users.id", index=True)
    # +1 for, -1 against (only on boards that allow down-votes). ideas.vote_count counts the +1 rows.
    value: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=1, server_default=text("1"))
    importance: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Provenance. `origin_idea_id`: the idea the vote was cast on when it now counts for another one through a
    # merge (None: cast here); unmerge moves it back. `added_by_id`: staff who recorded the vote on the voter's
    # behalf (None: the voter's own), with where it came from and an optional note or link. Plain ids: SQLite adds
    # a column with a foreign key only by rebuilding the table.
    origin_idea_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    added_by_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    proxy_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    proxy_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    proxy_link: Mapped[str | None] = mapped_column(String(500), nullable=True)
