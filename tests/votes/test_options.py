"""Importance and votes against: chosen per vote on boards that ask for them, counters exact, events honest."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaflow.errors import Invalid
from ideaflow.ideas.models import Idea
from ideaflow.outbox.models import OutboxEvent
from ideaflow.votes.models import Vote
from tests.factories import default_board, make_idea, make_user, make_workspace
from tests.ranking.helpers import enable, stored, unvote, vote


async def _events(session, idea) -> list[tuple[str, int | None, str | None]]:
    rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.type.like("vote.%")).order_by(OutboxEvent.id))
    return [
        (e.type, e.payload.get("value"), e.payload.get("importance")) for e in rows if e.payload["idea_id"] == idea.id
    ]


async def _fresh(session, idea) -> Idea:
    return await session.get(Idea, idea.id, populate_existing=True)


async def test_importance_is_refused_on_boards_that_do_not_ask_for_it(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    with pytest.raises(Invalid) as error:
        await vote(session, workspace, idea, await make_user(session), importance="critical")
    assert error.value.fields == {"importance": "is not asked for on this board"}
    with pytest.raises(Invalid) as error:
        await vote(session, workspace, idea, await make_user(session), value=-1)
    assert error.value.fields == {"value": "votes against are not allowed on this board"}


async def test_choosing_the_same_importance_again_changes_nothing_and_a_new_one_changes_the_vote(session):
    workspace = await make_workspace(session)
    await enable(session, workspace, await default_board(session, workspace), importance_enabled=True)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)

    first = await vote(session, workspace, idea, voter, importance="important")
    again = await vote(session, workspace, idea, voter, importance="important")
    plain = await vote(session, workspace, idea, voter)  # no importance given: keeps the chosen one
    changed = await vote(session, workspace, idea, voter, importance="critical")

    assert (first.changed, again.changed, plain.changed, changed.changed) == (True, False, False, True)
    assert plain.importance == "important" and changed.importance == "critical"
    assert (await _fresh(session, idea)).vote_count == 1
    assert (await stored(session, idea)).demand == pytest.approx(4.0)
    assert await _events(session, idea) == [("vote.cast", 1, "important"), ("vote.changed", 1, "critical")]


async def test_votes_against_keep_the_counter_exact_and_feed_confidence(session):
    workspace = await make_workspace(session)
    await enable(session, workspace, await default_board(session, workspace), downvotes_enabled=True)
    idea = await make_idea(session, workspace)
    fan, critic = await make_user(session), await make_user(session)
    created_score = (await _fresh(session, idea)).trending_score

    await vote(session, workspace, idea, fan)
    await vote(session, workspace, idea, critic, value=-1)
    fresh = await _fresh(session, idea)
    score = await stored(session, idea)
    assert (fresh.vote_count, score.downvotes, score.demand) == (1, 1, 1.0)
    assert score.confidence == pytest.approx(0.0945, abs=1e-4)  # Wilson(1 up, 1 down)

    # The fan turns against it: the counter drops, the trending score returns to the idea's own weight.
    turned = await vote(session, workspace, idea, fan, value=-1)
    fresh = await _fresh(session, idea)
    assert (turned.changed, turned.voted, fresh.vote_count) == (True, False, 0)
    assert fresh.trending_score == pytest.approx(created_score)
    assert (await stored(session, idea)).downvotes == 2

    # And back again, then withdraws: everything returns to where it started.
    await vote(session, workspace, idea, fan, value=1)
    assert (await _fresh(session, idea)).vote_count == 1
    await unvote(session, workspace, idea, fan)
    await unvote(session, workspace, idea, critic)
    fresh = await _fresh(session, idea)
    score = await stored(session, idea)
    assert (fresh.vote_count, score.downvotes, score.demand, score.confidence) == (0, 0, 0.0, 0.0)
    assert fresh.trending_score == pytest.approx(created_score)
    rows = list(await session.scalars(select(Vote).where(Vote.idea_id == idea.id)))
    assert rows == []


async def test_a_vote_against_does_not_press_the_vote_button(session):
    from ideaflow.votes import repository

    workspace = await make_workspace(session)
    await enable(session, workspace, await default_board(session, workspace), downvotes_enabled=True)
    idea = await make_idea(session, workspace)
    critic = await make_user(session)
    await vote(session, workspace, idea, critic, value=-1)
    assert await repository.voted_idea_ids(session, workspace.id, critic.id, [idea.id]) == set()
