"""Pushing ideas to GitHub, Jira and Linear stand-ins that validate every request against the trackers' official
schemas: the first push creates an item, a second push updates it, and no push ever creates a duplicate, even
after a crash between the tracker's create and our link write."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from ideaflow.backlog import handlers
from ideaflow.backlog.models import LinkState, TrackerLink
from ideaflow.backlog.trackers.base import TrackerError
from ideaflow.ideas import service as idea_service
from ideaflow.votes import service as vote_service
from tests.factories import context, make_idea, make_user


async def _voted_idea(session, workspace, *, votes: int, title: str = "Export to CSV", body: str = ""):
    idea = await make_idea(session, workspace, title=title, body=body)
    for _ in range(votes):
        ctx = await context(session, workspace, await make_user(session))
        await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    return idea


async def _push(database, trackers, idea, connection):
    return await handlers.push_idea(
        database, workspace_id=trackers.workspace.id, idea_id=idea.id, connection_id=connection.id
    )


async def _link(session, connection, idea) -> TrackerLink:
    stmt = select(TrackerLink).where(TrackerLink.connection_id == connection.id, TrackerLink.idea_id == idea.id)
    return (await session.scalars(stmt.execution_options(populate_existing=True))).one()


async def test_github_issue_is_created_then_updated_never_duplicated(database, session, trackers, github):
    idea = await _voted_idea(session, trackers.workspace, votes=3, body="We need **CSV** files.\n\n- with votes")
    created = await _push(database, trackers, idea, trackers.github)
    assert github.violations == []
    assert [c[0] for c in github.calls] == ["create"]
    issue = github.items["1"]
    assert issue["title"] == "Export to CSV"
    assert f"/{trackers.workspace.slug}/ideas/{idea.number}" in issue["body"]
    assert "3 votes from 3 voters" in issue["body"]
    assert [label["name"] for label in issue["labels"]] == ["ideaflow"]
    link = await _link(session, trackers.github, idea)
    assert (link.link_state, link.external_id, link.external_key, link.state) == (LinkState.linked, "1", "#1", "open")
    assert link.url == created.url == "https://github.com/acme/roadmap/issues/1"

    idea.title = "Export ideas to CSV"
    await session.flush()
    await _push(database, trackers, idea, trackers.github)
    assert github.violations == []
    assert [c[0] for c in github.calls] == ["create", "update"]
    assert len(github.items) == 1 and github.items["1"]["title"] == "Export ideas to CSV"


async def test_jira_issue_uses_adf_and_is_updated_on_second_push(database, session, trackers, jira):
    idea = await _voted_idea(session, trackers.workspace, votes=2, body="See https://example.com/spec for details.")
    item = await _push(database, trackers, idea, trackers.jira)
    assert jira.violations == []
    assert item.key == "PROD-1" and item.url == f"{jira.base_url}/browse/PROD-1"
    fields = jira.items[item.external_id]["fields"]
    assert fields["issuetype"] == {"name": "Task"} and fields["project"] == {"key": "PROD"}
    assert fields["description"]["type"] == "doc"
    links = [
        mark["attrs"]["href"]
        for block in fields["description"]["content"]
        for node in block.get("content", [])
        for mark in node.get("marks", [])
        if mark["type"] == "link"
    ]
    assert "https://example.com/spec" in links
    assert any(href.endswith(f"/ideas/{idea.number}") for href in links)
    link = await _link(session, trackers.jira, idea)
    assert f"ideaflow-{link.marker}" in fields["labels"]

    await _push(database, trackers, idea, trackers.jira)
    assert jira.violations == []
    assert [c[0] for c in jira.calls] == ["create", "update"]
    assert len(jira.items) == 1
    assert (await _link(session, trackers.jira, idea)).state == "To Do"


async def test_linear_issue_is_created_with_our_id_and_updated(database, session, trackers, linear):
    idea = await _voted_idea(session, trackers.workspace, votes=1)
    item = await _push(database, trackers, idea, trackers.linear)
    assert linear.violations == []
    link = await _link(session, trackers.linear, idea)
    assert item.external_id == link.marker == link.external_id
    assert (item.key, item.state) == ("ENG-1", "Backlog")
    assert "1 vote from 1 voter" in linear.items[link.marker]["description"]

    await _push(database, trackers, idea, trackers.linear)
    assert linear.violations == []
    assert [c[0] for c in linear.calls] == ["issueCreate", "issueUpdate"]
    assert len(linear.items) == 1


@pytest.mark.parametrize("kind", ["github", "jira", "linear"])
async def test_a_crash_after_the_remote_create_adopts_the_item_instead_of_duplicating(
    database, session, trackers, kind, github, jira, linear
):
    server = {"github": github, "jira": jira, "linear": linear}[kind]
    connection = getattr(trackers, kind)
    idea = await _voted_idea(session, trackers.workspace, votes=1)
    await _push(database, trackers, idea, connection)
    # As if the worker died after the tracker answered and before the link was completed.
    await session.execute(
        update(TrackerLink)
        .where(TrackerLink.connection_id == connection.id)
        .values(link_state=LinkState.creating, external_id=None, external_key="", url="")
    )
    await session.flush()

    await _push(database, trackers, idea, connection)
    assert server.violations == []
    assert len(server.items) == 1
    link = await _link(session, connection, idea)
    assert link.link_state == LinkState.linked and link.external_id is not None
    assert server.calls[0][0] == {"github": "create", "jira": "create", "linear": "issueCreate"}[kind]
    assert {"github": "list", "jira": "search", "linear": "issue"}[kind] in [c[0] for c in server.calls]


async def test_a_claim_left_before_any_remote_call_creates_the_item_once(database, session, trackers, github):
    idea = await _voted_idea(session, trackers.workspace, votes=1)
    session.add(
        TrackerLink(
            workspace_id=trackers.workspace.id,
            idea_id=idea.id,
            connection_id=trackers.github.id,
            link_state=LinkState.creating,
            marker="5f0c7a4e-2d53-4b1a-9d7e-0b6f3f0a1c2d",
        )
    )
    await session.flush()
    await _push(database, trackers, idea, trackers.github)
    await _push(database, trackers, idea, trackers.github)
    assert [c[0] for c in github.calls] == ["list", "create", "update"]
    assert len(github.items) == 1


async def test_a_wrong_token_fails_the_push_and_leaves_the_link_creating(database, session, github):
    from tests.backlog.conftest import connect
    from tests.factories import make_workspace

    workspace = await make_workspace(session)
    connection = await connect(session, workspace, "github", github.base_url, token="ghp_wrongtoken00000")
    idea = await make_idea(session, workspace)
    with pytest.raises(TrackerError, match="HTTP 401"):
        await handlers.push_idea(database, workspace_id=workspace.id, idea_id=idea.id, connection_id=connection.id)
    assert github.items == {}
    assert (await _link(session, connection, idea)).link_state == LinkState.creating


async def test_the_stand_ins_refuse_requests_that_break_the_official_schemas(github, jira, linear):
    import httpx

    async with httpx.AsyncClient() as http:
        bad_github = await http.post(
            f"{github.base_url}/repos/acme/roadmap/issues",
            json={"body": "no title"},
            headers={"Authorization": f"Bearer {github.token}"},
        )
        bad_jira = await http.post(
            f"{jira.base_url}/rest/api/3/issue",
            json={
                "fields": {
                    "project": {"key": "PROD"},
                    "summary": "x",
                    "issuetype": {"name": "Task"},
                    "description": "plain",
                }
            },
            auth=(jira.email, jira.token),
        )
        bad_linear = await http.post(
            f"{linear.base_url}/graphql",
            json={
                "query": "mutation M($input: IssueCreateInput!) { issueCreate(input: $input) { success } }",
                "variables": {"input": {"title": "no team"}},
            },
            headers={"Authorization": linear.token},
        )
    assert (bad_github.status_code, bad_jira.status_code, bad_linear.status_code) == (422, 422, 422)
    assert github.violations and jira.violations and linear.violations
    assert github.items == jira.items == linear.items == {}
