"""Board payloads."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.boards.models import Visibility
from ideaflow.workspaces.schemas import SLUG_PATTERN


class BoardCreate(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    slug: str = Field(min_length=2, max_length=40, pattern=SLUG_PATTERN)
    description: str = Field("", max_length=2000)
    visibility: Visibility = Visibility.public
    is_open: bool = True
    customers_can_tag: bool = Field(False, description="Customers may pick existing tags when they submit.")


class BoardUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=80)
    description: str | None = Field(None, max_length=2000)
    visibility: Visibility | None = None
    is_open: bool | None = None
    customers_can_tag: bool | None = None


class BoardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    description: str
    visibility: Visibility
    is_open: bool
    customers_can_tag: bool
    created_at: datetime
