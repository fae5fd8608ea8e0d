"""Ideas: what customers ask for, numbered per workspace, with denormalised counters and an
index-friendly trending score."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, Float, Index, Integer, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, BigId, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum, utcnow
from ideaflow.moderation.models import ModerationState
from ideaflow.statuses.models import StatusCategory

__all__ = ["Idea", "IdeaStatus", "ModerationState", "StatusCategory", "listed"]


class IdeaStatus(StrEnum):
    """The keys of the statuses every new workspace starts with. A workspace may rename, recolour, reorder or
    remove them and add its own (see statuses/), so an idea's status is any key its workspace defines."""

    open = "open"
    under_review = "under_review"
    planned = "planned"
    in_progress = "in_progress"
    shipped = "shipped"
    declined = "declined"


class Idea(CreatedAtMixin, Base):
    __tablename__ = "ideas"
    __table_args__ = (
        UniqueConstraint("workspace_id", "number"),
        Index("ix_ideas_board_top", "board_id", "vote_count", "id"),
        Index("ix_ideas_board_trending", "board_id", "trending_score", "id"),
        Index("ix_ideas_board_new", "board_id", "id"),
        Index("ix_ideas_workspace_top", "workspace_id", "vote_count", "id"),
        Index("ix_ideas_workspace_trending", "workspace_id", "trending_score", "id"),
        # The triage inbox (untriaged: no first response yet, oldest first) and the moderation queue.
        Index("ix_ideas_workspace_untriaged", "workspace_id", "first_response_at", "id"),
        Index("ix_ideas_workspace_moderation", "workspace_id", "moderation_state", "id"),
        # max(updated_at) per workspace: the lists' change marker (ETag), see kit/http_cache.py.
        Index("ix_ideas_workspace_updated", "workspace_id", "updated_at"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    board_id: Mapped[int] = fk_column("boards.id")
    author_id: Mapped[int] = fk_column("users.id", index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(140), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # Sanitised HTML rendered from `body` at write time, so reads never run the Markdown renderer.
    body_html: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The key of one of the workspace's statuses; the category is copied here (and kept in step when a status
    # is recategorised) so that vote checks and filters need no join.
    status: Mapped[str] = mapped_column(String(32), nullable=False, default=IdeaStatus.open.value)
    status_category: Mapped[StatusCategory] = mapped_column(
        str_enum(StatusCategory, 16), nullable=False, default=StatusCategory.open, server_default="open"
    )
    vote_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # log(sum(exp(t_i / tau))) over the idea's creation and its votes: see ideas/trending.py.
    trending_score: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Merged into another idea (a duplicate): not listed, its page points to the target; see merges/. A plain id
    # (idea_merges holds the foreign keys): SQLite adds a column with a foreign key only by rebuilding the table.
    merged_into_id: Mapped[int | None] = mapped_column(BigId, nullable=True, index=True)
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Only approved ideas are listed for customers; see moderation/.
    moderation_state: Mapped[ModerationState] = mapped_column(
        str_enum(ModerationState, 16), nullable=False, default=ModerationState.approved, server_default="approved"
    )
    moderation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When staff first answered (an official response or a status change): the triage inbox lists ideas
    # without one, and time to first response is measured from created_at to this.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def accepts_votes(self) -> bool:
        return StatusCategory(self.status_category).accepts_votes


def listed() -> ColumnElement[bool]:
    """The ideas customers see in lists, searches, feeds and exports: not deleted, not merged into another idea,
    approved by moderation."""
    return and_(
        Idea.deleted_at.is_(None),
        Idea.merged_into_id.is_(None),
        Idea.moderation_state == ModerationState.approved,
    )
