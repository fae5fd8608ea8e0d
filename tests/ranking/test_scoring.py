"""The scoring formulas: worked examples computed by hand, and properties that must hold for any input."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ideaflow.ideas import trending
from ideaflow.ranking import bradley_terry, scoring
from ideaflow.ranking.scoring import DemandWeights, Factor, RiceInputs, Voter

EPOCH = trending.EPOCH


# Worked examples


def test_wilson_of_one_up_vote_is_one_over_one_plus_z_squared():
    # n = 1, p = 1: (1 + z²/2 - z·sqrt(z²/4)) / (1 + z²) = 1 / (1 + 3.8414588) = 0.2065493
    assert scoring.wilson_lower_bound(1, 0) == pytest.approx(0.2065493, abs=1e-7)


def test_wilson_of_five_up_and_five_down():
    # p = 0.5, n = 10: centre 0.5 + 3.8414588/20 = 0.6920729; margin 1.959964·sqrt(0.025 + 0.0096036) = 0.3645919;
    # (0.6920729 - 0.3645919) / 1.3841459 = 0.2365931
    assert scoring.wilson_lower_bound(5, 5) == pytest.approx(0.2365931, abs=1e-6)


def test_wilson_prefers_ninety_of_a_hundred_to_nine_of_ten():
    assert scoring.wilson_lower_bound(90, 10) > scoring.wilson_lower_bound(9, 1)
    assert scoring.wilson_lower_bound(0, 0) == 0.0


def test_demand_weighs_importance_segment_and_revenue():
    weights = DemandWeights(importance=dict(scoring.DEFAULT_IMPORTANCE_WEIGHTS), segments={"enterprise": 3.0})
    voters = [
        Voter("critical", "enterprise", 300_000),  # 4 x 3 x (1 + 0.5·log2(1 + 3000/1000)) = 12 x 2 = 24
        Voter(),  # nothing known: 1
        Voter("important", "smb", 100_000),  # 2 x 1 x (1 + 0.5·log2(2)) = 3
    ]
    assert scoring.demand(voters, weights) == pytest.approx(28.0)
    shares = scoring.demand_by_segment(voters, weights)
    assert shares == pytest.approx({"enterprise": 24.0, None: 1.0, "smb": 3.0})
    assert scoring.top_segments(shares) == ("enterprise", "smb")


def test_with_default_weights_and_nothing_known_demand_is_the_vote_count():
    assert scoring.demand([Voter()] * 7, DemandWeights.default()) == 7


def test_rice_is_reach_times_impact_times_confidence_over_effort():
    # 28 x 2 x 0.8 / 4 = 11.2
    assert scoring.rice(28.0, RiceInputs(impact=2.0, confidence=0.8, effort=4.0)) == pytest.approx(11.2)
    assert scoring.rice(28.0, RiceInputs(impact=2.0, confidence=None, effort=4.0)) is None


def test_scorecard_is_the_weighted_mean_of_factor_scores():
    factors = (Factor("value", "Customer value", 3.0), Factor("strategy", "Strategic fit", 1.0))
    # (3 x 8 + 1 x 4) / (3 + 1) = 7
    assert scoring.scorecard(factors, {"value": 8, "strategy": 4}) == pytest.approx(7.0)
    assert scoring.scorecard(factors, {"value": 8}) is None


def test_trending_score_of_two_events_one_half_life_apart_is_ln_three():
    # τ = h/ln 2, so the second event's point is ln 2: log(e^0 + e^ln 2) = ln 3. At that moment the weights are
    # 1/2 (creation, one half-life old) + 1 (the vote) = 1.5.
    later = EPOCH + timedelta(hours=72)
    assert scoring.trending_score([EPOCH, later], 72) == pytest.approx(math.log(3))
    assert scoring.trending_weight([EPOCH, later], later, 72) == pytest.approx(1.5)


def test_bradley_terry_two_ideas_two_wins_to_one():
    # Without a prior the MLE has p_a / p_b = 2; scaled to a geometric mean of 1: √2 and 1/√2; P(a beats b) = 2/3.
    result = bradley_terry.fit([1, 2], bradley_terry.tally([(1, 2, "left", 2), (2, 1, "left", 1)]), prior=0.0)
    assert result.converged
    assert result.strengths[1] == pytest.approx(math.sqrt(2), rel=1e-5)
    assert result.strengths[2] == pytest.approx(1 / math.sqrt(2), rel=1e-5)
    assert bradley_terry.scores(result.strengths)[1] == pytest.approx(2 / 3, rel=1e-5)
    assert result.appearances == {1: 3, 2: 3}


def test_a_tie_counts_half_a_win_for_each_side():
    assert bradley_terry.tally([(3, 1, "tie", 2), (1, 3, "right", 1)]) == {(1, 3): [1.0, 2.0]}


# Properties

counts = st.integers(min_value=0, max_value=10_000)
voters = st.builds(
    Voter,
    st.sampled_from([None, "nice_to_have", "important", "critical"]),
    st.sampled_from([None, "enterprise", "smb", "startup"]),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
)
weights = st.builds(
    DemandWeights,
    importance=st.fixed_dictionaries({k: st.floats(0, 100) for k in ("nice_to_have", "important", "critical")}),
    segments=st.dictionaries(st.sampled_from(["enterprise", "smb", "startup"]), st.floats(0, 100)),
    revenue_weight=st.floats(0, 10),
    revenue_reference_cents=st.integers(1, 10**9),
)


@given(up=counts, down=counts)
def test_one_more_up_vote_never_lowers_confidence_and_a_down_vote_never_raises_it(up, down):
    score = scoring.wilson_lower_bound(up, down)
    assert 0.0 <= score <= (up / (up + down) if up + down else 0.0) + 1e-12
    assert scoring.wilson_lower_bound(up + 1, down) >= score - 1e-12
    assert scoring.wilson_lower_bound(up, down + 1) <= score + 1e-12


@given(st.lists(voters, max_size=30), voters, weights)
def test_one_more_vote_never_lowers_demand(existing, newcomer, w):
    assert scoring.demand([*existing, newcomer], w) >= scoring.demand(existing, w)


@given(st.floats(0, 1e6), st.floats(0, 1e6), st.sampled_from(scoring.RICE_IMPACTS), st.floats(0.01, 1))
def test_more_reach_never_lowers_rice(reach, extra, impact, confidence):
    inputs = RiceInputs(impact=impact, confidence=confidence, effort=2.0)
    assert scoring.rice(reach + extra, inputs) >= scoring.rice(reach, inputs)


# Within ten half-lives of each other: beyond that the older weights round away in float (see ideas/trending.py).
TEN_HALF_LIVES = 10 * 72 * 3600


@given(st.lists(st.integers(0, TEN_HALF_LIVES), max_size=20), st.integers(0, TEN_HALF_LIVES))
def test_one_more_vote_never_lowers_trending_and_withdrawing_it_restores_the_score(offsets, vote_offset):
    created = EPOCH
    times = [created, *(created + timedelta(seconds=s) for s in offsets)]
    before = scoring.trending_score(times, 72)
    x = trending.point(created + timedelta(seconds=vote_offset), 72)
    after = trending.add(before, x)
    assert after >= before
    restored = trending.remove(after, x, trending.point(created, 72))
    assert restored == pytest.approx(before, abs=1e-6)


results = st.lists(
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.sampled_from(["left", "right", "tie"]), st.integers(1, 3)),
    min_size=1,
    max_size=25,
)


@given(results, st.integers(1, 5), st.integers(1, 5))
def test_one_more_win_never_lowers_an_ideas_bradley_terry_score(rows, winner, loser):
    if winner == loser:
        return
    ids = [1, 2, 3, 4, 5]
    before = bradley_terry.scores(bradley_terry.fit(ids, bradley_terry.tally(rows), tolerance=1e-10).strengths)
    rows_after = [*rows, (winner, loser, "left", 1)]
    after = bradley_terry.scores(bradley_terry.fit(ids, bradley_terry.tally(rows_after), tolerance=1e-10).strengths)
    assert after[winner] >= before[winner] - 1e-6
    assert after[loser] <= before[loser] + 1e-6
