"""The audit log: one append-only row per staff action, with what it changed."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, fk_column, id_column


class AuditEvent(CreatedAtMixin, Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_audit_events_workspace_action", "workspace_id", "action", "created_at"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    # Null for the system (an integration, a scheduled job); the row outlives the account that acted.
    actor_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False)
    target_type: Mapped[str] = mapped_column(String(32), nullable=False)
    target_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
