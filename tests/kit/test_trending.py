"""The trending score: worked examples by hand, and properties that must hold for any votes."""

from __future__ import annotations

import math
from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from ideaflow.ideas import trending

HALF_LIFE = 72.0  # hours


def test_one_half_life_later_a_vote_weighs_twice_as_much():
    t0 = trending.EPOCH + timedelta(days=100)
    x0 = trending.point(t0, HALF_LIFE)
    x1 = trending.point(t0 + timedelta(hours=HALF_LIFE), HALF_LIFE)
    # exp(x1) / exp(x0) == 2 exactly when the events are one half-life apart.
    assert math.isclose(x1 - x0, math.log(2), rel_tol=1e-12)


def test_two_votes_at_the_same_moment_add_log_two():
    x = trending.point(trending.EPOCH + timedelta(days=3), HALF_LIFE)
    assert math.isclose(trending.add(x, x), x + math.log(2), rel_tol=1e-12)


def test_an_old_idea_with_three_votes_loses_to_a_new_one_with_one():
    # Old: created and voted on three times at day 0 → weight today (day 15 = 5 half-lives) 4 * 2^-5 = 0.125.
    # New: created today with one vote → weight 2. New must rank higher.
    day0 = trending.EPOCH + timedelta(days=10)
    today = day0 + timedelta(days=15)
    old = trending.point(day0, HALF_LIFE)
    for _ in range(3):
        old = trending.add(old, trending.point(day0, HALF_LIFE))
    new = trending.add(trending.point(today, HALF_LIFE), trending.point(today, HALF_LIFE))
    assert new > old
    assert math.isclose(math.exp(old - new), 0.125 / 2, rel_tol=1e-9)


def test_removing_a_vote_restores_the_previous_score_and_never_drops_below_creation():
    created = trending.point(trending.EPOCH + timedelta(days=1), HALF_LIFE)
    vote = trending.point(trending.EPOCH + timedelta(days=2), HALF_LIFE)
    with_vote = trending.add(created, vote)
    assert math.isclose(trending.remove(with_vote, vote, created), created, rel_tol=1e-12)
    assert trending.remove(created, created, created) == created


@given(
    created=st.floats(min_value=0, max_value=500),
    votes=st.lists(st.floats(min_value=0, max_value=500), max_size=30),
    extra=st.floats(min_value=0, max_value=500),
)
def test_one_more_vote_never_lowers_the_score(created, votes, extra):
    score = created
    for v in votes:
        score = trending.add(score, v)
    assert trending.add(score, extra) >= score


@given(
    created=st.floats(min_value=0, max_value=300),
    offsets=st.lists(st.floats(min_value=0, max_value=20), min_size=1, max_size=20),
)
def test_withdrawing_each_vote_in_turn_returns_to_the_creation_score(created, offsets):
    # Within 20 time constants (about 29 half-lives) of each other, removal is exact to float precision;
    # beyond that an old contribution is below 2**-29 of a new one and rounds away, which no ranking notices.
    votes = [created + o for o in offsets]
    score = created
    for v in votes:
        score = trending.add(score, v)
    for v in votes:
        score = trending.remove(score, v, created)
    assert math.isclose(score, created, rel_tol=1e-6, abs_tol=1e-4)
