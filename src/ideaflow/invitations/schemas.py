"""Invitation payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field

from ideaflow.workspaces.models import Role


class InvitationCreate(BaseModel):
    email: EmailStr
    role: Role = Role.member


class InvitationRead(BaseModel):
    id: int
    email: str
    role: Role
    state: str = Field(description="pending | accepted | revoked | expired")
    expires_at: datetime
    created_at: datetime
    accepted_at: datetime | None


class InvitationAccepted(BaseModel):
    workspace: str = Field(description="The slug of the workspace joined.")
