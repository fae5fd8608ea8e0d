"""Roadmap payloads."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RoadmapStatusRead(BaseModel):
    key: str
    name: str
    colour: str
    category: str


class RoadmapCardRead(BaseModel):
    number: int
    title: str
    status: str
    vote_count: int
    voted: bool
    board: str = Field(description="The board's slug.")
    url: str


class RoadmapColumnRead(BaseModel):
    key: str = Field(description="planned | in_progress | shipped")
    title: str
    statuses: list[RoadmapStatusRead]
    total: int = Field(description="How many ideas the column holds (the list may show fewer).")
    ideas: list[RoadmapCardRead]


class RoadmapRead(BaseModel):
    columns: list[RoadmapColumnRead]


class RoadmapSettingsRead(BaseModel):
    boards: list[str] = Field(description="Slugs of the boards the roadmap shows.")
    statuses: list[str] = Field(description="Keys of the active and done statuses the roadmap shows.")


class RoadmapSettingsUpdate(BaseModel):
    boards: list[str] = Field(min_length=1, max_length=200, description="Board slugs.")
    statuses: list[str] = Field(min_length=1, max_length=200, description="Status keys (active or done category).")
