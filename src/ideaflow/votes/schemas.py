"""Vote payloads: an optional direction and importance on PUT; the caller's vote and the idea's count back; and
votes staff record on a customer's behalf, with where the request came from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
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


# Votes recorded by staff on a customer's behalf. Only staff ever see these payloads.


class ProxySource(StrEnum):
    """Where a vote recorded on a customer's behalf came from."""

    support_ticket = "support_ticket"
    sales_call = "sales_call"
    email = "email"
    meeting = "meeting"
    other = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def phrase(self) -> str:
        """Completes "added by Dana …"."""
        return {
            "support_ticket": "from a support ticket",
            "sales_call": "from a sales call",
            "email": "from an email",
            "meeting": "from a meeting",
        }.get(self.value, "from another source")


class OnBehalfWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(
        max_length=254, description="The customer's email address.", json_schema_extra={"format": "email"}
    )
    name: str | None = Field(
        None, max_length=80, description="Their name, used only when the address has no account yet."
    )
    source: ProxySource = Field(description="Where the request came from.")
    note: str | None = Field(None, max_length=2000, description="Anything staff should know (plain text).")
    link: str | None = Field(None, max_length=500, description="An http(s) link, e.g. to the support ticket.")
    importance: Importance | None = Field(
        None, description="How much it matters to the customer (boards that ask). Left out: keep the one recorded."
    )


class StaffRef(BaseModel):
    id: int
    name: str


class OnBehalfVoteRead(BaseModel):
    user_id: int
    name: str
    email: str
    signed_up: bool = Field(description="False while the account is a placeholder nobody has claimed yet.")
    source: ProxySource
    note: str | None
    link: str | None
    importance: Importance | None
    added_by: StaffRef | None = Field(description="The staff member who recorded it (null: no longer a user).")
    created_at: datetime


class OnBehalfResult(BaseModel):
    number: int
    vote_count: int
    changed: bool = Field(description="False when the same vote with the same provenance was already recorded.")
    placeholder_created: bool = Field(description="True when the address had no account and one was created.")
    vote: OnBehalfVoteRead


class OnBehalfRemoved(BaseModel):
    number: int
    vote_count: int
    removed: bool = Field(description="False when no vote was recorded on this person's behalf.")
