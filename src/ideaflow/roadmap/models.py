"""What a workspace's public roadmap shows: the boards and statuses staff chose (one row per workspace; no row
means the defaults: every board the viewer may see, every status of the active and done categories)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, BigId, UTCDateTime, id_column, utcnow


class RoadmapSettings(Base):
    __tablename__ = "roadmap_settings"

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    # Board ids shown on the roadmap; null means every board (board visibility still applies to each viewer).
    board_ids: Mapped[list[int] | None] = mapped_column(JSON, nullable=True)
    # Status keys shown on the roadmap; null means every status of the active and done categories.
    status_keys: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
