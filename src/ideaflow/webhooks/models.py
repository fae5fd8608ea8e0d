"""Webhook endpoints that workspace admins register, and the log of every delivery attempt to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, BigId, CreatedAtMixin, UTCDateTime, fk_column, id_column, utcnow
from ideaflow.kit.crypto import open_sealed, seal

SECRET_PURPOSE = b"ideaflow/webhooks/signing-secret/v1"


class WebhookEndpoint(CreatedAtMixin, Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    # Event types this endpoint receives; ["*"] means every public event.
    event_types: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    # `whsec_` + base64 of random bytes (Standard Webhooks), kept so that we can sign, sealed at rest (see the
    # `secret` property). After a rotation the old secret signs too, for a while, so receivers can switch.
    secret_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    previous_secret_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Consecutive failed deliveries, and when the first of them happened: persistent failure disables.
    failure_streak: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    @property
    def secret(self) -> str:
        return open_sealed(self.secret_sealed, purpose=SECRET_PURPOSE, associated=self._associated())

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = seal(value, purpose=SECRET_PURPOSE, associated=self._associated())

    @property
    def previous_secret(self) -> str | None:
        if self.previous_secret_sealed is None:
            return None
        return open_sealed(self.previous_secret_sealed, purpose=SECRET_PURPOSE, associated=self._associated())

    @previous_secret.setter
    def previous_secret(self, value: str | None) -> None:
        self.previous_secret_sealed = (
            None if value is None else seal(value, purpose=SECRET_PURPOSE, associated=self._associated())
        )

    def _associated(self) -> str:
        # Bound to the workspace: a sealed secret copied into another workspace's endpoint does not open.
        if self.workspace_id is None:
            raise ValueError("set workspace_id before the secret")
        return f"workspace:{self.workspace_id}:webhook-secret"


class WebhookDelivery(CreatedAtMixin, Base):
    """One HTTP attempt. Retries and redeliveries of a message add rows with the same `msg_id`."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    endpoint_id: Mapped[int] = fk_column("webhook_endpoints.id")
    # The outbox event that caused it (outbox rows are pruned, so no foreign key); None for test messages.
    event_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    event_type: Mapped[str] = mapped_column(String(80), nullable=False)
    # The `webhook-id` header: the same on every attempt of one message, so receivers can dedupe.
    msg_id: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    request_body: Mapped[str] = mapped_column(Text, nullable=False)
    succeeded: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer, nullable=True)
