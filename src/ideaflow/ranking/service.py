"""Ranking rules: the public contract other domains call (`score_ideas`, `apply_ranking`), per-workspace
weights and settings, customer attributes, stored per-idea scores kept current, priority and its breakdown.

Stored scores live in `idea_scores` and change only when something happens (a vote, a customer's attributes,
the workspace's weights, staff's priority inputs, a pairwise fit), so sorting is by a column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func
from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from ideaflow import outbox
from ideaflow.config import get_settings
from ideaflow.errors import Invalid, NotFound
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea, listed
from ideaflow.ranking import repository, scoring
from ideaflow.ranking.models import (
    BoardRankingSettings,
    CustomerProfile,
    IdeaPriorityInput,
    IdeaScore,
    WorkspaceRankingSettings,
)
from ideaflow.ranking.scoring import DemandWeights, Factor, RiceInputs
from ideaflow.votes.models import Importance
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

RANKINGS = ("top", "new", "trending", "confidence", "demand", "priority", "pairwise")
PRIORITY_METHODS = ("rice", "scorecard")
SOURCES = ("sso", "csv", "api")
RECOMPUTE_BATCH = 500
INLINE_RECOMPUTE_LIMIT = 2_000


# The public contract


@dataclass(frozen=True)
class IdeaScores:
    """What ideaflow knows about how much an idea matters, for exports and tracker pushes."""

    idea_id: int
    votes: int
    voters: int
    demand: float
    priority: float | None
    top_segments: tuple[str, ...]  # up to 3 customer segments by share of demand


async def score_ideas(session: AsyncSession, *, workspace_id: int, idea_ids: Sequence[int]) -> dict[int, IdeaScores]:
    """Scores of the given ideas of one workspace (ids of other workspaces are left out): their counters and
    stored scores in one query, and demand by customer segment in one more when the workspace has segments."""
    ids = list(dict.fromkeys(idea_ids))
    if not ids:
        return {}
    rows = await repository.stored_scores(session, workspace_id, ids)
    shares: dict[int, dict[str | None, float]] = {}
    if rows and await repository.has_segments(session, workspace_id):
        weights = await demand_weights(session, workspace_id)
        shares = await repository.demand_by_segment(session, workspace_id, ids, weights, named_only=True)
    return {
        idea_id: IdeaScores(
            idea_id=idea_id,
            votes=votes,
            voters=votes + (downvotes or 0),
            demand=demand or 0.0,
            priority=priority,
            top_segments=scoring.top_segments(shares.get(idea_id, {})),
        )
        for idea_id, votes, downvotes, demand, priority in rows
    }


def ranking_expression(ranking: str):
    """The SQL value a ranking sorts by (descending, ties by id descending); None for `new` (id alone).
    Scores an idea has not earned yet count as 0 (priority and pairwise as -1, below every real score)."""
    if ranking not in RANKINGS:
        raise Invalid.field("ranking", f"must be one of {', '.join(RANKINGS)}")
    return {
        "top": Idea.vote_count,
        "new": None,
        "trending": Idea.trending_score,
        "confidence": func.coalesce(IdeaScore.confidence, 0.0),
        "demand": func.coalesce(IdeaScore.demand, 0.0),
        "priority": func.coalesce(IdeaScore.priority, -1.0),
        "pairwise": func.coalesce(IdeaScore.pairwise_score, -1.0),
    }[ranking]


def needs_scores(ranking: str) -> bool:
    return ranking in ("confidence", "demand", "priority", "pairwise")


def apply_ranking(stmt: Select, ranking: str) -> Select:
    """ORDER BY for a select over Idea: best first, ties broken by id (newest first). For the stored scores
    it adds `LEFT OUTER JOIN idea_scores ON idea_scores.idea_id = ideas.id` (do not join it yourself)."""
    expression = ranking_expression(ranking)
    if needs_scores(ranking):
        stmt = stmt.outerjoin(IdeaScore, IdeaScore.idea_id == Idea.id)
    if expression is None:
        return stmt.order_by(Idea.id.desc())
    return stmt.order_by(expression.desc(), Idea.id.desc())


# Settings


@dataclass(frozen=True)
class RankingSettings:
    half_life_hours: float
    weights: DemandWeights
    priority_method: str
    factors: tuple[Factor, ...]
    custom_half_life: bool = False


def _settings_from(row: WorkspaceRankingSettings | None) -> RankingSettings:
    default_half_life = get_settings().trending_half_life_hours
    if row is None:
        return RankingSettings(default_half_life, DemandWeights.default(), "rice", ())
    importance = {**scoring.DEFAULT_IMPORTANCE_WEIGHTS, **(row.importance_weights or {})}
    return RankingSettings(
        half_life_hours=row.trending_half_life_hours or default_half_life,
        weights=DemandWeights(
            importance=importance,
            segments=dict(row.segment_weights or {}),
            revenue_weight=row.revenue_weight,
            revenue_reference_cents=row.revenue_reference_cents,
        ),
        priority_method=row.priority_method,
        factors=tuple(Factor(f["key"], f["name"], float(f["weight"])) for f in row.scorecard or []),
        custom_half_life=row.trending_half_life_hours is not None,
    )


# A vote reads the workspace's settings for its trending half-life and again for its stored scores: the first
# read serves the rest of the transaction. Writing the settings, a commit or a rollback forgets it.
_SETTINGS = "ideaflow.ranking.settings"


async def ranking_settings(session: AsyncSession, workspace_id: int) -> RankingSettings:
    cache = session.info.setdefault(_SETTINGS, {})
    found = cache.get(workspace_id)
    if found is None:
        found = cache[workspace_id] = _settings_from(await repository.workspace_settings(session, workspace_id))
    return found


@sa_event.listens_for(Session, "after_commit")
def _forget_settings_after_commit(session: Session) -> None:
    session.info.pop(_SETTINGS, None)


@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_settings_after_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop(_SETTINGS, None)


async def demand_weights(session: AsyncSession, workspace_id: int) -> DemandWeights:
    return (await ranking_settings(session, workspace_id)).weights


async def trending_half_life(session: AsyncSession, workspace_id: int) -> float:
    """The workspace's trending half-life in hours (its own setting, else IDEAFLOW_TRENDING_HALF_LIFE_HOURS)."""
    return (await ranking_settings(session, workspace_id)).half_life_hours


