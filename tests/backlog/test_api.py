"""The backlog API: who may do what, connections whose token is encrypted at rest and never returned, the
ranked backlog, push requests written to the outbox, and workspace isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from ideaflow.backlog import service
from ideaflow.backlog.models import TrackerConnection
from ideaflow.outbox.models import OutboxEvent
from ideaflow.workspaces.models import Role
from tests.backlog.conftest import connect
from tests.factories import add_member, make_idea, make_token, make_user, make_workspace

SECRET_TOKEN = "ghp_topsecretvalue123456789"


@pytest.fixture
async def setup(session):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    people = {"owner": owner}
    for role in (Role.admin, Role.staff, Role.member):
        user = await make_user(session)
        await add_member(session, workspace, user, role)
        people[role.value] = user
    other_workspace = await make_workspace(session)
    outsider = await make_user(session)
    await add_member(session, other_workspace, outsider, Role.staff)
    people["other_staff"] = outsider
    headers = {name: await make_token(session, user) for name, user in people.items()}
    headers["anonymous"] = {}
    connection = await connect(session, workspace, "github", "https://api.github.com", token=SECRET_TOKEN)
    return workspace, headers, connection


STAFF_READS = ["/api/v1/{ws}/backlog", "/api/v1/{ws}/backlog/export.csv", "/api/v1/{ws}/trackers"]


@pytest.mark.parametrize("path", STAFF_READS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("member", 403), ("other_staff", 403), ("staff", 200), ("admin", 200), ("owner", 200)],
)
async def test_staff_reads_by_role(client, setup, path, who, expected):
    workspace, headers, _ = setup
    response = await client.get(path.format(ws=workspace.slug), headers=headers[who])
    assert response.status_code == expected, response.text


@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("staff", 403), ("admin", 201), ("owner", 201)])
async def test_only_admins_connect_trackers(client, setup, who, expected):
    workspace, headers, _ = setup
    body = {"kind": "linear", "name": f"Linear {who}", "base_url": "https://api.linear.app", "target": "team-1"}
    response = await client.post(
        f"/api/v1/{workspace.slug}/trackers", json={**body, "token": "lin_api_x1"}, headers=headers[who]
    )
    assert response.status_code == expected, response.text


async def test_the_token_is_encrypted_at_rest_and_never_returned(session, client, setup):
    workspace, headers, connection = setup
    listed = (await client.get(f"/api/v1/{workspace.slug}/trackers", headers=headers["admin"])).json()
    assert listed[0]["token"] == "set (…6789)"
    assert SECRET_TOKEN not in str(listed)
    raw = (
        await session.execute(
            text("SELECT token_encrypted, webhook_secret_encrypted FROM tracker_connections WHERE id = :id"),
            {"id": connection.id},
        )
    ).one()
    assert SECRET_TOKEN not in raw[0] and raw[0].startswith("v1:")
    assert service.webhook_secret_of(connection) not in raw[1]
    assert service.token_of(connection) == SECRET_TOKEN


async def test_a_ciphertext_moved_to_another_workspace_does_not_decrypt(session):
    from ideaflow.backlog.crypto import DecryptionFailed

    workspace = await make_workspace(session)
    mine = await connect(session, workspace, "github", "https://api.github.com", token=SECRET_TOKEN)
    theirs = await connect(session, await make_workspace(session), "github", "https://api.github.com")
    theirs.token_encrypted = mine.token_encrypted
    with pytest.raises(DecryptionFailed):
        service.token_of(theirs)


async def test_invalid_connection_input_names_the_field(client, setup):
    workspace, headers, _ = setup
    url = f"/api/v1/{workspace.slug}/trackers"
    base = {
        "kind": "github",
        "name": "Repo",
        "base_url": "https://api.github.com",
        "target": "acme/roadmap",
        "token": "t0k",
    }
    cases = [
        ({"target": "not a repo"}, "target"),
        ({"base_url": "http://tracker.example.com"}, "base_url"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"kind": "jira", "target": "PROD"}, "account"),
        ({"name": "Github"}, "name"),  # the name of the connection the fixture made
        ({"status_mapping": {"closed": "no_such_status"}}, "mapping"),
    ]
    for change, field in cases:
        response = await client.post(url, json={**base, **change}, headers=headers["admin"])
        assert response.status_code in (409, 422), (change, response.text)
        assert field in response.json()["fields"], (change, response.json())


async def test_updating_keeps_the_token_unless_a_new_one_is_given(session, client, setup):
    workspace, headers, connection = setup
    url = f"/api/v1/{workspace.slug}/trackers/{connection.id}"
    response = await client.patch(
        url, json={"name": "Roadmap", "status_mapping": {"closed": "planned"}}, headers=headers["admin"]
    )
    assert response.status_code == 200, response.text
    assert response.json()["status_mapping"] == {"closed": "planned"}
    assert service.token_of(connection) == SECRET_TOKEN
    response = await client.patch(url, json={"token": "ghp_rotatedtoken0000"}, headers=headers["admin"])
    assert response.json()["token"] == "set (…0000)"
    assert (await client.patch(url, json={"name": "x"}, headers=headers["staff"])).status_code == 403


async def test_push_writes_one_outbox_event_per_idea(session, client, setup):
    workspace, headers, connection = setup
    ideas = [await make_idea(session, workspace) for _ in range(3)]
    response = await client.post(
        f"/api/v1/{workspace.slug}/backlog/push",
        json={"connection_id": connection.id, "idea_ids": [ideas[0].id, ideas[2].id, ideas[0].id]},
        headers=headers["staff"],
    )
    assert response.status_code == 202 and response.json() == {"queued": 2}
    events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "backlog.push_requested"))).all()
    assert sorted(e.payload["idea_id"] for e in events) == sorted([ideas[0].id, ideas[2].id])
    assert {e.payload["connection_id"] for e in events} == {connection.id}


async def test_push_top_n_by_ranking(session, client, setup):
    workspace, headers, connection = setup
    ideas = [await make_idea(session, workspace) for _ in range(4)]
    response = await client.post(
        f"/api/v1/{workspace.slug}/backlog/push",
        json={"connection_id": connection.id, "top": {"ranking": "new", "limit": 2}},
        headers=headers["staff"],
    )
    assert response.json() == {"queued": 2}
    events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "backlog.push_requested"))).all()
    assert sorted(e.payload["idea_id"] for e in events) == sorted([ideas[3].id, ideas[2].id])


async def test_push_refuses_ideas_and_connections_of_other_workspaces(session, client, setup):
    workspace, headers, connection = setup
    foreign_workspace = await make_workspace(session)
    foreign_idea = await make_idea(session, foreign_workspace)
    foreign_connection = await connect(session, foreign_workspace, "github", "https://api.github.com")
    url = f"/api/v1/{workspace.slug}/backlog/push"
    mine = await make_idea(session, workspace)
    response = await client.post(
        url, json={"connection_id": connection.id, "idea_ids": [foreign_idea.id]}, headers=headers["staff"]
    )
    assert response.status_code == 422 and "idea_ids" in response.json()["fields"]
    response = await client.post(
        url, json={"connection_id": foreign_connection.id, "idea_ids": [mine.id]}, headers=headers["staff"]
    )
    assert response.status_code == 404
    assert (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "backlog.push_requested"))).all() == []


async def test_push_needs_ids_or_top_but_not_both(client, setup):
    workspace, headers, connection = setup
    url = f"/api/v1/{workspace.slug}/backlog/push"
    for body in (
        {"connection_id": connection.id},
        {"connection_id": connection.id, "idea_ids": [1], "top": {"limit": 1}},
    ):
        response = await client.post(url, json=body, headers=headers["staff"])
        assert response.status_code == 422 and "idea_ids" in response.json()["fields"]


async def test_backlog_lists_ranked_ideas_with_scores_and_tracker_items(session, client, setup):
    workspace, headers, _ = setup
    first = await make_idea(session, workspace, title="Dark mode")
    second = await make_idea(session, workspace, title="SSO")
    response = await client.get(
        f"/api/v1/{workspace.slug}/backlog", params={"ranking": "new"}, headers=headers["staff"]
    )
    items = response.json()
    assert [i["number"] for i in items] == [second.number, first.number]
    assert set(items[0]) >= {"votes", "voters", "demand", "priority", "top_segments", "tracker_items", "url"}
    bad = await client.get(f"/api/v1/{workspace.slug}/backlog", params={"ranking": "loudest"}, headers=headers["staff"])
    assert bad.status_code == 422 and "ranking" in bad.json()["fields"]


async def test_deleting_a_connection_removes_it(session, client, setup):
    workspace, headers, connection = setup
    response = await client.delete(f"/api/v1/{workspace.slug}/trackers/{connection.id}", headers=headers["admin"])
    assert response.status_code == 204
    remaining = await session.scalars(select(TrackerConnection.id).where(TrackerConnection.id == connection.id))
    assert remaining.all() == []
