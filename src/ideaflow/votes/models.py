"""Votes: one per user per idea, enforced by the database."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped

from ideaflow.db import Base, CreatedAtMixin, fk_column, id_column


class Vote(CreatedAtMixin, Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("workspace_id", "idea_id", "user_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    user_id: Mapped[int] = fk_column("users.id", index=True)
