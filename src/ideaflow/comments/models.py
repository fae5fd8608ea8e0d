"""Comments on ideas, with one level of replies; deletion keeps the thread's shape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum, utcnow
from ideaflow.moderation.models import ModerationState


class Comment(CreatedAtMixin, Base):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_idea_created", "idea_id", "id"),
        Index("ix_comments_workspace_moderation", "workspace_id", "moderation_state", "id"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    idea_id: Mapped[int] = fk_column("ideas.id")
    author_id: Mapped[int] = fk_column("users.id", index=True)
    parent_id: Mapped[int | None] = fk_column("comments.id", nullable=True, index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Internal notes: staff-only, never shown, counted, exported or sent to anyone outside staff.
    internal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Only approved comments are shown to customers; see moderation/.
    moderation_state: Mapped[ModerationState] = mapped_column(
        str_enum(ModerationState, 16), nullable=False, default=ModerationState.approved, server_default="approved"
    )
    moderation_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
