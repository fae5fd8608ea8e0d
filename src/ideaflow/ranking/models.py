"""Ranking tables: per-workspace and per-board ranking settings, customer attributes, stored per-idea scores,
staff priority inputs, and pairwise comparisons with the state of their last fit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ideaflow.db import Base, BigId, CreatedAtMixin, UTCDateTime, fk_column, id_column, utcnow


class WorkspaceRankingSettings(Base):
    """Demand weights, the priority method and the trending half-life of one workspace. No row = defaults."""

    __tablename__ = "workspace_ranking_settings"

    workspace_id: Mapped[int] = mapped_column(BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True)
    trending_half_life_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    importance_weights: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    segment_weights: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    revenue_weight: Mapped[float] = mapped_column(Float, nullable=False, default=0.5)
    revenue_reference_cents: Mapped[int] = mapped_column(BigInteger, nullable=False, default=100_000)
    priority_method: Mapped[str] = mapped_column(String(16), nullable=False, default="rice")
    scorecard: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class BoardRankingSettings(Base):
    """Per-board voting options. No row = importance off, down-votes off, pairwise on."""

    __tablename__ = "board_ranking_settings"

    board_id: Mapped[int] = mapped_column(BigId, ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    importance_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    downvotes_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pairwise_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


class CustomerProfile(Base):
    """What the company knows about a voter: from SSO claims, a CSV import or the API."""

    __tablename__ = "customer_profiles"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    user_id: Mapped[int] = fk_column("users.id", index=True)
    segment: Mapped[str | None] = mapped_column(String(60), nullable=True)
    monthly_revenue_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    company_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    company_external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(8), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IdeaScore(Base):
    """Stored scores of one idea, kept current by the writes that change them, so lists sort by a column."""

    __tablename__ = "idea_scores"
    __table_args__ = (
        Index("ix_idea_scores_workspace_demand", "workspace_id", "demand", "idea_id"),
        Index("ix_idea_scores_workspace_priority", "workspace_id", "priority", "idea_id"),
        Index("ix_idea_scores_workspace_confidence", "workspace_id", "confidence", "idea_id"),
        Index("ix_idea_scores_workspace_pairwise", "workspace_id", "pairwise_score", "idea_id"),
    )

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = fk_column("workspaces.id")
    downvotes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    demand: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    priority: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    pairwise_strength: Mapped[float | None] = mapped_column(Float, nullable=True)
    pairwise_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    pairwise_comparisons: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IdeaPriorityInput(Base):
    """What staff set for an idea's priority: RICE impact/confidence/effort and scorecard factor scores."""

    __tablename__ = "idea_priority_inputs"

    idea_id: Mapped[int] = mapped_column(BigId, ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    impact: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    effort: Mapped[float | None] = mapped_column(Float, nullable=True)
    factors: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    updated_by_id: Mapped[int | None] = fk_column("users.id", nullable=True, ondelete="SET NULL")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PairwiseComparison(CreatedAtMixin, Base):
    """One answer to "which matters more to you?": left, right, or tie (can't decide)."""

    __tablename__ = "pairwise_comparisons"
    __table_args__ = (
        Index("ix_pairwise_comparisons_board_id_id", "board_id", "id"),
        Index("ix_pairwise_comparisons_user_board", "user_id", "board_id"),
    )

    id: Mapped[int] = id_column()
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    board_id: Mapped[int] = fk_column("boards.id")
    user_id: Mapped[int] = fk_column("users.id")
    left_idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    right_idea_id: Mapped[int] = fk_column("ideas.id", index=True)
    outcome: Mapped[str] = mapped_column(String(8), nullable=False)


class PairwiseFit(Base):
    """The last Bradley-Terry fit of a board: which comparisons it covered, so later events coalesce."""

    __tablename__ = "pairwise_fits"

    board_id: Mapped[int] = mapped_column(BigId, ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    workspace_id: Mapped[int] = fk_column("workspaces.id", index=True)
    through_comparison_id: Mapped[int] = mapped_column(BigId, nullable=False, default=0)
    comparisons: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    iterations: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    converged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    seconds: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


__all__ = [
    "BoardRankingSettings",
    "CustomerProfile",
    "IdeaPriorityInput",
    "IdeaScore",
    "PairwiseComparison",
    "PairwiseFit",
    "WorkspaceRankingSettings",
]
