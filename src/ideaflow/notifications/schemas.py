"""Notification payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.notifications.models import EmailFrequency


class NotificationRead(BaseModel):
    id: int
    type: str = Field(description="The event: idea.status_changed, idea.response_posted, comment.created...")
    summary: str
    workspace: str = Field(description="The workspace's slug.")
    idea_number: int
    idea_title: str
    actor_name: str | None
    data: dict
    url: str
    read: bool
    created_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page; null at the end.")
    unread_count: int


class UnreadCount(BaseModel):
    count: int


class MarkedRead(BaseModel):
    marked: int


class PreferencesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email_enabled: bool
    in_app_enabled: bool
    email_frequency: EmailFrequency
    on_status: bool = Field(description="Status changes (and merges) of ideas you follow.")
    on_response: bool = Field(description="Official responses.")
    on_comment: bool = Field(description="New comments.")
    on_new_idea: bool = Field(description="New ideas on boards you follow.")


class PreferencesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email_enabled: bool | None = None
    in_app_enabled: bool | None = None
    email_frequency: EmailFrequency | None = None
    on_status: bool | None = None
    on_response: bool | None = None
    on_comment: bool | None = None
    on_new_idea: bool | None = None


class SubscriptionRead(BaseModel):
    following: bool
