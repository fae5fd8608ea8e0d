"""Statuses a workspace defines for its ideas, official responses (with their edit history) and the idea
timeline: the append-only record of status changes, responses and, later, other entries (merges...)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum, utcnow


class StatusCategory(StrEnum):
    """What a status means to the product: open and active ideas take votes; done and closed ones do not."""

    open = "open"
    active = "active"
    done = "done"
    closed = "closed"

    @property
    def accepts_votes(self) -> bool:
        return self in (StatusCategory.open, StatusCategory.active)


class Status(CreatedAtMixin, Base):
    __tablename__ = "statuses"
    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_statuses_workspace_position", "workspace_id", "position"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    # The stable identifier stored on ideas and used in URLs, the API and events ("planned").
    key: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(40), nullable=False)
    colour: Mapped[str] = mapped_column(String(7), nullable=False)
    category: Mapped[StatusCategory] = mapped_column(str_enum(StatusCategory, 16), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    @property
    def accepts_votes(self) -> bool:
        return StatusCategory(self.category).accepts_votes


class TimelineKind(StrEnum):
    status_changed = "status_changed"
    response_posted = "response_posted"
    response_edited = "response_edited"


class OfficialResponse(CreatedAtMixin, Base):
    """Staff's answer on an idea. The row holds the current text; every version is kept in revisions."""

    __tablename__ = "official_responses"
    __table_args__ = (Index("ix_official_responses_idea", "idea_id", "id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    idea_id: Mapped[int] = fk_column("ideas.id")
    author_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    edit_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ResponseRevision(CreatedAtMixin, Base):
    """One version of an official response, appended on posting and on every edit (never changed)."""

    __tablename__ = "response_revisions"
    __table_args__ = (Index("ix_response_revisions_response", "response_id", "id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    response_id: Mapped[int] = fk_column("official_responses.id")
    editor_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)


class TimelineEntry(CreatedAtMixin, Base):
    """An append-only entry in an idea's history. `kind` is open-ended (merges and others come later);
    `data` carries what a kind needs beyond the common columns."""

    __tablename__ = "timeline_entries"
    __table_args__ = (Index("ix_timeline_entries_idea", "idea_id", "id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    idea_id: Mapped[int] = fk_column("ideas.id")
    actor_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    response_id: Mapped[int | None] = fk_column("official_responses.id", nullable=True, ondelete="SET NULL", index=True)
    source: Mapped[str] = mapped_column(String(32), nullable=False, default="staff")
    data: Mapped[dict | None] = mapped_column(JSON, nullable=True)
