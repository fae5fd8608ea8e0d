"""The scoring formulas, as pure functions: top, trending, confidence (Wilson), demand, RICE and scorecards.

Each stored score has a matching SQL ordering in `ranking.service.apply_ranking`; these functions are the
definitions the stored values are checked against.

- top:        votes (the number of +1 votes)                         ORDER BY ideas.vote_count DESC, id DESC
- new:        creation order                                        ORDER BY ideas.id DESC
- trending:   log(Σ exp(t_i / τ)) over creation and votes, τ = half-life / ln 2 (see ideas/trending.py)
                                                                    ORDER BY ideas.trending_score DESC, id DESC
- confidence: Wilson lower bound of the share of +1 among ±1 votes  ORDER BY idea_scores.confidence DESC, id DESC
- demand:     Σ over +1 votes of w(importance) · w(segment) · f(monthly revenue)
                                                                    ORDER BY idea_scores.demand DESC, id DESC
- priority:   RICE = reach · impact · confidence / effort (reach = demand), or a weighted scorecard
                                                                    ORDER BY idea_scores.priority DESC NULLS LAST
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ideaflow.ideas import trending as _trending

Z_95 = 1.959963984540054  # the two-sided 95% normal quantile

DEFAULT_IMPORTANCE_WEIGHTS: dict[str, float] = {"nice_to_have": 1.0, "important": 2.0, "critical": 4.0}
DEFAULT_REVENUE_WEIGHT = 0.5
DEFAULT_REVENUE_REFERENCE_CENTS = 100_000  # $1,000 a month


def top(votes: int) -> int:
    """Top is the number of votes for the idea."""
    return votes


def trending_score(event_times: Iterable[datetime], half_life_hours: float) -> float:
    """The stored trending score of an idea whose creation and votes happened at `event_times`:
    log(Σ exp(t_i / τ)). Built from the same `add` the vote transaction uses."""
    times = list(event_times)
    if not times:
        raise ValueError("an idea has at least its creation time")
    score = _trending.point(times[0], half_life_hours)
    for at in times[1:]:
        score = _trending.add(score, _trending.point(at, half_life_hours))
    return score


def trending_weight(event_times: Iterable[datetime], now: datetime, half_life_hours: float) -> float:
    """The human reading of trending: Σ 2^(-age_i / half-life). Ordering ideas by it at any `now` is the same
    as ordering them by `trending_score`, which does not change with time."""
    return sum(2 ** -((now - at).total_seconds() / 3600 / half_life_hours) for at in event_times)


def wilson_lower_bound(up: int, down: int, z: float = Z_95) -> float:
    """The lower end of the Wilson score interval for the share of up-votes:

        (p̂ + z²/2n - z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n),  p̂ = up/n, n = up + down

    0 with no votes. It rewards certainty: 90 up / 10 down outranks 9 up / 1 down."""
    if up < 0 or down < 0:
        raise ValueError("vote counts are never negative")
    n = up + down
    if n == 0:
        return 0.0
    p = up / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z2 / n))


@dataclass(frozen=True)
class DemandWeights:
    """Per-workspace weights. Defaults make demand equal the vote count when nothing is known about voters."""

    importance: Mapping[str, float]
    segments: Mapping[str, float]
    revenue_weight: float = DEFAULT_REVENUE_WEIGHT
    revenue_reference_cents: int = DEFAULT_REVENUE_REFERENCE_CENTS

    @classmethod
    def default(cls) -> DemandWeights:
        return cls(importance=dict(DEFAULT_IMPORTANCE_WEIGHTS), segments={})

    def importance_weight(self, importance: str | None) -> float:
        return 1.0 if importance is None else float(self.importance.get(importance, 1.0))

    def segment_weight(self, segment: str | None) -> float:
        return 1.0 if segment is None else float(self.segments.get(segment, 1.0))

    def revenue_factor(self, monthly_revenue_cents: int | None) -> float:
        """f(r) = 1 + w · log2(1 + r / reference): 1 for unknown or zero revenue, +w per doubling past it."""
        if not monthly_revenue_cents or monthly_revenue_cents <= 0:
            return 1.0
        return 1.0 + self.revenue_weight * math.log2(1 + monthly_revenue_cents / self.revenue_reference_cents)


@dataclass(frozen=True)
class Voter:
    importance: str | None = None
    segment: str | None = None
    monthly_revenue_cents: int | None = None


def vote_weight(voter: Voter, weights: DemandWeights) -> float:
    return (
        weights.importance_weight(voter.importance)
        * weights.segment_weight(voter.segment)
        * weights.revenue_factor(voter.monthly_revenue_cents)
    )


def demand(voters: Iterable[Voter], weights: DemandWeights) -> float:
    """Demand = Σ over the idea's current +1 votes of w(importance) * w(segment) * f(monthly revenue)."""
    return sum(vote_weight(v, weights) for v in voters)


def demand_by_segment(voters: Iterable[Voter], weights: DemandWeights) -> dict[str | None, float]:
    shares: dict[str | None, float] = {}
    for v in voters:
        shares[v.segment] = shares.get(v.segment, 0.0) + vote_weight(v, weights)
    return shares


def top_segments(shares: Mapping[str | None, float], limit: int = 3) -> tuple[str, ...]:
    """The named segments with the largest share of demand, largest first (ties by name)."""
    named = [(s, d) for s, d in shares.items() if s and d > 0]
    named.sort(key=lambda item: (-item[1], item[0]))
    return tuple(s for s, _ in named[:limit])


# Priority


RICE_IMPACTS = (0.25, 0.5, 1.0, 2.0, 3.0)  # minimal, low, medium, high, massive (Intercom's scale)


@dataclass(frozen=True)
class RiceInputs:
    impact: float | None
    confidence: float | None  # 0-1
    effort: float | None  # person-months, > 0


def rice(reach: float, inputs: RiceInputs) -> float | None:
    """RICE = reach * impact * confidence / effort; None until staff set impact, confidence and effort."""
    if inputs.impact is None or inputs.confidence is None or inputs.effort is None:
        return None
    if inputs.effort <= 0:
        raise ValueError("effort must be positive")
    return reach * inputs.impact * inputs.confidence / inputs.effort


@dataclass(frozen=True)
class Factor:
    key: str
    name: str
    weight: float


def scorecard(factors: Sequence[Factor], scores: Mapping[str, float]) -> float | None:
    """Σ weight_f * score_f / Σ weight_f over the factors, each score 0-10, so the result is 0-10 as well.
    None until every factor with a non-zero weight has a score."""
    total_weight = sum(f.weight for f in factors)
    if not factors or total_weight <= 0:
        return None
    if any(f.weight and f.key not in scores for f in factors):
        return None
    return sum(f.weight * float(scores.get(f.key, 0.0)) for f in factors) / total_weight
