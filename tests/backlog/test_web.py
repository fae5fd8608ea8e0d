"""The staff backlog page and the tracker settings page: roles, filters as htmx fragments, pushing selected
or top ideas with forms that work without JavaScript, connection forms with inline errors, testing a connection."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from ideaflow.backlog.models import LinkState, TrackerConnection, TrackerLink
from ideaflow.outbox.models import OutboxEvent
from ideaflow.workspaces.models import Role
from tests.backlog.conftest import GITHUB_TOKEN, connect
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, make_idea, make_token, make_user, make_workspace
from tests.test_query_counts import counting


@pytest.fixture
async def place(session):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    people = {"owner": owner}
    for role in (Role.staff, Role.member):
        user = await make_user(session)
        await add_member(session, workspace, user, role)
        people[role.value] = user
    outsider = await make_user(session)
    await add_member(session, await make_workspace(session), outsider, Role.admin)
    people["other_admin"] = outsider
    ideas = [await make_idea(session, workspace, title=t) for t in ("Slack alerts", "CSV import", "Dark mode")]
    return workspace, people, ideas


@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("other_admin", 403), ("staff", 200), ("owner", 200)])
async def test_backlog_page_by_role(client, place, who, expected):
    workspace, people, _ = place
    await web_sign_in(client, people[who].email, PASSWORD)
    response = await client.get(f"/{workspace.slug}/admin/backlog")
    assert response.status_code == expected


async def test_anonymous_visitors_are_sent_to_sign_in(client, place):
    workspace, _, _ = place
    response = await client.get(f"/{workspace.slug}/admin/backlog")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


async def test_backlog_lists_ideas_and_filters_as_a_fragment(client, place):
    workspace, people, _ = place
    await web_sign_in(client, people["staff"].email, PASSWORD)
    page = (await client.get(f"/{workspace.slug}/admin/backlog", params={"ranking": "new"})).text
    assert page.index(">Dark mode</a>") < page.index(">CSV import</a>") < page.index(">Slack alerts</a>")
    assert "3</strong> ideas match" in page
    assert f"/{workspace.slug}/admin/backlog/export.jira.csv?ranking=new" in page
    fragment = await client.get(
        f"/{workspace.slug}/admin/backlog",
        params={"ranking": "top", "status": "shipped"},
        headers={"HX-Request": "true", "HX-Target": "backlog-table"},
    )
    assert "<html" not in fragment.text and 'id="backlog-table"' in fragment.text
    assert "No ideas match these filters" in fragment.text


async def test_push_selected_and_top_ideas_with_plain_forms(session, client, place):
    workspace, people, ideas = place
    connection = await connect(session, workspace, "github", "https://api.github.com")
    await web_sign_in(client, people["staff"].email, PASSWORD)
    page = (await client.get(f"/{workspace.slug}/admin/backlog")).text
    token = csrf_from(page)
    response = await client.post(
        f"/{workspace.slug}/admin/backlog/push",
        data={
            "csrf_token": token,
            "connection_id": connection.id,
            "idea_id": [ideas[0].id, ideas[2].id],
            "view_ranking": "new",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/{workspace.slug}/admin/backlog?ranking=new&queued=2"
    assert "Queued 2 ideas" in (await client.get(response.headers["location"])).text
    response = await client.post(
        f"/{workspace.slug}/admin/backlog/push",
        data={"csrf_token": token, "connection_id": connection.id, "mode": "top", "ranking": "new", "limit": "1"},
    )
    assert response.status_code == 303
    events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "backlog.push_requested"))).all()
    assert sorted(e.payload["idea_id"] for e in events) == sorted([ideas[0].id, ideas[2].id, ideas[2].id])


async def test_pushing_nothing_explains_why(session, client, place):
    workspace, people, _ = place
    connection = await connect(session, workspace, "github", "https://api.github.com")
    await web_sign_in(client, people["staff"].email, PASSWORD)
    token = csrf_from((await client.get(f"/{workspace.slug}/admin/backlog")).text)
    response = await client.post(
        f"/{workspace.slug}/admin/backlog/push", data={"csrf_token": token, "connection_id": connection.id}
    )
    assert response.status_code == 422
    assert "select at least one idea" in response.text


async def test_push_form_needs_the_csrf_token(session, client, place):
    workspace, people, ideas = place
    connection = await connect(session, workspace, "github", "https://api.github.com")
    await web_sign_in(client, people["staff"].email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/admin/backlog/push", data={"connection_id": connection.id, "idea_id": ideas[0].id}
    )
    assert response.status_code == 403


async def test_web_csv_export_with_the_browser_session(client, place):
    workspace, people, _ = place
    await web_sign_in(client, people["staff"].email, PASSWORD)
    response = await client.get(f"/{workspace.slug}/admin/backlog/export.csv", params={"ranking": "new"})
    assert response.status_code == 200 and response.headers["x-total-count"] == "3"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["title"] for r in rows] == ["Dark mode", "CSV import", "Slack alerts"]


async def test_admins_connect_a_tracker_and_the_token_never_shows(session, client, place):
    workspace, people, _ = place
    await web_sign_in(client, people["owner"].email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/settings/trackers")
    assert page.status_code == 200 and "Connect a tracker" in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "kind": "github",
        "name": "Roadmap",
        "base_url": "https://api.github.com",
        "target": "acme/roadmap",
        "token": "ghp_secretvalue_abcd",
    }
    response = await client.post(f"/{workspace.slug}/settings/trackers", data=form)
    assert response.status_code == 303
    page = (await client.get(f"/{workspace.slug}/settings/trackers")).text
    assert "ghp_secretvalue_abcd" not in page and "set (…abcd)" in page
    connection = (
        await session.scalars(select(TrackerConnection).where(TrackerConnection.workspace_id == workspace.id))
    ).one()
    assert f"/api/v1/{workspace.slug}/trackers/{connection.id}/webhook" in page
    assert connection.status_mapping == {
        "closed:completed": "shipped",
        "closed:not_planned": "declined",
        "closed": "shipped",
    }


async def test_a_bad_connection_form_is_shown_again_with_the_reason(client, place):
    workspace, people, _ = place
    await web_sign_in(client, people["owner"].email, PASSWORD)
    token = csrf_from((await client.get(f"/{workspace.slug}/settings/trackers")).text)
    form = {
        "csrf_token": token,
        "kind": "jira",
        "name": "Product",
        "base_url": "https://acme.atlassian.net",
        "target": "lowercase",
        "token": "ATATT-secret-value",
    }
    response = await client.post(f"/{workspace.slug}/settings/trackers", data=form)
    assert response.status_code == 422
    assert "is the project key in capitals" in response.text
    assert 'value="Product"' in response.text
    assert "ATATT-secret-value" not in response.text


async def test_staff_who_are_not_admins_cannot_manage_trackers(client, place):
    workspace, people, _ = place
    await web_sign_in(client, people["staff"].email, PASSWORD)
    assert (await client.get(f"/{workspace.slug}/settings/trackers")).status_code == 403


async def test_testing_a_connection_calls_the_tracker(session, client, place, github):
    workspace, people, _ = place
    good = await connect(session, workspace, "github", github.base_url, name="Good")
    bad = await connect(session, workspace, "github", github.base_url, name="Bad", token="ghp_wrong_token_1")
    await web_sign_in(client, people["owner"].email, PASSWORD)
    token = csrf_from((await client.get(f"/{workspace.slug}/settings/trackers")).text)
    ok = await client.post(f"/{workspace.slug}/settings/trackers/{good.id}/test", data={"csrf_token": token})
    assert "Good works: reached acme/roadmap." in ok.text
    refused = await client.post(f"/{workspace.slug}/settings/trackers/{bad.id}/test", data={"csrf_token": token})
    assert "Bad did not answer as expected" in refused.text and "401" in refused.text
    assert GITHUB_TOKEN not in ok.text and "ghp_wrong_token_1" not in refused.text


async def test_backlog_page_and_api_cost_the_same_queries_for_few_and_many_ideas(database, session, client):
    staff = await make_user(session)
    counts = {}
    for size in (3, 30):
        workspace = await make_workspace(session, owner=staff)
        connection = await connect(session, workspace, "github", "https://api.github.com")
        for n in range(size):
            idea = await make_idea(session, workspace, title=f"Idea {n}")
            if n % 2:
                session.add(
                    TrackerLink(
                        workspace_id=workspace.id,
                        idea_id=idea.id,
                        connection_id=connection.id,
                        link_state=LinkState.linked,
                        marker=f"m-{workspace.id}-{n}",
                        external_id=str(n),
                        external_key=f"#{n}",
                        url=f"https://github.com/acme/roadmap/issues/{n}",
                        state="open",
                    )
                )
        await session.flush()
        counts[size] = workspace
    await web_sign_in(client, staff.email, PASSWORD)
    headers = await make_token(session, staff)
    for url, hdrs in (("/{ws}/admin/backlog", {}), ("/api/v1/{ws}/backlog", headers)):
        measured = []
        for workspace in counts.values():
            await client.get(url.format(ws=workspace.slug), headers=hdrs)
            with counting(database) as statements:
                response = await client.get(url.format(ws=workspace.slug), headers=hdrs)
            assert response.status_code == 200
            measured.append(len(statements))
        assert measured[0] == measured[1], (url, measured)
