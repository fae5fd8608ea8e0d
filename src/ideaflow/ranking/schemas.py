"""Ranking payloads: settings, customer attributes, priority inputs, the breakdown, ranked lists, pairwise."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from ideaflow.ideas.schemas import TITLE_MAX

Ranking = Literal["top", "new", "trending", "confidence", "demand", "priority", "pairwise"]


class FactorWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=40)
    weight: float = Field(ge=0, le=100)


class FactorRead(BaseModel):
    key: str
    name: str
    weight: float


class RankingSettingsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trending_half_life_hours: float | None = Field(
        None, ge=1, le=8760, description="Empty: the server default (IDEAFLOW_TRENDING_HALF_LIFE_HOURS)."
    )
    importance_weights: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=lambda: {"nice_to_have": 1.0, "important": 2.0, "critical": 4.0}
    )
    segment_weights: dict[Annotated[str, Field(max_length=60)], Annotated[float, Field(ge=0, le=100)]] = Field(
        default_factory=dict, description="Segment name to weight; others x1."
    )
    revenue_weight: float = Field(0.5, ge=0, le=10, description="Extra weight per doubling of monthly revenue.")
    revenue_reference: float = Field(
        1000.0, gt=0, le=1e9, description="Monthly revenue (currency units) of one doubling."
    )
    priority_method: Literal["rice", "scorecard"] = "rice"
    scorecard: list[FactorWrite] = Field(default_factory=list, max_length=12)


class RankingSettingsRead(BaseModel):
    trending_half_life_hours: float
    custom_half_life: bool
    importance_weights: dict[str, float]
    segment_weights: dict[str, float]
    revenue_weight: float
    revenue_reference: float
    priority_method: str
    scorecard: list[FactorRead]


class BoardRankingWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    importance_enabled: bool = False
    downvotes_enabled: bool = False
    pairwise_enabled: bool = True


class BoardRankingRead(BoardRankingWrite):
    pass


class CustomerWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment: str | None = Field(None, max_length=60)
    monthly_revenue: float | None = Field(None, ge=0, lt=1e11, description="Currency units a month, e.g. 1200.50.")
    company_name: str | None = Field(None, max_length=200)
    company_external_id: str | None = Field(None, max_length=200)


class CustomerRead(BaseModel):
    user_id: int
    email: str
    name: str
    segment: str | None
    monthly_revenue: float | None
    company_name: str | None
    company_external_id: str | None
    source: str
    updated_at: datetime


class CustomerPage(BaseModel):
    items: list[CustomerRead]
    next_cursor: int | None = Field(None, description="Pass as `after` for the next page.")


class PriorityWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    impact: float | None = Field(None, ge=0, le=3, description="RICE impact: 0.25 minimal ... 3 massive.")
    confidence: float | None = Field(None, ge=0, le=100, description="RICE confidence in per cent.")
    effort: float | None = Field(None, gt=0, le=1000, description="RICE effort in person-months.")
    factors: dict[Annotated[str, Field(max_length=40)], Annotated[float, Field(ge=0, le=10)]] = Field(
        default_factory=dict, description="Scorecard factor key to a 0-10 score."
    )


class BreakdownLineRead(BaseModel):
    label: str
    value: str
    detail: str = ""


class ScoreRead(BaseModel):
    number: int
    votes: int
    downvotes: int
    demand: float
    confidence: float
    priority: float | None
    priority_method: str
    pairwise_score: float | None = Field(None, description="P(beats a random other idea on its board).")
    pairwise_comparisons: int
    demand_by_segment: dict[str, float]
    demand_lines: list[BreakdownLineRead]
    priority_lines: list[BreakdownLineRead]
    inputs: dict


class RankedIdeaRead(BaseModel):
    number: int
    title: str
    board: str
    status: str
    votes: int
    downvotes: int
    trending_score: float
    confidence: float
    demand: float
    priority: float | None
    pairwise_score: float | None
    created_at: datetime


class RankedPageRead(BaseModel):
    ranking: str
    items: list[RankedIdeaRead]
    next_cursor: str | None


class PairIdeaRead(BaseModel):
    id: int
    number: int
    title: str


class PairRead(BaseModel):
    left: PairIdeaRead
    right: PairIdeaRead


class ComparisonWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    left_idea_id: int = Field(ge=1, le=2**63 - 1)
    right_idea_id: int = Field(ge=1, le=2**63 - 1)
    outcome: Literal["left", "right", "tie"] = Field(description="The idea that matters more, or tie: can't decide.")


class ComparisonRead(BaseModel):
    id: int
    left_idea_id: int
    right_idea_id: int
    outcome: str
    created_at: datetime


class PairwiseRowRead(BaseModel):
    number: int
    title: str
    score: float = Field(description="P(beats a random other idea on the board), 0-1.")
    comparisons: int


class PairwiseRead(BaseModel):
    items: list[PairwiseRowRead]
    comparisons: int = Field(description="Comparisons the last fit used.")
    fitted_at: datetime | None
    converged: bool


class OwnIdeaWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=TITLE_MAX)
