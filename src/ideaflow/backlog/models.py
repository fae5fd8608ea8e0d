"""Backlog tables: a workspace's tracker connections, the ideas linked to tracker items, and the inbound
deliveries already processed (replay protection)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, CreatedAtMixin, UTCDateTime, fk_column, id_column, str_enum, utcnow


class TrackerKind(StrEnum):
    github = "github"
    jira = "jira"
    linear = "linear"

    @property
    def label(self) -> str:
        return {"github": "GitHub Issues", "jira": "Jira Cloud", "linear": "Linear"}[self.value]


class LinkState(StrEnum):
    # A create was started and may have reached the tracker: the next attempt searches before creating.
    creating = "creating"
    linked = "linked"


class TrackerConnection(CreatedAtMixin, Base):
    __tablename__ = "tracker_connections"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    kind: Mapped[TrackerKind] = mapped_column(str_enum(TrackerKind, 16), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    base_url: Mapped[str] = mapped_column(String(300), nullable=False)
    # GitHub "owner/repo", Jira project key, Linear team id.
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    # Jira: the account email for basic auth; the issue type for new items.
    account: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    issue_type: Mapped[str] = mapped_column(String(80), nullable=False, default="")
    # AES-GCM ciphertext of the API token (see backlog/crypto.py) and its last four characters for display.
    token_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    token_hint: Mapped[str] = mapped_column(String(8), nullable=False, default="")
    # The shared secret trackers sign inbound webhooks with, encrypted the same way.
    webhook_secret_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    # Tracker state (lower-cased name) -> idea status key.
    status_mapping: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class TrackerLink(CreatedAtMixin, Base):
    __tablename__ = "tracker_links"
    __table_args__ = (
        UniqueConstraint("connection_id", "idea_id"),
        UniqueConstraint("connection_id", "external_id"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    connection_id: Mapped[int] = fk_column("tracker_connections.id")
    link_state: Mapped[LinkState] = mapped_column(str_enum(LinkState, 16), nullable=False, default=LinkState.creating)
    # Written before the remote create; it is also in the remote item (body marker / label / Linear id).
    marker: Mapped[str] = mapped_column(String(64), nullable=False)
    # GitHub issue number, Jira issue id, Linear issue id (null while creating).
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # What people read: "#12", "PROJ-7", "ENG-42".
    external_key: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    state: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TrackerDelivery(CreatedAtMixin, Base):
    """One row per inbound webhook delivery accepted: a replayed delivery id is refused."""

    __tablename__ = "tracker_deliveries"
    __table_args__ = (UniqueConstraint("connection_id", "delivery_id"),)

    id: Mapped[int] = id_column()
    connection_id: Mapped[int] = fk_column("tracker_connections.id")
    delivery_id: Mapped[str] = mapped_column(String(200), nullable=False)
