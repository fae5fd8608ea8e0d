"""Changelog payloads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.changelog.service import BODY_MAX, IDEAS_MAX, TITLE_MAX, TITLE_MIN
from ideaflow.ideas.schemas import NUMBER_MAX


class ChangelogEntryCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str = Field(min_length=TITLE_MIN, max_length=TITLE_MAX)
    body: str = Field("", max_length=BODY_MAX, description="Markdown.")
    ideas: list[Annotated[int, Field(ge=1, le=NUMBER_MAX)]] = Field(
        default_factory=list, max_length=IDEAS_MAX, description="Numbers of the ideas this entry delivers."
    )
    ship_status: str | None = Field(
        None, max_length=32, description="The done status the ideas move to; default: the workspace's first one."
    )
    publish: bool = Field(False, description="Publish at once (ships the linked ideas); otherwise a draft.")


class ChangelogEntryUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    title: str | None = Field(None, min_length=TITLE_MIN, max_length=TITLE_MAX)
    body: str | None = Field(None, max_length=BODY_MAX)
    ideas: list[Annotated[int, Field(ge=1, le=NUMBER_MAX)]] | None = Field(
        None, max_length=IDEAS_MAX, description="Replaces the linked ideas; on a published entry new ones ship."
    )
    ship_status: str | None = Field(None, max_length=32)


class LinkedIdeaRead(BaseModel):
    number: int
    title: str
    status: str
    vote_count: int
    url: str


class ChangelogEntryRead(BaseModel):
    id: int
    slug: str
    title: str
    body: str
    body_html: str
    author_name: str | None
    ship_status: str | None
    published: bool
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    url: str
    ideas: list[LinkedIdeaRead]


class ChangelogPageRead(BaseModel):
    items: list[ChangelogEntryRead]
    drafts: list[ChangelogEntryRead] = Field(description="Staff asking for drafts only; empty otherwise.")
    next_cursor: str | None = Field(description="Pass as `cursor` to fetch the next page; null at the end.")


class PublishRead(BaseModel):
    entry: ChangelogEntryRead
    shipped: list[int] = Field(description="Numbers of the ideas whose status this call changed.")
