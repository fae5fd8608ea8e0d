"""Removing a member from a workspace: admins only, owners only by owners, never the last owner; audited;
from the API and from the Remove button on the members page."""

from __future__ import annotations

from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_token, make_user
from tests.moderation.helpers import audit_actions
from tests.statuses.scene import build_scene, web_client


async def test_an_admin_removes_a_member_and_it_is_audited(session, client):
    scene = await build_scene(session)
    ws, member = scene.workspace, scene.users["member"]
    admin = await make_token(session, scene.users["admin"])
    response = await client.delete(f"/api/v1/{ws.slug}/members/{member.id}", headers=admin)
    assert response.status_code == 204
    assert await workspace_repository.get_membership(session, ws.id, member.id) is None
    assert ("member.removed", member.id) in await audit_actions(session, ws)
    # What they posted stays.
    assert (await client.get(f"/api/v1/{ws.slug}/ideas/{scene.idea.number}")).status_code == 200
    again = await client.delete(f"/api/v1/{ws.slug}/members/{member.id}", headers=admin)
    assert again.status_code == 404 and again.json()["error"] == "not_found"


async def test_the_last_owner_cannot_be_removed_not_even_by_themselves(session, client):
    scene = await build_scene(session)
    ws, owner = scene.workspace, scene.users["admin"]  # the scene's "admin" created the workspace: its owner
    headers = await make_token(session, owner)
    refused = await client.delete(f"/api/v1/{ws.slug}/members/{owner.id}", headers=headers)
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "conflict",
        "detail": "A workspace needs at least one owner: make someone else owner first.",
        "fields": {"user_id": "is the last owner"},
    }
    assert await workspace_repository.get_membership(session, ws.id, owner.id) is not None
    # With a second owner, one of them may go.
    second = await make_user(session)
    await add_member(session, ws, second, Role.owner)
    assert (await client.delete(f"/api/v1/{ws.slug}/members/{owner.id}", headers=headers)).status_code == 204


async def test_only_owners_remove_owners(session, client):
    scene = await build_scene(session)
    ws = scene.workspace
    admin = await make_user(session)
    await add_member(session, ws, admin, Role.admin)
    refused = await client.delete(
        f"/api/v1/{ws.slug}/members/{scene.users['admin'].id}", headers=await make_token(session, admin)
    )
    assert refused.status_code == 403 and refused.json()["fields"] == {"user_id": "only owners can remove an owner"}


async def test_the_members_page_has_a_remove_button_that_works_without_javascript(session, app):
    scene = await build_scene(session)
    ws, member = scene.workspace, scene.users["member"]
    client, csrf = await web_client(app, scene, "admin")
    async with client:
        page = await client.get(f"/{ws.slug}/settings")
        assert f'action="/{ws.slug}/settings/members/{member.id}/remove"' in page.text
        removed = await client.post(f"/{ws.slug}/settings/members/{member.id}/remove", data={"csrf_token": csrf})
        assert removed.status_code == 303 and removed.headers["location"] == f"/{ws.slug}/settings#members"
        assert "Mia Member" not in (await client.get(f"/{ws.slug}/settings")).text
        owner = scene.users["admin"]
        refused = await client.post(f"/{ws.slug}/settings/members/{owner.id}/remove", data={"csrf_token": csrf})
        assert refused.status_code == 409 and "A workspace needs at least one owner" in refused.text
