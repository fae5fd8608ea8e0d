"""Backlog payloads: tracker connections (the token is write-only), pushes, the ranked backlog."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.backlog.models import TrackerKind
from ideaflow.db import ID_MAX


class TrackerConnectionCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: TrackerKind
    name: str = Field(min_length=1, max_length=80)
    base_url: str = Field(
        min_length=1,
        max_length=300,
        description="The API base: https://api.github.com, https://<site>.atlassian.net or https://api.linear.app.",
    )
    target: str = Field(
        min_length=1, max_length=200, description="GitHub owner/repo, Jira project key, or Linear team id."
    )
    token: str = Field(min_length=1, max_length=500, description="API token; stored encrypted, never returned.")
    account: str = Field("", max_length=200, description="Jira: the Atlassian account email of the token.")
    issue_type: str = Field("", max_length=80, description="Jira: the issue type of new items (default Task).")
    status_mapping: dict[str, str] | None = Field(
        None, description="Tracker state (lower case) -> idea status key; defaults per tracker when omitted."
    )
    enabled: bool = True


class TrackerConnectionUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=80)
    base_url: str | None = Field(None, min_length=1, max_length=300)
    target: str | None = Field(None, min_length=1, max_length=200)
    token: str | None = Field(None, min_length=1, max_length=500, description="A new token; omit to keep the old.")
    account: str | None = Field(None, max_length=200)
    issue_type: str | None = Field(None, max_length=80)
    status_mapping: dict[str, str] | None = None
    enabled: bool | None = None


class TrackerConnectionRead(BaseModel):
    id: int
    kind: TrackerKind
    name: str
    base_url: str
    target: str
    account: str
    issue_type: str
    token: str = Field(description='"set (…last four)": the token itself is never returned.')
    status_mapping: dict[str, str]
    enabled: bool
    webhook_url: str
    created_at: datetime


class WebhookSecretRead(BaseModel):
    webhook_url: str
    secret: str


class BacklogSelection(BaseModel):
    ranking: str = Field("top", max_length=20)
    board: str = Field("", max_length=40)
    status: str = Field("", max_length=32)
    limit: int = Field(10, ge=1, le=200, description="Top N ideas by the ranking.")


class PushRequest(BaseModel):
    connection_id: int = Field(ge=1, le=ID_MAX)
    idea_ids: list[Annotated[int, Field(ge=1, le=ID_MAX)]] | None = Field(
        None, max_length=200, description="Ideas chosen by hand (ids)."
    )
    top: BacklogSelection | None = Field(None, description="Or: the top N ideas by a ranking with these filters.")


class PushQueued(BaseModel):
    queued: int


class TrackerItemRead(BaseModel):
    tracker: str
    kind: TrackerKind
    key: str
    url: str
    state: str


class BacklogItemRead(BaseModel):
    id: int
    number: int
    title: str
    url: str
    board: str
    status: str
    votes: int
    voters: int
    demand: float
    priority: float | None
    top_segments: list[str]
    tracker_items: list[TrackerItemRead]


class InboundRead(BaseModel):
    outcome: str
    detail: str
