"""Audit log payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEventRead(BaseModel):
    id: int
    actor_id: int | None = Field(description="Null for the system (an integration or a job).")
    actor_name: str | None
    action: str = Field(description='e.g. "idea.status_changed", "member.role_changed".')
    target_type: str
    target_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class AuditPageRead(BaseModel):
    items: list[AuditEventRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for older entries; null at the end.")
