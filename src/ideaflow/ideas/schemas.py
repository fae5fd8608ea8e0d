"""Idea payloads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.db import ID_MAX
from ideaflow.statuses.models import StatusCategory

TITLE_MIN, TITLE_MAX, BODY_MAX = 3, 140, 20_000
# Idea numbers are 32-bit in the database; a larger number in a URL names no idea.
NUMBER_MAX = 2**31 - 1


class IdeaSort(StrEnum):
    top = "top"
    new = "new"
    trending = "trending"


class IdeaCreate(BaseModel):
    # Limits apply to the trimmed text, as the service counts them; "  ab  " is short, not six characters.
    model_config = ConfigDict(str_strip_whitespace=True)

    board: str = Field(min_length=1, max_length=40, description="The board's slug.")
    title: str = Field(min_length=TITLE_MIN, max_length=TITLE_MAX)
    body: str = Field("", max_length=BODY_MAX, description="Markdown.")
    tags: list[Annotated[int, Field(ge=1, le=ID_MAX)]] = Field(
        default_factory=list,
        max_length=10,
        description="Ids of existing tags. Staff may always pick; others only on boards that allow it.",
    )


class IdeaUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str | None = Field(None, min_length=TITLE_MIN, max_length=TITLE_MAX)
    body: str | None = Field(None, max_length=BODY_MAX)
    status: str | None = Field(None, min_length=1, max_length=32, description="A status key (staff only).")
    response: str | None = Field(
        None, max_length=10_000, description="Official response posted with the change, Markdown (staff only)."
    )
    board: str | None = Field(None, min_length=1, max_length=40, description="Move to another board (staff only).")


class AuthorRead(BaseModel):
    id: int
    name: str


class BoardRef(BaseModel):
    slug: str
    name: str


class StatusRef(BaseModel):
    key: str
    name: str
    colour: str = Field(description="#rrggbb")
    category: StatusCategory


class TagRef(BaseModel):
    id: int
    name: str
    colour: str = Field(description="#rrggbb")


class IdeaRead(BaseModel):
    id: int
    number: int
    title: str
    body: str
    body_html: str
    status: str = Field(description="The key of the idea's status (see status_detail).")
    status_detail: StatusRef
    tags: list[TagRef]
    board: BoardRef
    author: AuthorRead
    vote_count: int
    comment_count: int
    voted: bool = Field(description="Whether the caller has voted for this idea.")
    url: str
    created_at: datetime
    updated_at: datetime


class IdeaPageRead(BaseModel):
    items: list[IdeaRead]
    next_cursor: str | None = Field(description="Pass as `cursor` to fetch the next page; null at the end.")


class VoteRead(BaseModel):
    number: int
    voted: bool
    vote_count: int
