"""Moderation: per-workspace pre-moderation settings, the moderation state of ideas and comments, and blocked
users."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, utcnow


class ModerationState(StrEnum):
    """Where an idea or comment stands with the moderators. Only `approved` content is shown to customers;
    `pending` waits in the queue (pre-moderation or a spam signal), `rejected` was turned down with a reason the
    author sees, `hidden` belongs to a blocked user whose content staff chose to hide (unblocking restores it)."""

    approved = "approved"
    pending = "pending"
    rejected = "rejected"
    hidden = "hidden"


class ModerationSettings(Base):
    __tablename__ = "moderation_settings"
    __table_args__ = (UniqueConstraint("workspace_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    premoderate_ideas: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    premoderate_comments: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
    # Spam signals (many links, brand-new accounts posting fast, repeated text) queue content even when
    # pre-moderation is off.
    spam_signals: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class UserBlock(CreatedAtMixin, Base):
    """A user blocked in one workspace: they cannot post, comment or vote there."""

    __tablename__ = "user_blocks"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    user_id: Mapped[int] = fk_column("users.id", index=True)
    blocked_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # True: their ideas and comments are hidden (moderation_state `hidden`) while the block lasts.
    hide_content: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())
