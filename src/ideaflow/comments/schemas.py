"""Comment payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ideaflow.ideas.schemas import AuthorRead

COMMENT_MAX = 10_000


class CommentCreate(BaseModel):
    body: str = Field(min_length=1, max_length=COMMENT_MAX, description="Markdown.")
    parent_id: int | None = Field(None, description="Reply to this comment. Replies are one level deep.")


class NoteCreate(BaseModel):
    body: str = Field(min_length=1, max_length=COMMENT_MAX, description="Markdown. Seen by staff only.")


class CommentUpdate(BaseModel):
    body: str = Field(min_length=1, max_length=COMMENT_MAX)


class CommentRead(BaseModel):
    id: int
    parent_id: int | None
    author: AuthorRead | None = Field(description="Null once the comment is removed.")
    body: str | None = Field(description="Null once the comment is removed.")
    body_html: str | None
    deleted: bool
    internal: bool = Field(False, description="An internal note: staff only.")
    created_at: datetime
    updated_at: datetime
    replies: list[CommentRead] = Field(default_factory=list)
