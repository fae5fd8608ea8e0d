"""Vote payloads: an optional direction and importance on PUT; the caller's vote and the idea's count back."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.votes.models import Importance


class VoteWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Literal[1, -1] = Field(1, description="1 votes for the idea; -1 against (boards that allow it).")
    importance: Importance | None = Field(
        None, description="How much it matters to you (boards that ask). Left out: keep the one chosen before."
    )


class VoteState(BaseModel):
    number: int
    voted: bool = Field(description="True while the caller votes for the idea.")
    vote_count: int
    value: int | None = Field(None, description="1, -1, or null without a vote.")
    importance: Importance | None = None
