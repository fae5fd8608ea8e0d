"""Admins add members by the email of their account; membership is what opens private boards."""

from __future__ import annotations

from ideaflow.boards.models import Visibility
from ideaflow.workspaces.models import Role
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, add_member, context, make_board, make_idea, make_token, make_user, make_workspace


async def test_an_added_member_can_read_the_private_board_they_could_not_see_before(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    private = await make_board(session, workspace, slug="roadmap-notes", visibility=Visibility.private)
    idea = await make_idea(session, workspace, board=private, author=owner)
    customer = await make_user(session, email="pat@customer.example")
    owner_headers, customer_headers = await make_token(session, owner), await make_token(session, customer)
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}"
    assert (await client.get(url, headers=customer_headers)).status_code == 404

    added = await client.post(
        f"/api/v1/{workspace.slug}/members", json={"email": "PAT@customer.example"}, headers=owner_headers
    )
    assert added.status_code == 201
    assert added.json()["role"] == "member" and added.json()["user_id"] == customer.id
    assert (await client.get(url, headers=customer_headers)).status_code == 200

    again = await client.post(
        f"/api/v1/{workspace.slug}/members", json={"email": "pat@customer.example"}, headers=owner_headers
    )
    assert again.status_code == 409 and set(again.json()["fields"]) == {"email"}


async def test_adding_someone_without_an_account_is_404_naming_email(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    response = await client.post(
        f"/api/v1/{workspace.slug}/members",
        json={"email": "nobody@example.com"},
        headers=await make_token(session, owner),
    )
    assert response.status_code == 404
    assert set(response.json()["fields"]) == {"email"}


async def test_staff_cannot_add_members_and_admins_cannot_add_owners(session, client):
    workspace = await make_workspace(session)
    staff, admin, target = await make_user(session), await make_user(session), await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    await add_member(session, workspace, admin, Role.admin)
    url = f"/api/v1/{workspace.slug}/members"
    by_staff = await client.post(url, json={"email": target.email}, headers=await make_token(session, staff))
    assert by_staff.status_code == 403
    by_admin = await client.post(
        url, json={"email": target.email, "role": "owner"}, headers=await make_token(session, admin)
    )
    assert by_admin.status_code == 403 and set(by_admin.json()["fields"]) == {"role"}
    assert (await context(session, workspace, target)).role is None


async def test_the_settings_form_adds_a_member_and_shows_errors_inline(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    newcomer = await make_user(session, name="Robin Newcomer")
    csrf = await web_sign_in(client, owner.email, PASSWORD)

    missing = await client.post(
        f"/{workspace.slug}/settings/members", data={"email": "ghost@example.com", "role": "member", "csrf_token": csrf}
    )
    assert missing.status_code == 404
    assert "has no ideaflow account yet" in missing.text

    added = await client.post(
        f"/{workspace.slug}/settings/members", data={"email": newcomer.email, "role": "staff", "csrf_token": csrf}
    )
    assert added.status_code == 303
    assert (await context(session, workspace, newcomer)).role == Role.staff
    assert "Robin Newcomer" in (await client.get(f"/{workspace.slug}/settings")).text
