"""Pairwise voting: pair choice, comparison rules, the background fit, and recovery of known strengths."""

from __future__ import annotations

import math
import random

import pytest
from sqlalchemy import select

from ideaflow.errors import Conflict, Forbidden, Invalid, Unauthorized
from ideaflow.outbox.models import OutboxEvent
from ideaflow.outbox.service import Event
from ideaflow.ranking import bradley_terry, handlers, pairwise
from ideaflow.ranking.models import PairwiseFit
from tests.factories import context, default_board, make_idea, make_user, make_workspace
from tests.ranking.helpers import stored


def kendall_tau(xs: list[float], ys: list[float]) -> float:
    concordant = discordant = 0
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            s = (xs[i] - xs[j]) * (ys[i] - ys[j])
            concordant += s > 0
            discordant += s < 0
    return (concordant - discordant) / (len(xs) * (len(xs) - 1) / 2)


def simulate(strengths: dict[int, float], comparisons: int, rng: random.Random) -> list[tuple[int, int, str, int]]:
    ids = list(strengths)
    rows = []
    for _ in range(comparisons):
        a, b = rng.sample(ids, 2)
        rows.append((a, b, "left" if rng.random() < strengths[a] / (strengths[a] + strengths[b]) else "right", 1))
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_known_strengths_are_recovered_from_two_hundred_appearances_per_idea(seed):
    """50 ideas whose log-strengths are spread like N(0, 1.5^2) and 5,000 comparisons (200 appearances per idea:
    a board with 250 participants answering 20 pairs each): Kendall tau between the true and the recovered order
    is at least 0.9 (0.909-0.948 over seeds 1-10; with 4,000 comparisons it dips to 0.897)."""
    rng = random.Random(seed)
    truth = {i: math.exp(rng.gauss(0, 1.5)) for i in range(1, 51)}
    result = bradley_terry.fit(list(truth), bradley_terry.tally(simulate(truth, 5_000, rng)), tolerance=1e-6)
    assert result.converged
    ids = list(truth)
    assert kendall_tau([truth[i] for i in ids], [result.strengths[i] for i in ids]) >= 0.9
    scores = bradley_terry.scores(result.strengths)
    assert all(0 < s < 1 for s in scores.values())
    assert sum(scores.values()) == pytest.approx(len(ids) / 2)  # every comparison has one winner


def test_a_time_boxed_fit_stops_and_a_warm_start_continues_it():
    rng = random.Random(5)
    truth = {i: math.exp(rng.gauss(0, 1)) for i in range(1, 31)}
    pairs = bradley_terry.tally(simulate(truth, 1_000, rng))
    ticks = iter(range(1000))
    first = bradley_terry.fit(list(truth), pairs, max_seconds=3, clock=lambda: next(ticks))
    assert (first.iterations, first.converged) == (3, False)
    resumed = bradley_terry.fit(list(truth), pairs, start=first.strengths)
    full = bradley_terry.fit(list(truth), pairs)
    assert resumed.converged and resumed.iterations < full.iterations
    assert resumed.strengths == pytest.approx(full.strengths, rel=1e-4)


def test_scores_on_large_boards_use_a_histogram_close_to_the_exact_value():
    rng = random.Random(9)
    strengths = {i: math.exp(rng.gauss(0, 1)) for i in range(1, 1_201)}
    approx = bradley_terry.scores(strengths)
    for i in (1, 600, 1200):
        exact = sum(strengths[i] / (strengths[i] + q) for j, q in strengths.items() if j != i) / 1199
        assert approx[i] == pytest.approx(exact, abs=2e-3)


async def _board_with_ideas(session, n: int):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    ideas = [await make_idea(session, workspace, board=board) for _ in range(n)]
    return workspace, board, ideas


