"""Backlog files: CSV, JSON and Jira CSV with the right columns and rows in ranking order, streamed a batch at a
time with a fixed number of queries per batch, safe for spreadsheets, and scoped to the workspace."""

from __future__ import annotations

import csv
import io
import itertools
import json
import uuid

from sqlalchemy import event

from ideaflow.backlog import export
from ideaflow.backlog.export import ExportFormat, ExportRequest
from ideaflow.backlog.models import LinkState, TrackerLink
from ideaflow.backlog.service import BacklogFilter
from ideaflow.ideas import service as idea_service
from ideaflow.votes import service as vote_service
from tests.backlog.conftest import connect
from tests.factories import context, make_idea, make_token, make_user, make_workspace, owner_context


async def _workspace_with_votes(session, votes: list[int]):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    ideas = []
    for n, count in enumerate(votes):
        idea = await make_idea(session, workspace, title=f"Idea {n}")
        for _ in range(count):
            ctx = await context(session, workspace, await make_user(session))
            await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
        ideas.append(idea)
    return owner, workspace, ideas


async def test_csv_export_has_every_column_in_ranking_order(session, client):
    owner, workspace, ideas = await _workspace_with_votes(session, [1, 3, 0, 2])
    connection = await connect(session, workspace, "github", "https://api.github.com", name="Roadmap")
    session.add(
        TrackerLink(
            workspace_id=workspace.id,
            idea_id=ideas[1].id,
            connection_id=connection.id,
            link_state=LinkState.linked,
            marker=str(uuid.uuid4()),
            external_id="7",
            external_key="#7",
            url="https://github.com/acme/roadmap/issues/7",
            state="open",
        )
    )
    await make_idea(session, await make_workspace(session), title="Someone else's idea")
    await session.flush()
    response = await client.get(
        f"/api/v1/{workspace.slug}/backlog/export.csv",
        params={"ranking": "top"},
        headers=await make_token(session, owner),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["x-total-count"] == "4"
    assert f'filename="{workspace.slug}-backlog.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(export.COLUMNS)
    assert [(r["title"], r["votes"], r["voters"]) for r in rows] == [
        ("Idea 1", "3", "3"),
        ("Idea 3", "2", "2"),
        ("Idea 0", "1", "1"),
        ("Idea 2", "0", "0"),
    ]
    assert rows[0]["url"] == f"http://testserver/{workspace.slug}/ideas/{ideas[1].number}"
    assert rows[0]["tracker_items"] == "Roadmap #7 (open)"
    assert rows[0]["status"] == "open" and rows[0]["board"]
    assert float(rows[0]["demand"]) >= 0


async def test_json_and_jira_csv_exports(session, client):
    owner, workspace, ideas = await _workspace_with_votes(session, [2, 1])
    headers = await make_token(session, owner)
    data = (await client.get(f"/api/v1/{workspace.slug}/backlog/export.json", headers=headers)).json()
    assert data["workspace"] == workspace.slug and data["columns"] == list(export.COLUMNS)
    assert [(i["title"], i["votes"], i["tracker_items"]) for i in data["ideas"]] == [
        ("Idea 0", 2, []),
        ("Idea 1", 1, []),
    ]
    assert isinstance(data["ideas"][0]["top_segments"], list)

    jira = await client.get(f"/api/v1/{workspace.slug}/backlog/export.jira.csv", params={"limit": 1}, headers=headers)
    assert jira.headers["x-total-count"] == "1"
    lines = list(csv.reader(io.StringIO(jira.text)))
    assert lines[0] == ["Summary", "Issue Type", "Description", "Labels", "Labels", "Labels"]
    assert len(lines) == 2
    summary, issue_type, description, *labels = lines[1]
    assert (summary, issue_type) == ("Idea 0", "Task")
    assert "2 votes from 2 voters" in description and f"/ideas/{ideas[0].number}" in description
    assert labels == ["ideaflow", f"ideaflow-{workspace.slug}", "idea-status-open"]
    assert all(" " not in label for label in labels)


async def test_spreadsheet_formulas_in_titles_are_neutralised(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    await make_idea(session, workspace, title='=HYPERLINK("https://evil.example","click")')
    response = await client.get(
        f"/api/v1/{workspace.slug}/backlog/export.csv", headers=await make_token(session, owner)
    )
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    assert row["title"].startswith("'=HYPERLINK")


async def test_export_streams_in_batches_with_a_fixed_number_of_queries_each(database, session):
    _, workspace, _ = await _workspace_with_votes(session, [0] * 7)
    ctx = await owner_context(session, workspace)
    request = ExportRequest(filter=BacklogFilter(ranking="new"))
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    batches: list[int] = []
    per_batch: list[int] = []

    def on_batch(size: int) -> None:
        batches.append(size)
        per_batch.append(len(statements))

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        chunks = [
            c async for c in export.render(ExportFormat.csv, database, ctx, request, batch_size=3, on_batch=on_batch)
        ]
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert batches == [3, 3, 1]
    # The header, then one chunk per batch: nothing waits for the whole result.
    assert len(chunks) == 4 and chunks[0].startswith("number,title")
    steps = [b - a for a, b in itertools.pairwise(per_batch)]
    assert steps[0] == steps[1], statements  # each batch costs the same queries, whatever came before
    assert sum(len(c.splitlines()) for c in chunks) == 8


async def test_export_rejects_an_unknown_ranking_and_bad_limits(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    headers = await make_token(session, owner)
    bad = await client.get(f"/api/v1/{workspace.slug}/backlog/export.csv", params={"ranking": "x"}, headers=headers)
    assert bad.status_code == 422 and "ranking" in bad.json()["fields"]
    bad = await client.get(f"/api/v1/{workspace.slug}/backlog/export.csv", params={"limit": 0}, headers=headers)
    assert bad.status_code == 422 and "limit" in bad.json()["fields"]


async def test_export_filters_by_board_and_status(session, client):
    from tests.factories import make_board

    owner, workspace, _ = await _workspace_with_votes(session, [1])
    board = await make_board(session, workspace, slug="mobile", name="Mobile")
    await make_idea(session, workspace, board=board, title="Offline mode")
    headers = await make_token(session, owner)
    response = await client.get(
        f"/api/v1/{workspace.slug}/backlog/export.json", params={"board": "mobile"}, headers=headers
    )
    assert [i["title"] for i in response.json()["ideas"]] == ["Offline mode"]
    response = await client.get(
        f"/api/v1/{workspace.slug}/backlog/export.json", params={"status": "shipped"}, headers=headers
    )
    assert response.json()["ideas"] == []
    assert json.loads(response.text)["ranking"] == "top"
