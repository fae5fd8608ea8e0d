"""Widget request and response bodies."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.widget.models import LauncherPosition, SecretStatus


class WidgetSessionCreate(BaseModel):
    token: str = Field(max_length=8192, description="The identity token (HS256 JWT) your server signed.")


class WidgetSessionRead(BaseModel):
    token: str = Field(description="A widget session token: send it as `Authorization: Bearer <token>`.")
    expires_at: datetime
    name: str


class WidgetConfigRead(BaseModel):
    """What the loader needs to draw the launcher (public: nothing secret)."""

    brand_color: str
    launcher_label: str
    launcher_position: LauncherPosition
    logo_url: str


class WidgetSettingsRead(WidgetConfigRead):
    model_config = ConfigDict(from_attributes=True)

    allowed_origins: list[str]
    allow_email_votes: bool
    updated_at: datetime | None = None


class WidgetSettingsUpdate(BaseModel):
    allowed_origins: list[str] | None = Field(None, max_length=20, description='e.g. `["https://app.acme.com"]`')
    allow_email_votes: bool | None = None
    brand_color: str | None = Field(None, max_length=7, description="Hex colour, e.g. `#4f46e5`.")
    logo_url: str | None = Field(None, max_length=500)
    launcher_label: str | None = Field(None, max_length=40)
    launcher_position: LauncherPosition | None = None


class WidgetSecretRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key_id: str = Field(description="Send it as the token's `kid` header (optional).")
    prefix: str
    status: SecretStatus
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class WidgetSecretCreated(WidgetSecretRead):
    secret: str = Field(description="Shown once: store it on your server.")


class TokenTest(BaseModel):
    token: str = Field(max_length=8192)


class TokenCheckRead(BaseModel):
    name: str
    ok: bool
    detail: str


class TokenTestRead(BaseModel):
    ok: bool
    checks: list[TokenCheckRead]
    claims: dict | None
    header: dict | None
