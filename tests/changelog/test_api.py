"""Changelog API: who may write and publish (exact answers per role), what readers see, isolation between
workspaces, and field errors."""

from __future__ import annotations

import pytest

from ideaflow.changelog import service
from tests.changelog.helpers import events, idea_in, make_world
from tests.factories import context, make_token


async def _headers(session, world, who: str) -> dict:
    user = {
        "owner": world.owner,
        "admin": world.admin,
        "staff": world.staff,
        "member": world.member,
        "outsider": world.outsider_staff,
    }.get(who)
    return await make_token(session, user) if user else {}


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 401), ("member", 403), ("outsider", 403), ("staff", 201), ("admin", 201), ("owner", 201)],
)
async def test_only_staff_of_the_workspace_write_entries(session, client, who, expected):
    world = await make_world(session)
    response = await client.post(
        f"/api/v1/{world.workspace.slug}/changelog",
        json={"title": "November release", "body": "Faster *everything*."},
        headers=await _headers(session, world, who),
    )
    assert response.status_code == expected, response.text
    if expected == 201:
        body = response.json()
        assert body["slug"] == "november-release" and body["published"] is False
        assert body["body_html"] == "<p>Faster <em>everything</em>.</p>"
    else:
        assert response.json()["error"] == {401: "unauthorized", 403: "forbidden"}[expected]


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 401), ("member", 403), ("outsider", 403), ("staff", 200), ("admin", 200)]
)
async def test_only_staff_of_the_workspace_publish(session, client, who, expected):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned")
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Release", idea_numbers=[idea.number])
    response = await client.post(
        f"/api/v1/{world.workspace.slug}/changelog/{entry.id}/publish", headers=await _headers(session, world, who)
    )
    assert response.status_code == expected, response.text
    await session.refresh(idea)
    assert idea.status == ("shipped" if expected == 200 else "planned")


async def test_publish_answers_which_ideas_shipped_and_a_second_call_ships_none(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "in_progress", title="Single sign-on")
    headers = await make_token(session, world.staff)
    created = await client.post(
        f"/api/v1/{world.workspace.slug}/changelog",
        json={"title": "SSO", "ideas": [idea.number]},
        headers=headers,
    )
    entry_id = created.json()["id"]
    first = await client.post(f"/api/v1/{world.workspace.slug}/changelog/{entry_id}/publish", headers=headers)
    second = await client.post(f"/api/v1/{world.workspace.slug}/changelog/{entry_id}/publish", headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["shipped"] == [idea.number]
    assert second.json()["shipped"] == []
    assert first.json()["entry"]["ideas"] == [
        {
            "number": idea.number,
            "title": "Single sign-on",
            "status": "shipped",
            "vote_count": 0,
            "url": f"http://testserver/{world.workspace.slug}/ideas/{idea.number}",
        }
    ]
    assert len(await events(session, "changelog.published", world.workspace.id)) == 1


async def test_readers_see_published_entries_without_private_ideas(session, client):
    world = await make_world(session)
    public_idea = await idea_in(session, world, "planned", title="Public thing")
    private_idea = await idea_in(session, world, "planned", board=world.private, title="Private thing")
    staff = await context(session, world.workspace, world.staff)
    await service.create_entry(
        session, staff, title="Shipped", idea_numbers=[public_idea.number, private_idea.number], publish=True
    )
    await service.create_entry(session, staff, title="Draft only")

    anonymous = (await client.get(f"/api/v1/{world.workspace.slug}/changelog", params={"drafts": True})).json()
    assert [e["title"] for e in anonymous["items"]] == ["Shipped"]
    assert anonymous["drafts"] == []
    assert [i["title"] for i in anonymous["items"][0]["ideas"]] == ["Public thing"]

    member = await client.get(
        f"/api/v1/{world.workspace.slug}/changelog", headers=await make_token(session, world.member)
    )
    assert [i["title"] for i in member.json()["items"][0]["ideas"]] == ["Public thing", "Private thing"]

    as_staff = await client.get(
        f"/api/v1/{world.workspace.slug}/changelog",
        params={"drafts": True},
        headers=await make_token(session, world.staff),
    )
    assert [e["title"] for e in as_staff.json()["drafts"]] == ["Draft only"]


async def test_entries_page_with_a_cursor(session, client):
    world = await make_world(session)
    staff = await context(session, world.workspace, world.staff)
    for n in range(5):
        await service.create_entry(session, staff, title=f"Release {n}", publish=True)
    url = f"/api/v1/{world.workspace.slug}/changelog"
    first = (await client.get(url, params={"limit": 3})).json()
    rest = (await client.get(url, params={"limit": 3, "cursor": first["next_cursor"]})).json()
    titles = [e["title"] for e in first["items"] + rest["items"]]
    assert titles == [f"Release {n}" for n in (4, 3, 2, 1, 0)]
    assert rest["next_cursor"] is None


async def test_an_entry_is_not_reachable_through_another_workspace(session, client):
    world = await make_world(session)
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Ours", publish=True)
    outsider = await make_token(session, world.outsider_staff)
    assert (await client.get(f"/api/v1/{world.other.slug}/changelog/{entry.id}")).status_code == 404
    patched = await client.patch(
        f"/api/v1/{world.other.slug}/changelog/{entry.id}", json={"title": "Theirs"}, headers=outsider
    )
    assert patched.status_code == 404
    deleted = await client.delete(f"/api/v1/{world.other.slug}/changelog/{entry.id}", headers=outsider)
    assert deleted.status_code == 404
    assert (await client.get(f"/api/v1/{world.workspace.slug}/changelog/{entry.id}")).json()["title"] == "Ours"


async def test_bad_input_names_the_field(session, client):
    world = await make_world(session)
    headers = await make_token(session, world.staff)
    url = f"/api/v1/{world.workspace.slug}/changelog"
    short = await client.post(url, json={"title": "ab"}, headers=headers)
    assert short.status_code == 422 and "title" in short.json()["fields"]
    unknown = await client.post(url, json={"title": "Release", "ideas": [999]}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["fields"] == {"ideas": "#999 is not an idea here"}
    not_done = await client.post(url, json={"title": "Release", "ship_status": "declined"}, headers=headers)
    assert not_done.json()["fields"] == {"ship_status": "must be one of this workspace's done statuses"}


async def test_staff_edit_and_delete_entries(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned")
    headers = await make_token(session, world.staff)
    url = f"/api/v1/{world.workspace.slug}/changelog"
    entry_id = (await client.post(url, json={"title": "Release"}, headers=headers)).json()["id"]
    patched = await client.patch(
        f"{url}/{entry_id}", json={"title": "Better release", "ideas": [idea.number]}, headers=headers
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Better release" and patched.json()["ideas"][0]["status"] == "planned"
    member = await client.delete(f"{url}/{entry_id}", headers=await make_token(session, world.member))
    assert member.status_code == 403
    assert (await client.delete(f"{url}/{entry_id}", headers=headers)).status_code == 204
    assert (await client.get(f"{url}/{entry_id}", headers=headers)).status_code == 404
