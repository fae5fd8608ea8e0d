"""Ranking services: the public contract, demand kept current by votes and customer attributes, settings
changes that recompute, priority and its breakdown."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaflow.errors import Forbidden, Invalid
from ideaflow.ideas.models import Idea
from ideaflow.outbox.models import OutboxEvent
from ideaflow.ranking import scoring
from ideaflow.ranking import service as ranking_service
from ideaflow.ranking.service import IdeaScores
from ideaflow.votes.models import Vote
from tests.factories import add_member, context, default_board, make_idea, make_user, make_workspace, owner_context
from tests.ranking.helpers import customer, enable, stored, unvote, vote


async def _settings(session, workspace, **overrides):
    values = dict(
        half_life_hours=None,
        importance_weights={"nice_to_have": 1, "important": 2, "critical": 4},
        segment_weights={"enterprise": 3},
        revenue_weight=0.5,
        revenue_reference_cents=100_000,
        priority_method="rice",
        scorecard=[],
    )
    values.update(overrides)
    return await ranking_service.update_settings(session, await owner_context(session, workspace), **values)


async def test_score_ideas_reports_votes_voters_demand_priority_and_top_segments(session):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    await enable(session, workspace, board, importance_enabled=True)
    await _settings(session, workspace)
    idea = await make_idea(session, workspace)
    quiet = await make_idea(session, workspace)
    await vote(
        session,
        workspace,
        idea,
        await customer(session, workspace, segment="enterprise", revenue=3000),
        importance="critical",
    )  # 4 x 3 x 2 = 24
    await vote(session, workspace, idea, await make_user(session))  # 1
    await vote(
        session,
        workspace,
        idea,
        await customer(session, workspace, segment="smb", revenue=1000),
        importance="important",
    )  # 2 x 1 x 1.5 = 3

    scores = await ranking_service.score_ideas(session, workspace_id=workspace.id, idea_ids=[idea.id, quiet.id])

    assert scores[idea.id] == IdeaScores(
        idea_id=idea.id,
        votes=3,
        voters=3,
        demand=pytest.approx(28.0),
        priority=None,
        top_segments=("enterprise", "smb"),
    )
    assert scores[quiet.id] == IdeaScores(quiet.id, 0, 0, 0.0, None, ())


async def test_score_ideas_ignores_ideas_of_other_workspaces_and_uses_constant_queries(session, engine):
    from sqlalchemy import event

    workspace, other = await make_workspace(session), await make_workspace(session)
    mine = [await make_idea(session, workspace) for _ in range(6)]
    theirs = await make_idea(session, other)
    for idea in mine:
        await vote(session, workspace, idea, await make_user(session))
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        scores = await ranking_service.score_ideas(
            session, workspace_id=workspace.id, idea_ids=[i.id for i in mine] + [theirs.id]
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert set(scores) == {i.id for i in mine}
    assert len(statements) <= 5


async def test_apply_ranking_orders_by_each_ranking_with_ties_by_newest(session):
    workspace = await make_workspace(session)
    a, b, c = [await make_idea(session, workspace) for _ in range(3)]
    for _ in range(2):
        await vote(session, workspace, a, await make_user(session))
    await vote(session, workspace, c, await make_user(session))
    ranked = {}
    for ranking in ranking_service.RANKINGS:
        stmt = ranking_service.apply_ranking(select(Idea.id).where(Idea.workspace_id == workspace.id), ranking)
        ranked[ranking] = list(await session.scalars(stmt))
    assert ranked["top"] == [a.id, c.id, b.id]
    assert ranked["new"] == [c.id, b.id, a.id]
    assert ranked["demand"] == [a.id, c.id, b.id]
    assert ranked["confidence"] == [a.id, c.id, b.id]
    assert ranked["priority"] == [c.id, b.id, a.id]  # nobody set a priority: ties, newest first
    with pytest.raises(Invalid):
        ranking_service.apply_ranking(select(Idea.id), "loudest")


async def test_demand_follows_votes_in_the_same_transaction(session):
    workspace = await make_workspace(session)
    await _settings(session, workspace)
    idea = await make_idea(session, workspace)
    big = await customer(session, workspace, segment="enterprise", revenue=3000)  # 3 x 2 = 6
    await vote(session, workspace, idea, big)
    assert (await stored(session, idea)).demand == pytest.approx(6.0)
    await vote(session, workspace, idea, await make_user(session))
    assert (await stored(session, idea)).demand == pytest.approx(7.0)
    await unvote(session, workspace, idea, big)
    assert (await stored(session, idea)).demand == pytest.approx(1.0)


async def test_a_customers_new_attributes_recompute_the_ideas_they_voted_for(session):
    workspace = await make_workspace(session)
    await _settings(session, workspace)
    ideas = [await make_idea(session, workspace) for _ in range(3)]
    person = await make_user(session)
    for idea in ideas[:2]:
        await vote(session, workspace, idea, person)
    await ranking_service.record_customer_attributes(
        session,
        workspace_id=workspace.id,
        user_id=person.id,
        segment="enterprise",
        monthly_revenue="1,000",
        company_name="Initech",
        company_external_id="crm-42",
        source="csv",
    )
    assert [(await stored(session, i)).demand for i in ideas[:2]] == [pytest.approx(4.5)] * 2  # 3 x 1.5
    assert await stored(session, ideas[2]) is None


async def test_bad_customer_attributes_name_the_field(session):
    workspace = await make_workspace(session)
    user = await make_user(session)
    with pytest.raises(Invalid) as error:
        await ranking_service.record_customer_attributes(
            session,
            workspace_id=workspace.id,
            user_id=user.id,
            segment="x",
            monthly_revenue="lots",
            company_name=None,
            company_external_id=None,
            source="api",
        )
    assert error.value.fields == {"monthly_revenue": "must be an amount such as 1200 or 1200.50"}


async def test_changing_weights_recomputes_every_stored_demand(session):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    await enable(session, workspace, board, importance_enabled=True)
    idea = await make_idea(session, workspace)
    await vote(session, workspace, idea, await make_user(session), importance="critical")
    assert (await stored(session, idea)).demand == pytest.approx(4.0)
    await _settings(session, workspace, importance_weights={"nice_to_have": 1, "important": 1, "critical": 10})
    assert (await stored(session, idea)).demand == pytest.approx(10.0)


async def test_changing_the_half_life_recomputes_stored_trending_scores(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    await vote(session, workspace, idea, voter)
    await _settings(session, workspace, half_life_hours=24)
    fresh = await session.get(Idea, idea.id, populate_existing=True)
    from ideaflow.votes.models import Vote

    cast_at = await session.scalar(select(Vote.created_at).where(Vote.idea_id == idea.id))
    assert fresh.trending_score == pytest.approx(scoring.trending_score([fresh.created_at, cast_at], 24))
    assert (await ranking_service.trending_half_life(session, workspace.id)) == 24


async def test_large_workspaces_finish_the_recompute_in_the_background(session, monkeypatch):
    monkeypatch.setattr(ranking_service, "INLINE_RECOMPUTE_LIMIT", 2)
    monkeypatch.setattr(ranking_service, "RECOMPUTE_BATCH", 2)
    workspace = await make_workspace(session)
    ideas = [await make_idea(session, workspace) for _ in range(5)]
    await _settings(session, workspace)
    events = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "ranking.recompute_requested")))
    assert [e.payload for e in events] == [{"workspace_id": workspace.id, "after_id": ideas[1].id, "trending": False}]
    cursor, count = await ranking_service.recompute_batch(
        session, workspace_id=workspace.id, after_id=ideas[1].id, trending=False, limit=2
    )
    assert (cursor, count) == (ideas[3].id, 2)


async def test_rice_priority_uses_demand_as_reach_and_the_breakdown_explains_it(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    for _ in range(5):
        await vote(session, workspace, idea, await make_user(session))
    ctx = await owner_context(session, workspace)
    await ranking_service.set_priority_inputs(session, ctx, idea=idea, impact=2, confidence=80, effort=4)
    assert (await stored(session, idea)).priority == pytest.approx(5 * 2 * 0.8 / 4)
    await vote(session, workspace, idea, await make_user(session))  # reach grows, priority follows
    assert (await stored(session, idea)).priority == pytest.approx(6 * 2 * 0.8 / 4)
    breakdown = await ranking_service.breakdown(session, ctx, idea=idea)
    assert [(line.label, line.value) for line in breakdown.priority_lines] == [
        ("Reach (demand)", "6.00"),
        ("Impact", "2"),
        ("Confidence", "80 %"),
        ("Effort", "4 person-months"),
    ]


async def test_scorecard_priority(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    await _settings(
        session,
        workspace,
        priority_method="scorecard",
        scorecard=[{"name": "Customer value", "weight": 3}, {"name": "Strategic fit", "weight": 1}],
    )
    ctx = await owner_context(session, workspace)
    await ranking_service.set_priority_inputs(
        session, ctx, idea=idea, factors={"customer_value": 8, "strategic_fit": 4}
    )
    assert (await stored(session, idea)).priority == pytest.approx(7.0)
    with pytest.raises(Invalid) as error:
        await ranking_service.set_priority_inputs(session, ctx, idea=idea, factors={"luck": 3})
    assert "factors.luck" in error.value.fields


async def test_members_cannot_set_priority_or_weights(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    member = await make_user(session)
    await add_member(session, workspace, member)
    ctx = await context(session, workspace, member)
    with pytest.raises(Forbidden):
        await ranking_service.set_priority_inputs(session, ctx, idea=idea, impact=1, confidence=50, effort=1)
    with pytest.raises(Forbidden):
        await ranking_service.update_settings(
            session,
            ctx,
            half_life_hours=None,
            importance_weights={},
            segment_weights={},
            revenue_weight=0.5,
            revenue_reference_cents=100_000,
            priority_method="rice",
            scorecard=[],
        )


async def test_a_scorecard_ranking_needs_factors(session):
    workspace = await make_workspace(session)
    with pytest.raises(Invalid) as error:
        await _settings(session, workspace, priority_method="scorecard", scorecard=[])
    assert "scorecard" in error.value.fields


async def test_a_new_idea_starts_with_the_workspace_half_life_its_votes_use(session):
    workspace = await make_workspace(session)
    await _settings(session, workspace, half_life_hours=24)
    idea = await make_idea(session, workspace)
    assert idea.trending_score == pytest.approx(scoring.trending_score([idea.created_at], 24))
    voter = await make_user(session)
    await vote(session, workspace, idea, voter)
    cast_at = await session.scalar(select(Vote.created_at).where(Vote.idea_id == idea.id))
    fresh = await session.get(Idea, idea.id, populate_existing=True)
    assert fresh.trending_score == pytest.approx(scoring.trending_score([idea.created_at, cast_at], 24))
