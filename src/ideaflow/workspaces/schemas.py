"""Workspace payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ideaflow.workspaces.models import Role

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"


class WorkspaceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    slug: str = Field(
        min_length=2,
        max_length=40,
        pattern=SLUG_PATTERN,
        description="Lower-case letters, digits and dashes; the portal lives at /{slug}.",
    )


class WorkspaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    created_at: datetime
    role: Role | None = Field(None, description="The caller's role in this workspace, if any.")


class MemberRead(BaseModel):
    user_id: int
    name: str
    email: str | None = Field(None, description="Shown to admins only.")
    role: Role
    joined_at: datetime


class MemberAdd(BaseModel):
    email: EmailStr
    role: Role = Role.member


class RoleChange(BaseModel):
    role: Role
