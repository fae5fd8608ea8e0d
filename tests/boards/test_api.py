"""Board API: admins create and change boards; private boards are invisible to outsiders; closed
boards refuse customers' ideas."""

from __future__ import annotations

import pytest

from ideaflow.boards.models import Visibility
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_board, make_idea, make_token, make_user, make_workspace


async def test_admin_creates_a_board(session, client):
    workspace = await make_workspace(session)
    admin = await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    response = await client.post(
        f"/api/v1/{workspace.slug}/boards",
        json={"name": "Mobile app", "slug": "mobile", "visibility": "private", "is_open": False},
        headers=await make_token(session, admin),
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["visibility"], body["is_open"]) == ("mobile", "private", False)


@pytest.mark.parametrize("role", [Role.staff, Role.member])
async def test_non_admins_get_403_creating_boards(session, client, role):
    workspace = await make_workspace(session)
    user = await make_user(session)
    await add_member(session, workspace, user, role)
    response = await client.post(
        f"/api/v1/{workspace.slug}/boards",
        json={"name": "Mine", "slug": "mine"},
        headers=await make_token(session, user),
    )
    assert response.status_code == 403
    assert (
        await client.get(f"/api/v1/{workspace.slug}/boards/mine", headers=await make_token(session, user))
    ).status_code == 404


async def test_duplicate_board_slug_is_409_naming_slug(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    response = await client.post(
        f"/api/v1/{workspace.slug}/boards",
        json={"name": "Dupe", "slug": "feature-requests"},
        headers=await make_token(session, owner),
    )
    assert response.status_code == 409
    assert set(response.json()["fields"]) == {"slug"}


async def test_admin_updates_a_board(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    board = await make_board(session, workspace, name="Before")
    response = await client.patch(
        f"/api/v1/{workspace.slug}/boards/{board.slug}",
        json={"name": "After", "is_open": False},
        headers=await make_token(session, owner),
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["is_open"], response.json()["visibility"]) == (
        "After",
        False,
        "public",
    )


async def test_staff_get_403_updating_a_board(session, client):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    board = await make_board(session, workspace, name="Stays")
    response = await client.patch(
        f"/api/v1/{workspace.slug}/boards/{board.slug}",
        json={"name": "Changed"},
        headers=await make_token(session, staff),
    )
    assert response.status_code == 403
    assert board.name == "Stays"


async def test_private_board_is_404_and_absent_for_outsiders(session, client):
    workspace = await make_workspace(session)
    await make_board(session, workspace, slug="secret-plans", visibility=Visibility.private)
    outsider = await make_token(session, await make_user(session))

    for headers in (outsider, {}):
        listed = await client.get(f"/api/v1/{workspace.slug}/boards", headers=headers)
        assert listed.status_code == 200
        assert "secret-plans" not in [b["slug"] for b in listed.json()]
        one = await client.get(f"/api/v1/{workspace.slug}/boards/secret-plans", headers=headers)
        assert one.status_code == 404
        assert one.json() == {"error": "not_found", "detail": "No such board.", "fields": {}}
        # Exactly what a board that does not exist looks like.
        missing = await client.get(f"/api/v1/{workspace.slug}/boards/no-such-board", headers=headers)
        assert missing.json() == one.json()


async def test_private_board_is_listed_and_readable_for_members(session, client):
    workspace = await make_workspace(session)
    await make_board(session, workspace, slug="secret-plans", visibility=Visibility.private)
    member = await make_user(session)
    await add_member(session, workspace, member)
    headers = await make_token(session, member)
    listed = await client.get(f"/api/v1/{workspace.slug}/boards", headers=headers)
    assert "secret-plans" in [b["slug"] for b in listed.json()]
    assert (await client.get(f"/api/v1/{workspace.slug}/boards/secret-plans", headers=headers)).status_code == 200


async def test_ideas_on_a_private_board_are_hidden_from_outsiders(session, client):
    workspace = await make_workspace(session)
    private = await make_board(session, workspace, visibility=Visibility.private)
    hidden = await make_idea(session, workspace, board=private, title="Hidden roadmap item")
    shown = await make_idea(session, workspace, title="Public request")
    outsider = await make_token(session, await make_user(session))

    listed = await client.get(f"/api/v1/{workspace.slug}/ideas", headers=outsider)
    assert [i["number"] for i in listed.json()["items"]] == [shown.number]
    assert (await client.get(f"/api/v1/{workspace.slug}/ideas/{hidden.number}", headers=outsider)).status_code == 404
    filtered = await client.get(f"/api/v1/{workspace.slug}/ideas", params={"board": private.slug}, headers=outsider)
    assert filtered.status_code == 404


async def test_closed_board_refuses_a_customers_idea_with_403_naming_board(session, client):
    workspace = await make_workspace(session)
    closed = await make_board(session, workspace, is_open=False)
    customer = await make_token(session, await make_user(session))
    response = await client.post(
        f"/api/v1/{workspace.slug}/ideas", json={"board": closed.slug, "title": "Let me in"}, headers=customer
    )
    assert response.status_code == 403
    assert set(response.json()["fields"]) == {"board"}
    listed = await client.get(f"/api/v1/{workspace.slug}/ideas", params={"board": closed.slug}, headers=customer)
    assert listed.json()["items"] == []


async def test_staff_can_still_post_on_a_closed_board(session, client):
    workspace = await make_workspace(session)
    closed = await make_board(session, workspace, is_open=False)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    response = await client.post(
        f"/api/v1/{workspace.slug}/ideas",
        json={"board": closed.slug, "title": "Known issue"},
        headers=await make_token(session, staff),
    )
    assert response.status_code == 201
    assert response.json()["board"]["slug"] == closed.slug
