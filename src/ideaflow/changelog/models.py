"""Changelog entries (Markdown written by staff, a draft until published) and the ideas each one delivers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, utcnow


class ChangelogEntry(CreatedAtMixin, Base):
    __tablename__ = "changelog_entries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slug"),
        Index("ix_changelog_entries_workspace_published", "workspace_id", "published_at", "id"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    # The entry's address inside the workspace (/acme/changelog/dark-mode), fixed when it is created.
    slug: Mapped[str] = mapped_column(String(80), nullable=False)
    title: Mapped[str] = mapped_column(String(140), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Sanitised HTML rendered from `body` at write time.
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    author_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    # The done-category status the linked ideas move to on publishing; null means the workspace's first one.
    ship_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Null while the entry is a draft.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class ChangelogEntryIdea(Base):
    __tablename__ = "changelog_entry_ideas"
    __table_args__ = (UniqueConstraint("entry_id", "idea_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    entry_id: Mapped[int] = fk_column("changelog_entries.id")
    idea_id: Mapped[int] = fk_column("ideas.id", index=True)
