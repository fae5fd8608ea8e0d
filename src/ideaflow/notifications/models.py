"""Who follows what (subscriptions), how each person wants to hear about it (preferences), the in-app
notifications, and the record of every notification email (sent at once or queued for the daily digest)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, BigId, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum


class SubscriptionReason(StrEnum):
    author = "author"
    voter = "voter"
    commenter = "commenter"
    manual = "manual"


class EmailFrequency(StrEnum):
    instant = "instant"
    daily = "daily"


class DeliveryStatus(StrEnum):
    pending = "pending"  # to be sent by the handler of its event (instant)
    queued = "queued"  # waiting for the daily digest
    sent = "sent"
    skipped = "skipped"  # email turned off, or the idea became invisible, before it went out


class Subscription(CreatedAtMixin, Base):
    """A person following one idea or one board. `unsubscribed` records an explicit unfollow, which
    later automatic follows (a new vote, a new comment) must not undo."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("user_id", "idea_id"),
        UniqueConstraint("user_id", "board_id"),
        CheckConstraint("(idea_id IS NULL) <> (board_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    user_id: Mapped[int] = fk_column("users.id")
    idea_id: Mapped[int | None] = fk_column("ideas.id", nullable=True, index=True)
    board_id: Mapped[int | None] = fk_column("boards.id", nullable=True, index=True)
    reason: Mapped[SubscriptionReason] = mapped_column(str_enum(SubscriptionReason, 16), nullable=False)
    unsubscribed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class NotificationPreference(Base):
    """One row per person once they change anything; until then the defaults below apply."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    in_app_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    email_frequency: Mapped[EmailFrequency] = mapped_column(
        str_enum(EmailFrequency, 16), nullable=False, default=EmailFrequency.instant
    )
    on_status: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    on_response: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    on_comment: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    on_new_idea: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Notification(CreatedAtMixin, Base):
    """One in-app notification: one per (event, person), whatever number of times the event is processed."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_recent", "user_id", "id"),
    )

    id: Mapped[int] = id_column()
    # The outbox event that caused it (outbox rows are pruned later, so no foreign key).
    event_id: Mapped[int] = mapped_column(BigId, nullable=False)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    user_id: Mapped[int] = fk_column("users.id")
    idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    actor_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EmailDelivery(CreatedAtMixin, Base):
    """One notification email owed to one person for one event: recorded before sending and marked sent
    after, so a retried event sends only what has not gone out yet."""

    __tablename__ = "email_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id"),
        Index("ix_email_deliveries_status_user", "status", "user_id"),
    )

    id: Mapped[int] = id_column()
    event_id: Mapped[int] = mapped_column(BigId, nullable=False)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    user_id: Mapped[int] = fk_column("users.id", index=True)
    idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    actor_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, 16), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
