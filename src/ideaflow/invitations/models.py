"""Invitations to join a workspace with a role: the secret link is single-use, expires, and opens only
the workspace it was made for. Only the hash of the secret is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum
from ideaflow.workspaces.models import Role


class Invitation(CreatedAtMixin, Base):
    __tablename__ = "invitations"

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    accepted_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL", index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
