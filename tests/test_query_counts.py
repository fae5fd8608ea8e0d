"""The pages people load most cost a fixed number of SQL statements, however many ideas a workspace has:
no query per idea for its author, board or the viewer's vote."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlalchemy.engine.default import CacheStats

from ideaflow.ideas import service as idea_service
from ideaflow.votes import service as vote_service
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, context, default_board, make_token, make_user, make_workspace


@contextmanager
def counting(database, uncached: list[str] | None = None):
    """The SQL statements sent while inside; `uncached` collects those SQLAlchemy had to compile afresh."""
    statements: list[str] = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)
        transaction = statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK"))
        if uncached is not None and not transaction and context.cache_hit != CacheStats.CACHE_HIT:
            uncached.append(f"{context.cache_hit.name}: {statement}")

    event.listen(database.engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", before_cursor_execute)


async def _workspace_with_ideas(session, *, ideas: int, viewer):
    """A workspace with `ideas` ideas by one author; the viewer has voted for every third one."""
    author = await make_user(session)
    workspace = await make_workspace(session, owner=author)
    board = await default_board(session, workspace)
    author_ctx = await context(session, workspace, author)
    created = [
        await idea_service.create_idea(session, author_ctx, board=board, title=f"Idea {n}", body=f"Details {n}")
        for n in range(ideas)
    ]
    viewer_ctx = await context(session, workspace, viewer)
    for idea in created[::3]:
        await vote_service.add_vote(session, viewer_ctx, await idea_service.get_idea(session, viewer_ctx, idea.number))
    return workspace


async def _statements(database, client, url: str, headers=None) -> list[str]:
    warm = await client.get(url, headers=headers)  # first use of a token records it; measure the steady state
    assert warm.status_code == 200, warm.text
    uncached: list[str] = []
    with counting(database, uncached) as statements:
        response = await client.get(url, headers=headers)
    assert response.status_code == 200
    assert uncached == [], "\n".join(uncached)  # the second request compiles nothing afresh
    return statements


@pytest.fixture
async def small_and_large(session):
    viewer = await make_user(session)
    small = await _workspace_with_ideas(session, ideas=10, viewer=viewer)
    large = await _workspace_with_ideas(session, ideas=200, viewer=viewer)
    return viewer, small, large


@pytest.mark.parametrize("page", ["/{ws}", "/{ws}/boards/feature-requests"], ids=["portal", "board"])
async def test_html_list_pages_cost_the_same_queries_for_10_and_200_ideas(
    database, session, client, small_and_large, page
):
    viewer, small, large = small_and_large
    await web_sign_in(client, viewer.email, PASSWORD)
    few = await _statements(database, client, page.format(ws=small.slug))
    many = await _statements(database, client, page.format(ws=large.slug))
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 12, "\n".join(many)
    newest = (await client.get(page.format(ws=large.slug), params={"sort": "new"})).text
    assert newest.count('aria-pressed="true"') == 7  # of ideas 200..181, the viewer voted for 199, 196, ..., 181


async def test_idea_list_api_costs_the_same_queries_for_10_and_200_ideas(database, session, client, small_and_large):
    viewer, small, large = small_and_large
    headers = await make_token(session, viewer)
    few = await _statements(database, client, f"/api/v1/{small.slug}/ideas?sort=new", headers)
    many = await _statements(database, client, f"/api/v1/{large.slug}/ideas?sort=new", headers)
    many_top = await _statements(database, client, f"/api/v1/{large.slug}/ideas?sort=top&limit=100", headers)
    assert len(few) == len(many) == len(many_top), "\n".join(many_top)
    assert len(many) <= 10, "\n".join(many)
    page = (await client.get(f"/api/v1/{large.slug}/ideas?sort=new&limit=100", headers=headers)).json()
    assert sum(item["voted"] for item in page["items"]) == 33  # 199, 196, ..., 103


async def test_a_vote_costs_a_fixed_set_of_statements_and_reads_ranking_settings_once(database, session, client):
    """A vote by API token: who, where, the idea, the ranking settings (once, for the trending half-life and the
    stored scores), the vote row, the counters, the scores (one aggregate, one upsert) and the outbox row; after
    the first vote, every one of them comes compiled from the statement cache."""
    viewer = await make_user(session)
    workspace = await _workspace_with_ideas(session, ideas=3, viewer=viewer)
    auth = await make_token(session, viewer)
    await session.commit()
    url = f"/api/v1/{workspace.slug}/ideas/2/vote"
    warm = await client.get(f"/api/v1/{workspace.slug}/ideas", headers=auth)  # the token's first use is recorded
    assert warm.status_code == 200
    first = await client.put(f"/api/v1/{workspace.slug}/ideas/3/vote", headers=auth, json={})
    assert first.status_code == 200, first.text
    assert (await client.delete(f"/api/v1/{workspace.slug}/ideas/3/vote", headers=auth)).status_code in (200, 204)
    uncached: list[str] = []
    with counting(database, uncached) as cast:
        response = await client.put(url, headers=auth, json={})
    assert response.status_code == 200, response.text
    assert response.json()["voted"] is True
    with counting(database, uncached) as withdrawn:
        response = await client.delete(url, headers=auth)
    assert response.status_code in (200, 204), response.text
    assert uncached == [], "\n".join(uncached)
    for statements in (cast, withdrawn):
        sql = [s for s in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]
        assert sum("workspace_ranking_settings" in s for s in sql) == 1, "\n".join(sql)
        assert sum("idea_scores" in s for s in sql) == 1, "\n".join(sql)
        assert len(sql) <= 9, "\n".join(sql)
