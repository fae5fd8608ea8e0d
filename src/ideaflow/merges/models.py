"""Merges: idea X merged into idea Y, remembered so that the merge can be undone exactly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column


class IdeaMerge(CreatedAtMixin, Base):
    __tablename__ = "idea_merges"
    __table_args__ = (Index("ix_idea_merges_source", "workspace_id", "source_idea_id", "id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    source_idea_id: Mapped[int] = fk_column("ideas.id")
    target_idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    merged_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL")
    # What the merge added to the target (so unmerge removes exactly that): tag ids and subscriber user ids.
    added_tag_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)
    added_subscriber_ids: Mapped[list | None] = mapped_column(JSON, nullable=True)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    undone_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL")