@dataclass(frozen=True)
class BoardOptions:
    importance_enabled: bool = False
    downvotes_enabled: bool = False
    pairwise_enabled: bool = True


async def board_options(session: AsyncSession, board_id: int) -> BoardOptions:
    row = await repository.board_settings(session, board_id)
    if row is None:
        return BoardOptions()
    return BoardOptions(row.importance_enabled, row.downvotes_enabled, row.pairwise_enabled)


async def set_board_options(
    session: AsyncSession, ctx: WorkspaceContext, *, board_id: int, options: BoardOptions
) -> BoardOptions:
    workspace_service.require_admin(ctx)
    from ideaflow.boards import repository as board_repository

    boards = await board_repository.list_boards(session, ctx.workspace.id, include_private=True)
    if board_id not in {b.id for b in boards}:
        raise NotFound("No such board.")
    await repository.upsert(
        session,
        BoardRankingSettings,
        ["board_id"],
        [
            {
                "board_id": board_id,
                "workspace_id": ctx.workspace.id,
                "importance_enabled": options.importance_enabled,
                "downvotes_enabled": options.downvotes_enabled,
                "pairwise_enabled": options.pairwise_enabled,
            }
        ],
    )
    return options


def _clean_weight(name: str, value: Any, *, low: float = 0.0, high: float = 100.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid.field(name, "must be a number") from None
    if not low <= number <= high or number != number:
        raise Invalid.field(name, f"must be between {low:g} and {high:g}")
    return number


def _clean_key(name: str, value: str, *, limit: int = 60) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise Invalid.field(name, "is required")
    if len(value) > limit:
        raise Invalid.field(name, f"must be at most {limit} characters")
    return value


async def update_settings(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    half_life_hours: float | None,
    importance_weights: dict[str, Any],
    segment_weights: dict[str, Any],
    revenue_weight: Any,
    revenue_reference_cents: Any,
    priority_method: str,
    scorecard: list[dict[str, Any]],
) -> RankingSettings:
    """Save the workspace's ranking settings and bring stored scores in line with them: inline for up to
    INLINE_RECOMPUTE_LIMIT ideas, the rest by the `ranking.recompute_requested` handler in bounded batches.
    Workspace admins only: the weights change every ranking."""
    workspace_service.require_admin(ctx)
    if half_life_hours is not None:
        half_life_hours = _clean_weight("half_life_hours", half_life_hours, low=1.0, high=24 * 365)
    importance = {
        key.value: _clean_weight(f"importance_weights.{key.value}", importance_weights.get(key.value, 1.0))
        for key in Importance
    }
    segments = {
        _clean_key("segment_weights", k): _clean_weight(f"segment_weights.{k}", v) for k, v in segment_weights.items()
    }
    rw = _clean_weight("revenue_weight", revenue_weight, high=10.0)
    reference = int(_clean_weight("revenue_reference_cents", revenue_reference_cents, low=1, high=1e13))
    if priority_method not in PRIORITY_METHODS:
        raise Invalid.field("priority_method", f"must be one of {', '.join(PRIORITY_METHODS)}")
    factors: list[dict[str, Any]] = []
    for i, raw in enumerate(scorecard):
        name = _clean_key(f"scorecard.{i}.name", str(raw.get("name", "")), limit=40)
        key = "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")[:40] or f"factor_{i}"
        if any(f["key"] == key for f in factors):
            raise Invalid.field(f"scorecard.{i}.name", "is used twice")
        factors.append({"key": key, "name": name, "weight": _clean_weight(f"scorecard.{i}.weight", raw.get("weight"))})
    if priority_method == "scorecard" and not factors:
        raise Invalid.field("scorecard", "needs at least one factor to rank by a scorecard")
    before = await ranking_settings(session, ctx.workspace.id)
    await repository.upsert(
        session,
        WorkspaceRankingSettings,
        ["workspace_id"],
        [
            {
                "workspace_id": ctx.workspace.id,
                "trending_half_life_hours": half_life_hours,
                "importance_weights": importance,
                "segment_weights": segments,
                "revenue_weight": rw,
                "revenue_reference_cents": reference,
                "priority_method": priority_method,
                "scorecard": factors,
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    session.info.pop(_SETTINGS, None)
    after = await ranking_settings(session, ctx.workspace.id)
    await request_recompute(
        session, workspace_id=ctx.workspace.id, trending=after.half_life_hours != before.half_life_hours
    )
    return after


async def request_recompute(session: AsyncSession, *, workspace_id: int, trending: bool) -> None:
    """Recompute the workspace's stored scores now for its first INLINE_RECOMPUTE_LIMIT ideas; hand the rest to
    the background handler (one event, bounded batches, each in its own transaction)."""
    cursor: int | None = 0
    done = 0
    while cursor is not None and done < INLINE_RECOMPUTE_LIMIT:
        cursor, count = await recompute_batch(session, workspace_id=workspace_id, after_id=cursor, trending=trending)
        done += count
    if cursor is not None:
        await outbox.emit(
            session,
            type="ranking.recompute_requested",
            workspace_id=workspace_id,
            payload={"workspace_id": workspace_id, "after_id": cursor, "trending": trending},
        )


async def recompute_batch(
    session: AsyncSession, *, workspace_id: int, after_id: int, trending: bool, limit: int | None = None
) -> tuple[int | None, int]:
    """Recompute demand, confidence and priority (and, with `trending`, the stored trending score under the
    workspace's half-life) of the next `limit` ideas after `after_id`. Returns (next cursor or None, count)."""
    limit = limit or RECOMPUTE_BATCH
    ids = await repository.idea_ids_after(session, workspace_id, after_id, limit)
    if not ids:
        return None, 0
    await refresh_scores(session, workspace_id=workspace_id, idea_ids=ids)
    if trending:
        await _recompute_trending(session, workspace_id, ids)
    return (ids[-1] if len(ids) == limit else None), len(ids)


async def _recompute_trending(session: AsyncSession, workspace_id: int, idea_ids: list[int]) -> None:
    half_life = await trending_half_life(session, workspace_id)
    rows = await repository.ideas_with_scores(session, workspace_id, idea_ids)
    times: dict[int, list[datetime]] = {idea.id: [idea.created_at] for idea, _, _ in rows}
    for idea_id, at in await repository.trending_events(session, idea_ids):
        times[idea_id].append(at)
    await repository.set_trending(
        session, {i: scoring.trending_score(sorted(ts), half_life) for i, ts in times.items()}
    )


async def recompute_workspace(database, *, workspace_id: int, after_id: int = 0, trending: bool = False) -> int:
    """Recompute every idea of a workspace in batches of RECOMPUTE_BATCH, one transaction per batch, so no
    lock is held for long (for the background handler and operators). Returns the number of ideas."""
    cursor: int | None = after_id
    total = 0
    while cursor is not None:
        async with database.write() as session, session.begin():
            cursor, count = await recompute_batch(
                session, workspace_id=workspace_id, after_id=cursor, trending=trending
            )
        total += count
    return total


# Stored scores


def priority_of(settings: RankingSettings, demand: float, inputs: IdeaPriorityInput | None) -> float | None:
    if inputs is None:
        return None
    if settings.priority_method == "scorecard":
        return scoring.scorecard(settings.factors, inputs.factors or {})
    return scoring.rice(demand, RiceInputs(inputs.impact, inputs.confidence, inputs.effort))


async def refresh_scores(session: AsyncSession, *, workspace_id: int, idea_ids: Sequence[int]) -> None:
    """Recompute and store demand, confidence and priority of these ideas from their current votes (one
    aggregate and one upsert for any number of ideas, with the settings the transaction already read). Called in
    the transaction of every change that moves them."""
    ids = list(idea_ids)
    if not ids:
        return
    settings = await ranking_settings(session, workspace_id)
    found = await repository.score_inputs(session, workspace_id, ids, settings.weights)
    now = datetime.now(UTC)
    rows = []
    for idea_id in ids:
        d, up, down, inputs = found.get(idea_id, (0.0, 0, 0, None))
        rows.append(
            {
                "idea_id": idea_id,
                "workspace_id": workspace_id,
                "downvotes": down,
                "demand": d,
                "confidence": scoring.wilson_lower_bound(up, down),
                "priority": priority_of(settings, d, inputs),
                "updated_at": now,
            }
        )
    await repository.upsert(session, IdeaScore, ["idea_id"], rows)


# Customer attributes


def clean_profile(segment, monthly_revenue, company_name, company_external_id, source):
    if source not in SOURCES:
        raise Invalid.field("source", f"must be one of {', '.join(SOURCES)}")
    segment = " ".join(str(segment).split())[:60] or None if segment is not None else None
    cents: int | None = None
    if monthly_revenue is not None and monthly_revenue != "":
        try:
            amount = float(str(monthly_revenue).replace(",", "").replace("$", "").strip())
        except ValueError:
            raise Invalid.field("monthly_revenue", "must be an amount such as 1200 or 1200.50") from None
        if not 0 <= amount < 1e11 or amount != amount:
            raise Invalid.field("monthly_revenue", "must be zero or more")
        cents = round(amount * 100)
    name = (" ".join(str(company_name).split())[:200] or None) if company_name is not None else None
    external = (str(company_external_id).strip()[:200] or None) if company_external_id is not None else None
    return segment, cents, name, external


async def record_customer_attributes(
    session: AsyncSession,
    *,
    workspace_id: int,
    user_id: int,
    segment: str | None,
    monthly_revenue: float | str | None,
    company_name: str | None,
    company_external_id: str | None,
    source: str,
) -> CustomerProfile:
    """Create or replace what the workspace knows about a customer (`monthly_revenue` in currency units, e.g.
    1200.50), then recompute the demand of every idea they voted for, in bounded batches. Callers check who
    may write it (staff through the API or CSV import; SSO sign-in for the user's own claims)."""
    segment, cents, name, external = clean_profile(segment, monthly_revenue, company_name, company_external_id, source)
    current = await repository.profile(session, workspace_id, user_id)
    changed = current is None or (current.segment, current.monthly_revenue_cents) != (segment, cents)
    await repository.upsert(
        session,
        CustomerProfile,
        ["workspace_id", "user_id"],
        [
            {
                "workspace_id": workspace_id,
                "user_id": user_id,
                "segment": segment,
                "monthly_revenue_cents": cents,
                "company_name": name,
                "company_external_id": external,
                "source": source,
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    if changed:
        after = 0
        while True:
            ids = await repository.voted_idea_ids_of_user_after(session, workspace_id, user_id, after, RECOMPUTE_BATCH)
            if not ids:
                break
            await refresh_scores(session, workspace_id=workspace_id, idea_ids=ids)
            after = ids[-1]
    profile = await repository.profile(session, workspace_id, user_id)
    assert profile is not None
    return profile


# Priority inputs and the "why this score" breakdown


async def set_priority_inputs(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    idea: Idea,
    impact: Any = None,
    confidence: Any = None,
    effort: Any = None,
    factors: dict[str, Any] | None = None,
) -> None:
    """Staff set RICE impact (0.25-3), confidence (0-100 %) and effort (person-months > 0), and scorecard
    factor scores (0-10). Empty values clear them. The stored priority is recomputed at once."""
    workspace_service.require_staff(ctx)

    def number(name: str, value: Any, low: float, high: float) -> float | None:
        if value is None or value == "":
            return None
        return _clean_weight(name, value, low=low, high=high)

    impact_v = number("impact", impact, 0.0, 3.0)
    confidence_pct = number("confidence", confidence, 0.0, 100.0)
    effort_v = number("effort", effort, 0.0, 1000.0)
    if effort_v is not None and effort_v <= 0:
        raise Invalid.field("effort", "must be more than 0")
    settings = await ranking_settings(session, ctx.workspace.id)
    known = {f.key for f in settings.factors}
    scores: dict[str, float] = {}
    for key, value in (factors or {}).items():
        if key not in known:
            raise Invalid.field(f"factors.{key}", "is not a factor of this workspace's scorecard")
        v = number(f"factors.{key}", value, 0.0, 10.0)
        if v is not None:
            scores[key] = v
    await repository.upsert(
        session,
        IdeaPriorityInput,
        ["idea_id"],
        [
            {
                "idea_id": idea.id,
                "workspace_id": ctx.workspace.id,
                "impact": impact_v,
                "confidence": None if confidence_pct is None else confidence_pct / 100.0,
                "effort": effort_v,
                "factors": scores,
                "updated_by_id": ctx.user.id if ctx.user else None,
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    await refresh_scores(session, workspace_id=ctx.workspace.id, idea_ids=[idea.id])


@dataclass
class BreakdownLine:
    label: str
    value: str
    detail: str = ""


@dataclass
class ScoreBreakdown:
    """Why an idea has its scores: each number with the inputs and the formula that made it."""

    idea_id: int
    votes: int
    downvotes: int
    demand: float
    confidence: float
    priority: float | None
    priority_method: str
    pairwise_score: float | None
    pairwise_comparisons: int
    demand_lines: list[BreakdownLine] = field(default_factory=list)
    priority_lines: list[BreakdownLine] = field(default_factory=list)
    segments: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    factors: tuple[Factor, ...] = ()


async def breakdown(session: AsyncSession, ctx: WorkspaceContext, *, idea: Idea) -> ScoreBreakdown:
    workspace_service.require_staff(ctx)
    settings = await ranking_settings(session, ctx.workspace.id)
    rows = await repository.ideas_with_scores(session, ctx.workspace.id, [idea.id])
    _, score, inputs = rows[0]
    shares = (await repository.demand_by_segment(session, ctx.workspace.id, [idea.id], settings.weights)).get(
        idea.id, {}
    )
    demand = score.demand if score else 0.0
    w = settings.weights
    demand_lines = [
        BreakdownLine(
            "Importance weights",
            ", ".join(f"{Importance(k).label} x{v:g}" for k, v in w.importance.items()),
            "A vote without an importance counts x1.",
        ),
        BreakdownLine(
            "Segment weights",
            ", ".join(f"{k} x{v:g}" for k, v in w.segments.items()) or "none (every segment x1)",
        ),
        BreakdownLine(
            "Revenue factor",
            f"1 + {w.revenue_weight:g} * log2(1 + revenue / ${w.revenue_reference_cents / 100:,.0f})",
            "1 when the monthly revenue is unknown.",
        ),
    ]
    priority_lines: list[BreakdownLine] = []
    values: dict[str, Any] = {}
    if inputs is not None:
        values = {
            "impact": inputs.impact,
            "confidence": None if inputs.confidence is None else round(inputs.confidence * 100, 2),
            "effort": inputs.effort,
            "factors": dict(inputs.factors or {}),
        }
    if settings.priority_method == "rice":
        priority_lines = [
            BreakdownLine("Reach (demand)", f"{demand:.2f}"),
            BreakdownLine("Impact", "not set" if not inputs or inputs.impact is None else f"{inputs.impact:g}"),
            BreakdownLine(
                "Confidence",
                "not set" if not inputs or inputs.confidence is None else f"{inputs.confidence * 100:g} %",
            ),
            BreakdownLine(
                "Effort", "not set" if not inputs or inputs.effort is None else f"{inputs.effort:g} person-months"
            ),
        ]
    else:
        scores = (inputs.factors if inputs else None) or {}
        for f in settings.factors:
            shown = f"{scores[f.key]:g} / 10" if f.key in scores else "not scored"
            priority_lines.append(BreakdownLine(f.name, shown, f"weight {f.weight:g}"))
    return ScoreBreakdown(
        idea_id=idea.id,
        votes=idea.vote_count,
        downvotes=score.downvotes if score else 0,
        demand=demand,
        confidence=score.confidence if score else 0.0,
        priority=score.priority if score else None,
        priority_method=settings.priority_method,
        pairwise_score=score.pairwise_score if score else None,
        pairwise_comparisons=score.pairwise_comparisons if score else 0,
        demand_lines=demand_lines,
        priority_lines=priority_lines,
        segments={(k or "No segment"): v for k, v in sorted(shares.items(), key=lambda kv: -kv[1])},
        inputs=values,
        factors=settings.factors,
    )


def trending_point(at: datetime, half_life_hours: float) -> float:
    """Re-exported from ideas/trending.py: the log-weight one event at `at` adds to the trending score."""
    return trending.point(at, half_life_hours)


# The staff ranking view


@dataclass
class RankedRow:
    idea: Idea
    board: Any
    score: IdeaScore | None

    @property
    def demand(self) -> float:
        return self.score.demand if self.score else 0.0

    @property
    def confidence(self) -> float:
        return self.score.confidence if self.score else 0.0

    @property
    def priority(self) -> float | None:
        return self.score.priority if self.score else None

    @property
    def pairwise(self) -> float | None:
        return self.score.pairwise_score if self.score else None

    @property
    def downvotes(self) -> int:
        return self.score.downvotes if self.score else 0


@dataclass
class RankedPage:
    rows: list[RankedRow]
    next_cursor: str | None
    ranking: str


PAGE_MAX = 100


def _sort_value(row: RankedRow, ranking: str) -> float | int | None:
    idea, score = row.idea, row.score
    return {
        "top": idea.vote_count,
        "new": None,
        "trending": idea.trending_score,
        "confidence": score.confidence if score else 0.0,
        "demand": score.demand if score else 0.0,
        "priority": score.priority if score and score.priority is not None else -1.0,
        "pairwise": score.pairwise_score if score and score.pairwise_score is not None else -1.0,
    }[ranking]


async def ranked_ideas(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    ranking: str = "top",
    board_slug: str | None = None,
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> RankedPage:
    """Ideas of the workspace ranked by any of RANKINGS, for staff: keyset-paginated, two queries a page."""
    from sqlalchemy import select, tuple_

    from ideaflow.boards import repository as board_repository
    from ideaflow.boards.models import Board
    from ideaflow.kit.pagination import decode_cursor, encode_cursor

    workspace_service.require_staff(ctx)
    if not 1 <= limit <= PAGE_MAX:
        raise Invalid.field("limit", f"must be between 1 and {PAGE_MAX}")
    expression = ranking_expression(ranking)
    after = decode_cursor(cursor, types=(int,) if expression is None else (float, int))
    if after and not all(abs(v) < 2**63 for v in after):
        raise Invalid.field("cursor", "is not a cursor this server issued")
    stmt = (
        select(Idea, Board, IdeaScore)
        .join(Board, Board.id == Idea.board_id)
        .outerjoin(IdeaScore, IdeaScore.idea_id == Idea.id)
        .where(Idea.workspace_id == ctx.workspace.id, listed())
    )
    if board_slug:
        board = await board_repository.get_by_slug(session, ctx.workspace.id, board_slug)
        if board is None:
            raise Invalid.field("board", "no such board")
        stmt = stmt.where(Idea.board_id == board.id)
    if status:
        stmt = stmt.where(Idea.status == status)
    if after:
        if expression is None:
            stmt = stmt.where(Idea.id < after[0])
        else:
            stmt = stmt.where(tuple_(expression, Idea.id) < tuple_(after[0], after[1]))
    stmt = stmt.order_by(Idea.id.desc()) if expression is None else stmt.order_by(expression.desc(), Idea.id.desc())
    stmt = stmt.limit(limit + 1).execution_options(populate_existing=True)
    found = [RankedRow(i, b, s) for i, b, s in await session.execute(stmt)]
    next_cursor = None
    if len(found) > limit:
        last = found[limit - 1]
        value = _sort_value(last, ranking)
        next_cursor = encode_cursor([last.idea.id] if value is None else [value, last.idea.id])
    return RankedPage(rows=found[:limit], next_cursor=next_cursor, ranking=ranking)


async def find_customer(session: AsyncSession, key: str, *, workspace_id: int) -> Any:
    """The user a customer key (user id or email) names, if they belong to the workspace (a member or a voter):
    staff of one workspace learn nothing about accounts elsewhere."""
    user = await repository.user_by_id_or_email(session, key)
    if user is None or not await repository.known_in_workspace(session, workspace_id, user.id):
        raise NotFound("No such customer in this workspace: they need to have joined or voted here.")
    return user