async def test_pairs_favour_the_least_compared_ideas_and_never_the_judges_own(session):
    workspace, board, ideas = await _board_with_ideas(session, 4)
    judge = await make_user(session)
    own = await make_idea(session, workspace, board=board, author=judge)
    ctx = await context(session, workspace, judge)
    # Ideas 0 and 1 have been compared a lot by others.
    other = await context(session, workspace, await make_user(session))
    await pairwise.compare(session, other, board, left_id=ideas[0].id, right_id=ideas[1].id, outcome="left")
    pair = await pairwise.next_pair(session, ctx, board, rng=random.Random(1))
    assert {pair.left.id, pair.right.id} == {ideas[2].id, ideas[3].id}
    seen = set()
    for _ in range(6):
        pair = await pairwise.next_pair(session, ctx, board, rng=random.Random(len(seen)))
        if pair is None:
            break
        assert own.id not in (pair.left.id, pair.right.id)
        key = frozenset((pair.left.id, pair.right.id))
        assert key not in seen
        seen.add(key)
        await pairwise.compare(session, ctx, board, left_id=pair.left.id, right_id=pair.right.id, outcome="tie")
    assert len(seen) == 6  # every pair of the four other ideas, once
    assert await pairwise.next_pair(session, ctx, board) is None


async def test_comparisons_are_checked(session):
    workspace, board, ideas = await _board_with_ideas(session, 3)
    judge = await make_user(session)
    own = await make_idea(session, workspace, board=board, author=judge)
    ctx = await context(session, workspace, judge)
    with pytest.raises(Forbidden):
        await pairwise.compare(session, ctx, board, left_id=own.id, right_id=ideas[0].id, outcome="left")
    with pytest.raises(Invalid) as error:
        await pairwise.compare(session, ctx, board, left_id=ideas[0].id, right_id=ideas[1].id, outcome="both")
    assert error.value.fields == {"outcome": "must be left, right or tie"}
    elsewhere = await make_idea(session, await make_workspace(session))
    with pytest.raises(Invalid) as error:
        await pairwise.compare(session, ctx, board, left_id=ideas[0].id, right_id=elsewhere.id, outcome="left")
    assert error.value.fields == {"right_idea_id": "is not an idea on this board"}
    await pairwise.compare(session, ctx, board, left_id=ideas[0].id, right_id=ideas[1].id, outcome="left")
    with pytest.raises(Conflict):
        await pairwise.compare(session, ctx, board, left_id=ideas[1].id, right_id=ideas[0].id, outcome="right")
    with pytest.raises(Unauthorized):
        await pairwise.next_pair(session, await context(session, workspace, None), board)


async def test_the_background_fit_ranks_the_board_and_coalesces_events(session, database):
    workspace, board, ideas = await _board_with_ideas(session, 3)
    strong, middle, weak = ideas
    for _ in range(4):
        ctx = await context(session, workspace, await make_user(session))
        await pairwise.compare(session, ctx, board, left_id=strong.id, right_id=middle.id, outcome="left")
        await pairwise.compare(session, ctx, board, left_id=weak.id, right_id=middle.id, outcome="right")
        await pairwise.compare(session, ctx, board, left_id=strong.id, right_id=weak.id, outcome="left")
    events = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "pairwise.compared")))
    assert len(events) == 12
    await session.commit()  # the handler works in its own transactions

    first = events[0]
    event = Event(first.id, first.type, first.workspace_id, first.payload, 1, first.created_at)
    await handlers.refit_after_comparison(event, database=database)
    async with database.read() as fresh:
        scores = {i.id: (await stored(fresh, i)) for i in ideas}
        fit = await fresh.get(PairwiseFit, board.id)
    assert scores[strong.id].pairwise_score > scores[middle.id].pairwise_score > scores[weak.id].pairwise_score
    assert [scores[i.id].pairwise_comparisons for i in ideas] == [8, 8, 8]
    assert (fit.comparisons, fit.converged) == (12, True)
    assert fit.through_comparison_id == max(e.payload["comparison_id"] for e in events)
    for e in events:  # every other event of the burst is already covered: no more fits
        assert (
            await pairwise.refit_board(
                database, workspace_id=workspace.id, board_id=board.id, covering=e.payload["comparison_id"]
            )
            is None
        )
    results = await pairwise.results(session, await context(session, workspace, None), board)
    assert [r.idea.id for r in results.rows] == [strong.id, middle.id, weak.id]
