"""Invitations: admins invite by email; the link in the email joins its holder once, with the invited role,
to that workspace only; revoked, used and expired links say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from ideaflow.accounts.models import User
from ideaflow.invitations.models import Invitation
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces.models import Role
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, make_token, make_user, make_workspace, owner_context
from tests.mail.smtp import deliver_pending


async def _owner_headers(session, workspace):
    return await make_token(session, (await owner_context(session, workspace)).user)


async def _invite(client, session, database, smtp, workspace, email="new.hire@example.com", role="staff"):
    headers = await _owner_headers(session, workspace)
    response = await client.post(
        f"/api/v1/{workspace.slug}/invitations", json={"email": email, "role": role}, headers=headers
    )
    assert response.status_code == 201, response.text
    await deliver_pending(session, database)
    [received] = smtp.to(email)
    [link] = received.links("/invitations/")
    return response.json(), received, link.removeprefix("http://testserver")


async def test_invitation_email_and_sign_up_on_the_spot_joins_with_the_role_once(session, database, client, smtp):
    workspace = await make_workspace(session, name="Acme Robotics")
    created, received, path = await _invite(client, session, database, smtp, workspace)
    assert created["state"] == "pending" and created["role"] == "staff"
    assert received.message["Subject"] == "You are invited to join Acme Robotics on ideaflow"
    assert "as a staff" in received.text and path in received.html

    page = await client.get(path)
    assert page.status_code == 200 and "Join Acme Robotics" in page.text and "new.hire@example.com" in page.text
    joined = await client.post(
        path + "/signup", data={"csrf_token": csrf_from(page.text), "name": "Hedy", "password": PASSWORD}
    )
    assert joined.status_code == 303 and joined.headers["location"] == f"/{workspace.slug}"
    user = await session.scalar(select(User).where(User.email == "new.hire@example.com"))
    membership = await workspace_repository.get_membership(session, workspace.id, user.id)
    assert membership.role == Role.staff
    assert user.email_verified_at is not None  # the link came from that inbox

    used = await client.get(path)
    assert used.status_code == 410 and "already been used" in used.text
    listed = await client.get(f"/api/v1/{workspace.slug}/invitations", headers=await _owner_headers(session, workspace))
    assert [i["state"] for i in listed.json()] == ["accepted"]


async def test_a_signed_in_person_accepts_and_a_second_accept_fails(session, database, client, smtp):
    workspace = await make_workspace(session)
    person = await make_user(session)
    _, _, path = await _invite(client, session, database, smtp, workspace, email=person.email, role="member")
    csrf = await web_sign_in(client, person.email, PASSWORD)
    page = await client.get(path)
    assert f"Join as {person.name}" in page.text
    accepted = await client.post(path + "/accept", data={"csrf_token": csrf})
    assert accepted.status_code == 303
    assert (await workspace_repository.get_membership(session, workspace.id, person.id)).role == Role.member
    again = await client.post(path + "/accept", data={"csrf_token": csrf})
    assert again.status_code == 410


async def test_revoked_and_expired_invitations_give_a_clear_page(session, database, client, smtp):
    workspace = await make_workspace(session)
    headers = await _owner_headers(session, workspace)
    revoked, _, revoked_path = await _invite(client, session, database, smtp, workspace, email="a@example.com")
    assert (
        await client.delete(f"/api/v1/{workspace.slug}/invitations/{revoked['id']}", headers=headers)
    ).status_code == 204
    page = await client.get(revoked_path)
    assert page.status_code == 410 and "withdrawn" in page.text

    _, _, expired_path = await _invite(client, session, database, smtp, workspace, email="b@example.com")
    await session.execute(
        update(Invitation)
        .where(Invitation.email == "b@example.com")
        .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
    )
    page = await client.get(expired_path)
    assert page.status_code == 410 and "expired" in page.text
    assert (await client.get("/invitations/this-is-not-a-real-invitation-token")).status_code == 404


async def test_only_admins_invite_and_only_owners_invite_owners(session, client):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    admin = await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    url = f"/api/v1/{workspace.slug}/invitations"
    as_staff = await client.post(url, json={"email": "x@example.com"}, headers=await make_token(session, staff))
    assert as_staff.status_code == 403
    owner = await client.post(
        url, json={"email": "x@example.com", "role": "owner"}, headers=await make_token(session, admin)
    )
    assert owner.status_code == 403 and "role" in owner.json()["fields"]
    bad = await client.post(url, json={"email": "not an email"}, headers=await make_token(session, admin))
    assert bad.status_code == 422 and "email" in bad.json()["fields"]
    member = await client.post(url, json={"email": staff.email}, headers=await make_token(session, admin))
    assert member.status_code == 409


async def test_an_invitation_opens_only_its_own_workspace(session, database, client, smtp):
    invited_to, other = await make_workspace(session), await make_workspace(session)
    person = await make_user(session)
    _, _, path = await _invite(client, session, database, smtp, invited_to, email=person.email, role="admin")
    csrf = await web_sign_in(client, person.email, PASSWORD)
    await client.post(path + "/accept", data={"csrf_token": csrf})
    assert await workspace_repository.get_membership(session, other.id, person.id) is None
    assert (await workspace_repository.get_membership(session, invited_to.id, person.id)).role == Role.admin
    revoke = await client.delete(f"/api/v1/{other.slug}/invitations/1", headers=await _owner_headers(session, other))
    assert revoke.status_code == 404


async def test_settings_page_invites_and_lists(session, database, client, smtp):
    workspace = await make_workspace(session)
    owner = (await owner_context(session, workspace)).user
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    settings = await client.get(f"/{workspace.slug}/settings")
    assert f'action="/{workspace.slug}/settings/invitations"' in settings.text
    response = await client.post(
        f"/{workspace.slug}/settings/invitations",
        data={"csrf_token": csrf, "email": "pat@example.com", "role": "member"},
    )
    assert response.status_code == 201 and "Invitation sent to pat@example.com" in response.text
    bad = await client.post(
        f"/{workspace.slug}/settings/invitations", data={"csrf_token": csrf, "email": "nope", "role": "member"}
    )
    assert bad.status_code == 422 and "enter a valid email address" in bad.text and 'value="nope"' in bad.text
    await deliver_pending(session, database)
    assert len(smtp.to("pat@example.com")) == 1
