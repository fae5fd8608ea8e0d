"""Tags: staff-defined, coloured labels on ideas, one set per workspace."""

from __future__ import annotations

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, fk_column, id_column


class Tag(CreatedAtMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    colour: Mapped[str] = mapped_column(String(7), nullable=False)


class IdeaTag(CreatedAtMixin, Base):
    __tablename__ = "idea_tags"
    __table_args__ = (UniqueConstraint("idea_id", "tag_id"), Index("ix_idea_tags_tag", "tag_id", "idea_id"))

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    idea_id: Mapped[int] = fk_column("ideas.id")
    tag_id: Mapped[int] = fk_column("tags.id")
