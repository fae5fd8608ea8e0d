"""Votes: one per user per idea, enforced by the database, with an optional importance and a direction."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import SmallInteger, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, fk_column, id_column


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
