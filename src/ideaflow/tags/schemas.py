"""Tag payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

COLOUR = r"^#[0-9a-fA-F]{6}$"


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    colour: str = Field(description="#rrggbb")
    created_at: datetime


class TagCreate(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    colour: str = Field(pattern=COLOUR)


class TagUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=40)
    colour: str | None = Field(None, pattern=COLOUR)
