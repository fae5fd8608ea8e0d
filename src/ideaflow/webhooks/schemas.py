"""Webhook payloads of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EndpointCreate(BaseModel):
    url: str = Field(max_length=2000, description="Where messages are POSTed: https (http only for private targets).")
    description: str = Field("", max_length=200)
    event_types: list[str] = Field(
        min_length=1, max_length=20, description='Event types to receive, or `["*"]` for every public event.'
    )


class EndpointUpdate(BaseModel):
    url: str | None = Field(None, max_length=2000)
    description: str | None = Field(None, max_length=200)
    event_types: list[str] | None = Field(None, min_length=1, max_length=20)
    enabled: bool | None = Field(None, description="Re-enable (clears the failure streak) or disable the endpoint.")


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    disabled_at: datetime | None
    failure_streak: int
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointRead):
    secret: str = Field(description="The signing secret (`whsec_...`). Shown only when created or rotated.")


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    endpoint_id: int
    event_id: int | None
    event_type: str
    msg_id: str = Field(description="The `webhook-id` header; the same on every attempt of one message.")
    attempt: int
    succeeded: bool
    status_code: int | None
    response_excerpt: str | None
    error: str | None
    duration_ms: int | None
    created_at: datetime


class EventTypeRead(BaseModel):
    type: str
    description: str


class Queued(BaseModel):
    queued: bool = True
    detail: str
