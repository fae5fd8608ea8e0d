"""Merge payloads: merging an idea into another, what an idea's merge state is, and the ideas staff can pick
as the target."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.ideas.schemas import NUMBER_MAX


class MergeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: int = Field(ge=1, le=NUMBER_MAX, description="The number of the idea to merge this one into.")


class IdeaRef(BaseModel):
    number: int
    title: str


class MergedIdea(IdeaRef):
    merged_at: datetime | None


class MergeRead(BaseModel):
    """An idea's merge state: what it was merged into (if anything) and which ideas were merged into it."""

    number: int
    merged_into: IdeaRef | None = Field(description="The idea this one was merged into; null when it is not merged.")
    merged_into_final: IdeaRef | None = Field(
        description="Where its votes count now: the end of the chain when its target was merged on in turn."
    )
    merged_at: datetime | None
    merged_ideas: list[MergedIdea] = Field(description="Ideas merged into this one, most recent first.")


class MergeCandidate(IdeaRef):
    status: str
    vote_count: int
    board: str = Field(description="The board's slug.")
