"""Workspace pages: creating a workspace through the form (inline errors), and the settings page where
owners and admins manage roles."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ideaflow.workspaces.models import Role, Workspace
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, add_member, context, make_user, make_workspace


async def _workspaces_named(session, slug: str) -> int:
    return await session.scalar(select(func.count()).select_from(Workspace).where(Workspace.slug == slug))


async def test_new_workspace_form_creates_it_and_lands_on_its_portal(session, client):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/new", data={"name": "Hooli", "slug": "hooli", "csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == "/hooli"

    portal = await client.get("/hooli")
    assert portal.status_code == 200
    assert "Feature requests" in portal.text
    assert 'href="/hooli/settings"' in portal.text  # the owner sees the settings link


async def test_new_workspace_page_requires_sign_in(client):
    response = await client.get("/new")
    assert response.status_code == 303 and response.headers["location"] == "/signin?next=/new"


@pytest.mark.parametrize(
    ("slug", "status", "message"),
    [
        ("api", 422, "is reserved"),
        ("signin", 422, "is reserved"),
        ("Not Valid!", 422, "lower-case letters"),
    ],
)
async def test_new_workspace_form_shows_slug_errors_next_to_the_field(session, client, slug, status, message):
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/new", data={"name": "Hooli", "slug": slug, "csrf_token": csrf})
    assert response.status_code == status
    assert 'id="f-slug-error"' in response.text
    assert message in response.text
    assert 'value="Hooli"' in response.text  # what was typed is kept
    assert await _workspaces_named(session, slug.lower()) == 0


async def test_new_workspace_form_with_a_taken_slug_is_409_with_the_error_on_slug(session, client):
    await make_workspace(session, slug="pied-piper")
    user = await make_user(session)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    response = await client.post("/new", data={"name": "Piper", "slug": "pied-piper", "csrf_token": csrf})
    assert response.status_code == 409
    assert 'id="f-slug-error"' in response.text and "already taken" in response.text
    assert await _workspaces_named(session, "pied-piper") == 1


async def test_home_page_lists_my_workspaces(session, client):
    user = await make_user(session)
    mine = await make_workspace(session, owner=user, name="Mine Inc")
    await make_workspace(session, name="Not Mine Ltd")
    await web_sign_in(client, user.email, PASSWORD)
    home = await client.get("/")
    assert "Mine Inc" in home.text and f'href="/{mine.slug}"' in home.text
    assert "Not Mine Ltd" not in home.text


async def test_owner_changes_a_role_on_the_settings_page(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    member = await make_user(session, name="Morgan Member")
    await add_member(session, workspace, member)
    csrf = await web_sign_in(client, owner.email, PASSWORD)

    page = await client.get(f"/{workspace.slug}/settings")
    assert page.status_code == 200 and "Morgan Member" in page.text
    response = await client.post(
        f"/{workspace.slug}/settings/members/{member.id}", data={"role": "staff", "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert (await context(session, workspace, member)).role == Role.staff


async def test_admin_cannot_make_an_owner_on_the_settings_page(session, client):
    workspace = await make_workspace(session)
    admin, member = await make_user(session), await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    await add_member(session, workspace, member)
    csrf = await web_sign_in(client, admin.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/members/{member.id}", data={"role": "owner", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert "Workspace settings" in response.text  # the settings page again, with the error
    assert (await context(session, workspace, member)).role == Role.member


async def test_last_owner_stepping_down_on_the_settings_page_is_409_and_changes_nothing(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/members/{owner.id}", data={"role": "member", "csrf_token": csrf}
    )
    assert response.status_code == 409
    assert 'role="alert"' in response.text
    assert (await context(session, workspace, owner)).role == Role.owner


async def test_unknown_role_on_the_settings_page_is_422(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/members/{owner.id}", data={"role": "emperor", "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert (await context(session, workspace, owner)).role == Role.owner


@pytest.mark.parametrize("role", [Role.staff, Role.member, None])
async def test_only_owners_and_admins_reach_the_settings_page(session, client, role):
    workspace = await make_workspace(session)
    user = await make_user(session)
    if role is not None:
        await add_member(session, workspace, user, role)
    csrf = await web_sign_in(client, user.email, PASSWORD)
    assert (await client.get(f"/{workspace.slug}/settings")).status_code == 403
    target = await make_user(session)
    await add_member(session, workspace, target)
    response = await client.post(
        f"/{workspace.slug}/settings/members/{target.id}", data={"role": "admin", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert (await context(session, workspace, target)).role == Role.member


async def test_settings_page_sends_anonymous_visitors_to_sign_in(session, client):
    workspace = await make_workspace(session)
    response = await client.get(f"/{workspace.slug}/settings")
    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next=/{workspace.slug}/settings"


async def test_workspace_slug_in_the_url_is_case_insensitive(session, client):
    workspace = await make_workspace(session, slug="casey")
    page = await client.get("/CASEY")
    assert page.status_code == 200
    assert f'href="/{workspace.slug}"' in page.text
