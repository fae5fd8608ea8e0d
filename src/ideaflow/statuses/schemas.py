"""Status, official response and timeline payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.statuses.models import StatusCategory

COLOUR = r"^#[0-9a-fA-F]{6}$"


class StatusRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str = Field(description="Stable identifier stored on ideas (e.g. `planned`).")
    name: str
    colour: str = Field(description="#rrggbb")
    category: StatusCategory = Field(description="open and active statuses take votes; done and closed do not.")
    position: int
    accepts_votes: bool


class StatusCreate(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    colour: str = Field(pattern=COLOUR)
    category: StatusCategory
    key: str | None = Field(None, max_length=32, description="Defaults to one made from the name.")


class StatusUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=40)
    colour: str | None = Field(None, pattern=COLOUR)
    category: StatusCategory | None = None


class StatusOrder(BaseModel):
    keys: list[str] = Field(description="Every status key of the workspace, in the new order.", max_length=200)


class StatusChange(BaseModel):
    status: str = Field(min_length=1, max_length=32, description="The key of the new status.")
    response: str | None = Field(None, max_length=10_000, description="Official response, Markdown (optional).")


class ResponseCreate(BaseModel):
    body: str = Field(min_length=1, max_length=10_000, description="Markdown.")


class PersonRef(BaseModel):
    id: int
    name: str


class ResponseRead(BaseModel):
    id: int
    author: PersonRef | None = Field(description="Null when posted by an integration or a removed account.")
    body: str
    body_html: str
    edited: bool
    created_at: datetime
    updated_at: datetime


class RevisionRead(BaseModel):
    id: int
    editor: PersonRef | None
    body: str
    body_html: str
    created_at: datetime


class TimelineEntryRead(BaseModel):
    id: int
    kind: str = Field(description="status_changed, response_posted, response_edited (more kinds may come).")
    actor: PersonRef | None
    from_status: str | None
    to_status: str | None
    source: str = Field(description="Who drove the change: `staff`, or an integration such as `github`.")
    response: ResponseRead | None
    created_at: datetime
