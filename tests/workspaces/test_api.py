"""Workspace API: create (with slug validation), list mine with my role, members and role changes."""

from __future__ import annotations

import pytest

from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_token, make_user, make_workspace


async def test_creating_a_workspace_makes_me_its_owner_with_a_default_board(session, client):
    headers = await make_token(session, await make_user(session))
    response = await client.post("/api/v1/workspaces", json={"name": "Initech", "slug": "initech"}, headers=headers)
    assert response.status_code == 201
    assert response.json()["role"] == "owner" and response.json()["slug"] == "initech"

    boards = await client.get("/api/v1/initech/boards", headers=headers)
    assert [b["slug"] for b in boards.json()] == ["feature-requests"]
    assert (await client.get("/api/v1/initech", headers=headers)).json()["role"] == "owner"


async def test_creating_a_workspace_needs_a_signed_in_user(client):
    response = await client.post("/api/v1/workspaces", json={"name": "Anon", "slug": "anon"})
    assert response.status_code == 401


@pytest.mark.parametrize("slug", ["api", "signin", "workspaces", "me"])
async def test_reserved_slug_is_422_naming_slug(session, client, slug):
    headers = await make_token(session, await make_user(session))
    response = await client.post("/api/v1/workspaces", json={"name": "Nope", "slug": slug}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid"
    assert set(response.json()["fields"]) == {"slug"}


@pytest.mark.parametrize("slug", ["Bad Slug", "bad_slug", "-bad", "x", "ünïcode"])
async def test_malformed_slug_is_422_naming_slug(session, client, slug):
    headers = await make_token(session, await make_user(session))
    response = await client.post("/api/v1/workspaces", json={"name": "Nope", "slug": slug}, headers=headers)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"slug"}


async def test_taken_slug_is_409_naming_slug(session, client):
    await make_workspace(session, slug="umbrella")
    headers = await make_token(session, await make_user(session))
    response = await client.post("/api/v1/workspaces", json={"name": "Umbrella", "slug": "umbrella"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert set(response.json()["fields"]) == {"slug"}


async def test_workspace_list_shows_only_mine_with_my_role(session, client):
    me = await make_user(session)
    owned = await make_workspace(session, owner=me, name="Alpha")
    joined = await make_workspace(session, name="Beta")
    await add_member(session, joined, me, Role.staff)
    await make_workspace(session, name="Gamma")

    response = await client.get("/api/v1/workspaces", headers=await make_token(session, me))
    assert response.status_code == 200
    assert [(w["slug"], w["role"]) for w in response.json()] == [(owned.slug, "owner"), (joined.slug, "staff")]


async def test_outsider_sees_a_workspace_without_a_role(session, client):
    workspace = await make_workspace(session)
    response = await client.get(
        f"/api/v1/{workspace.slug}", headers=await make_token(session, await make_user(session))
    )
    assert response.status_code == 200 and response.json()["role"] is None
    assert (await client.get("/api/v1/no-such-place")).status_code == 404


async def test_members_list_shows_emails_to_admins_only(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    member = await make_user(session)
    await add_member(session, workspace, member)
    url = f"/api/v1/{workspace.slug}/members"

    as_owner = (await client.get(url, headers=await make_token(session, owner))).json()
    assert {m["email"] for m in as_owner} == {owner.email, staff.email, member.email}
    as_staff = (await client.get(url, headers=await make_token(session, staff))).json()
    assert len(as_staff) == 3 and all(m["email"] is None for m in as_staff)
    assert (await client.get(url, headers=await make_token(session, member))).status_code == 403


async def test_owner_changes_a_role_through_the_api(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    member = await make_user(session)
    await add_member(session, workspace, member)

    response = await client.put(
        f"/api/v1/{workspace.slug}/members/{member.id}",
        json={"role": "staff"},
        headers=await make_token(session, owner),
    )
    assert response.status_code == 200
    assert response.json()["role"] == "staff" and response.json()["user_id"] == member.id
    assert (await context(session, workspace, member)).role == Role.staff


async def test_admin_changes_member_roles_but_cannot_make_an_owner(session, client):
    workspace = await make_workspace(session)
    admin, member = await make_user(session), await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    await add_member(session, workspace, member)
    headers = await make_token(session, admin)
    url = f"/api/v1/{workspace.slug}/members/{member.id}"

    assert (await client.put(url, json={"role": "admin"}, headers=headers)).status_code == 200
    refused = await client.put(url, json={"role": "owner"}, headers=headers)
    assert refused.status_code == 403
    assert set(refused.json()["fields"]) == {"role"}
    assert (await context(session, workspace, member)).role == Role.admin


async def test_admin_cannot_demote_an_owner(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    admin = await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    response = await client.put(
        f"/api/v1/{workspace.slug}/members/{owner.id}",
        json={"role": "member"},
        headers=await make_token(session, admin),
    )
    assert response.status_code == 403
    assert (await context(session, workspace, owner)).role == Role.owner


async def test_last_owner_cannot_step_down_409(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    response = await client.put(
        f"/api/v1/{workspace.slug}/members/{owner.id}", json={"role": "admin"}, headers=await make_token(session, owner)
    )
    assert response.status_code == 409
    assert response.json()["fields"] == {"role": "the last owner cannot step down"}
    assert (await context(session, workspace, owner)).role == Role.owner


@pytest.mark.parametrize("role", [Role.staff, Role.member])
async def test_staff_and_members_get_403_changing_roles(session, client, role):
    workspace = await make_workspace(session)
    actor, target = await make_user(session), await make_user(session)
    await add_member(session, workspace, actor, role)
    await add_member(session, workspace, target)
    response = await client.put(
        f"/api/v1/{workspace.slug}/members/{target.id}",
        json={"role": "admin"},
        headers=await make_token(session, actor),
    )
    assert response.status_code == 403
    assert (await context(session, workspace, target)).role == Role.member


async def test_unknown_role_is_422(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    response = await client.put(
        f"/api/v1/{workspace.slug}/members/{owner.id}",
        json={"role": "emperor"},
        headers=await make_token(session, owner),
    )
    assert response.status_code == 422 and "role" in response.json()["fields"]
