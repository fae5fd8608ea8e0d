"""The outbox table: one row per domain event, written in the transaction that caused it and delivered
after commit by a worker."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum, utcnow


class OutboxStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    dead = "dead"


class OutboxEvent(CreatedAtMixin, Base):
    __tablename__ = "outbox_events"
    # The worker's claim query: pending rows whose time has come, oldest first.
    __table_args__ = (Index("ix_outbox_events_status_available_at", "status", "available_at"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int | None] = fk_column("workspaces.id", nullable=True, index=True)
    type: Mapped[str] = mapped_column(String(80), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus, 16), nullable=False, default=OutboxStatus.pending
    )
    # Counted when a worker claims the row, so an event that kills its worker is still dead-lettered in the end.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    available_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # The lease: while locked_until is in the future the row belongs to claimed_by; once it passes (the
    # worker died mid-delivery) any worker may claim the row again.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
