"""Widget tables: per-workspace settings, the signing secrets companies mint tokens with, the identities
those tokens map to, and the short-lived sessions the embedded panel uses."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Float, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum, utcnow


class SecretStatus(StrEnum):
    active = "active"
    revoked = "revoked"


class IdentityKind(StrEnum):
    # Signed in by the company's token (`sub` is their user id).
    token = "token"
    # An anonymous visitor who gave an email to vote (unverified; `sub` is "email:<address>").
    email = "email"


class LauncherPosition(StrEnum):
    bottom_right = "bottom-right"
    bottom_left = "bottom-left"


class WidgetSettings(Base):
    __tablename__ = "widget_settings"

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    # Exact origins (scheme://host[:port]) that may frame /embed and send it tokens.
    allowed_origins: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    allow_email_votes: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    brand_color: Mapped[str] = mapped_column(String(7), nullable=False, default="#4f46e5")
    logo_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    launcher_label: Mapped[str] = mapped_column(String(40), nullable=False, default="Feedback")
    launcher_position: Mapped[LauncherPosition] = mapped_column(
        str_enum(LauncherPosition, 16), nullable=False, default=LauncherPosition.bottom_right
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("workspace_id"),)


class WidgetSecret(CreatedAtMixin, Base):
    __tablename__ = "widget_secrets"

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    # Public: sent as the token's `kid` header so the right secret is tried first.
    key_id: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    # The first characters, in clear, so admins can tell secrets apart.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    # HS256 needs the secret itself: kept encrypted (Fernet, key derived from the app's secret key).
    secret_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[SecretStatus] = mapped_column(
        str_enum(SecretStatus, 16), nullable=False, default=SecretStatus.active
    )
    created_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WidgetIdentity(CreatedAtMixin, Base):
    """A company's user (workspace, sub) mapped to the ideaflow user that votes and posts for them.
    The company, segment and spend columns are what demand weighting reads."""

    __tablename__ = "widget_identities"
    __table_args__ = (
        UniqueConstraint("workspace_id", "subject"),
        Index("ix_widget_identities_workspace_company", "workspace_id", "company_id"),
        Index("ix_widget_identities_workspace_segment", "workspace_id", "segment"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    subject: Mapped[str] = mapped_column(String(255), nullable=False)
    kind: Mapped[IdentityKind] = mapped_column(str_enum(IdentityKind, 16), nullable=False, default=IdentityKind.token)
    user_id: Mapped[int] = fk_column("users.id", index=True)
    # As the company last asserted them (the user row carries a placeholder address, see service.py).
    email: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    name: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    avatar_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    company_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    company_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    company_monthly_spend: Mapped[float | None] = mapped_column(Float, nullable=True)
    segment: Mapped[str | None] = mapped_column(String(80), nullable=True)
    claims: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class WidgetSession(CreatedAtMixin, Base):
    """The bearer token the embedded panel holds in memory (stored hashed). Stateful so that revoking a
    secret ends every session minted with it at once."""

    __tablename__ = "widget_sessions"

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    identity_id: Mapped[int] = fk_column("widget_identities.id", index=True)
    # Null for sessions of email identities (no company token behind them).
    secret_id: Mapped[int | None] = fk_column("widget_secrets.id", nullable=True, index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
