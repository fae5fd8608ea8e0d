"""People and how they prove who they are: users, browser sessions, personal API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum


class User(CreatedAtMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = id_column()
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    # Null for accounts that exist before their owner signs up (e.g. a vote recorded on their behalf).
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Set when the owner proves the address is theirs (a verification link, a password reset, an invitation).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UserSession(CreatedAtMixin, Base):
    __tablename__ = "user_sessions"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = fk_column("users.id", index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    user_agent: Mapped[str] = mapped_column(String(200), nullable=False, default="")


class ApiToken(CreatedAtMixin, Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = fk_column("users.id", index=True)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    # The first characters, kept in clear so people can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TokenPurpose(StrEnum):
    password_reset = "password_reset"
    verify_email = "verify_email"


class AccountToken(CreatedAtMixin, Base):
    """A single-use, expiring secret sent by email: a password reset, or the proof that someone owns an
    address. Only its hash is stored. A verification that claims a placeholder account carries the
    name and password chosen at sign-up, applied only when the link is followed."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = id_column()
    user_id: Mapped[int] = fk_column("users.id", index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, 24), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pending_name: Mapped[str | None] = mapped_column(String(80), nullable=True)
    pending_password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
