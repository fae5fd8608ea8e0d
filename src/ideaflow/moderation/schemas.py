"""Moderation payloads: the queue, decisions, settings and blocks."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, EmailStr, Field, model_validator

from ideaflow.ideas.schemas import AuthorRead
from ideaflow.moderation.models import ModerationState
from ideaflow.moderation.service import REASON_MAX


class QueuedIdeaRead(BaseModel):
    number: int
    title: str
    body: str
    board: str = Field(description="The board's slug.")
    author: AuthorRead
    queued_because: str | None = Field(description="Pre-moderation, or the spam signal that queued it.")
    created_at: datetime


class QueuedCommentRead(BaseModel):
    id: int
    idea_number: int
    idea_title: str
    body: str
    author: AuthorRead
    queued_because: str | None = Field(description="Pre-moderation, or the spam signal that queued it.")
    created_at: datetime


class QueueRead(BaseModel):
    ideas: list[QueuedIdeaRead] = Field(description="Ideas waiting for approval, oldest first.")
    comments: list[QueuedCommentRead] = Field(description="Comments waiting for approval, oldest first.")


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=REASON_MAX, description="Shown to the author.")


class DecisionRead(BaseModel):
    kind: str = Field(description="`idea` or `comment`.")
    id: int
    number: int | None = Field(None, description="The idea's number (ideas only).")
    moderation_state: ModerationState
    moderation_reason: str | None


class SettingsRead(BaseModel):
    premoderate_ideas: bool
    premoderate_comments: bool
    spam_signals: bool


class SettingsUpdate(BaseModel):
    premoderate_ideas: bool | None = Field(None, description="Hold new ideas from non-staff for approval.")
    premoderate_comments: bool | None = Field(None, description="Hold new comments from non-staff for approval.")
    spam_signals: bool | None = Field(
        None, description="Queue posts with many links, from new accounts posting fast, or repeating themselves."
    )


class BlockCreate(BaseModel):
    user_id: int | None = Field(None, ge=1, description="Who to block; or give `email`.")
    email: EmailStr | None = Field(None, description="Who to block, by their account's email; or give `user_id`.")
    reason: str = Field("", max_length=REASON_MAX, description="For staff; not shown to the person.")
    hide_content: bool = Field(False, description="Hide their published ideas and comments while blocked.")

    @model_validator(mode="after")
    def _one_person(self) -> BlockCreate:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("give exactly one of user_id or email")
        return self


class BlockRead(BaseModel):
    user: AuthorRead
    reason: str
    hide_content: bool
    blocked_by: AuthorRead | None
    created_at: datetime
