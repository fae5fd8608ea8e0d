"""Triage inbox schemas: the inbox as the API returns it, and one action on one or more ideas."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from ideaflow.db import ID_MAX
from ideaflow.ideas.schemas import NUMBER_MAX, AuthorRead, BoardRef, TagRef
from ideaflow.triage.service import BULK_MAX, Action, InboxView


class InboxItemRead(BaseModel):
    number: int
    title: str
    board: BoardRef
    author: AuthorRead
    status: str
    vote_count: int
    comment_count: int
    tags: list[TagRef]
    created_at: datetime
    waited_seconds: int = Field(description="How long the idea has waited for a first answer, in seconds.")
    url: str


class ResponseTimesRead(BaseModel):
    window_days: int = Field(description="The ideas first answered in this many last days.")
    answered: int = Field(description="How many ideas were first answered in the window.")
    median_seconds: int | None = Field(description="Median time to first response; null when none was answered.")
    p90_seconds: int | None = Field(description="90th percentile of time to first response; null likewise.")


class InboxRead(BaseModel):
    view: InboxView
    items: list[InboxItemRead] = Field(description="Oldest first.")
    total: int = Field(description="How many ideas the view holds (items holds the oldest of them).")
    untriaged: int = Field(description="Open, approved ideas no one on the team has answered yet.")
    awaiting_approval: int = Field(description="Ideas waiting for moderation (see the moderation queue).")
    response_times: ResponseTimesRead


class CountsRead(BaseModel):
    untriaged: int
    awaiting_approval: int


class TriageAction(BaseModel):
    action: Action = Field(
        description="answer: set `status` and/or post `response`; tag: add `tag_id`; merge: into idea `target`; "
        "approve: approve ideas waiting for moderation."
    )
    ideas: list[Annotated[int, Field(ge=1, le=NUMBER_MAX)]] = Field(
        min_length=1, max_length=BULK_MAX, description="Idea numbers."
    )
    status: str | None = Field(None, max_length=32, description="A status key (answer).")
    response: str | None = Field(None, max_length=10_000, description="Official response, Markdown (answer).")
    tag_id: int | None = Field(None, ge=1, le=ID_MAX, description="A tag of the workspace (tag).")
    target: int | None = Field(None, ge=1, le=NUMBER_MAX, description="The idea number to merge into (merge).")


class TriageOutcome(BaseModel):
    action: Action
    ideas: list[int]
    message: str
    untriaged: int = Field(description="The inbox count after the action.")
