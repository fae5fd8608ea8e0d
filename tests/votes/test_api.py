"""Voting through the API: idempotent PUT/DELETE, exact counters, closed and deleted ideas."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import func, select

from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.main import create_app
from ideaflow.votes.models import Vote
from tests.factories import make_idea, make_token, make_user, make_workspace


async def test_put_vote_counts_once_and_delete_removes_it(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    headers = await make_token(session, voter)
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}/vote"

    first = await client.put(url, headers=headers)
    second = await client.put(url, headers=headers)
    assert first.status_code == second.status_code == 200
    expected = {"number": idea.number, "voted": True, "vote_count": 1, "value": 1, "importance": None}
    assert first.json() == second.json() == expected

    listed = (await client.get(f"/api/v1/{workspace.slug}/ideas/{idea.number}", headers=headers)).json()
    assert listed["vote_count"] == 1 and listed["voted"] is True

    removed = await client.delete(url, headers=headers)
    again = await client.delete(url, headers=headers)
    assert removed.json()["vote_count"] == 0 and removed.json()["voted"] is False
    assert again.status_code == 200 and again.json()["vote_count"] == 0


async def test_anonymous_vote_is_refused_with_401(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    response = await client.put(f"/api/v1/{workspace.slug}/ideas/{idea.number}/vote")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


async def test_no_voting_on_closed_or_deleted_ideas(session, client):
    workspace = await make_workspace(session)
    shipped = await make_idea(session, workspace)
    shipped.status, shipped.status_category = IdeaStatus.declined, "closed"
    deleted = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    author_headers = await make_token(session, await make_user(session))
    await session.flush()

    closed = await client.put(f"/api/v1/{workspace.slug}/ideas/{shipped.number}/vote", headers=headers)
    assert closed.status_code == 409
    assert closed.json()["error"] == "voting_closed"

    from ideaflow.db import utcnow

    deleted.deleted_at = utcnow()
    await session.flush()
    gone = await client.put(f"/api/v1/{workspace.slug}/ideas/{deleted.number}/vote", headers=author_headers)
    assert gone.status_code == 404


async def test_trending_score_rises_with_a_vote_and_falls_back_when_it_is_withdrawn(session, client):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    before = await session.scalar(select(Idea.trending_score).where(Idea.id == idea.id))
    await client.put(f"/api/v1/{workspace.slug}/ideas/{idea.number}/vote", headers=headers)
    during = await session.scalar(select(Idea.trending_score).where(Idea.id == idea.id))
    await client.delete(f"/api/v1/{workspace.slug}/ideas/{idea.number}/vote", headers=headers)
    after = await session.scalar(select(Idea.trending_score).where(Idea.id == idea.id))
    assert during > before
    assert abs(after - before) < 1e-9


async def test_a_hundred_concurrent_identical_votes_leave_one_row_and_an_exact_counter(committed_database):
    async with committed_database.write() as session, session.begin():
        workspace = await make_workspace(session)
        idea = await make_idea(session, workspace)
        headers = await make_token(session, await make_user(session))
        slug, number, idea_id = workspace.slug, idea.number, idea.id

    app = create_app(database=committed_database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        url = f"/api/v1/{slug}/ideas/{number}/vote"
        responses = await asyncio.gather(*(client.put(url, headers=headers) for _ in range(100)))
        assert {r.status_code for r in responses} == {200}
        async with committed_database.read() as session:
            rows = await session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id))
            count = await session.scalar(select(Idea.vote_count).where(Idea.id == idea_id))
        assert (rows, count) == (1, 1)

        responses = await asyncio.gather(*(client.delete(url, headers=headers) for _ in range(100)))
        assert {r.status_code for r in responses} == {200}
        async with committed_database.read() as session:
            rows = await session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id))
            count = await session.scalar(select(Idea.vote_count).where(Idea.id == idea_id))
        assert (rows, count) == (0, 0)


async def test_put_with_an_importance_sets_it_and_bad_values_name_the_field(session, client):
    from tests.ranking.helpers import enable

    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    headers = await make_token(session, await make_user(session))
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}/vote"

    refused = await client.put(url, headers=headers, json={"importance": "critical"})
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"importance": "is not asked for on this board"}

    from tests.factories import default_board

    await enable(session, workspace, await default_board(session, workspace), importance_enabled=True)
    chosen = await client.put(url, headers=headers, json={"importance": "critical"})
    assert chosen.json() == {
        "number": idea.number,
        "voted": True,
        "vote_count": 1,
        "value": 1,
        "importance": "critical",
    }
    kept = await client.put(url, headers=headers)
    assert kept.json()["importance"] == "critical"
    bad = await client.put(url, headers=headers, json={"importance": "urgent"})
    assert bad.status_code == 422 and "importance" in str(bad.json()["fields"])
