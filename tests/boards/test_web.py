"""Boards on the settings page (create and change, inline errors) and on the portal (private boards
are 404 to outsiders, closed boards refuse customers)."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaflow.boards.models import Board, Visibility
from ideaflow.workspaces.models import Role
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, add_member, make_board, make_idea, make_user, make_workspace


async def _board(session, workspace_id: int, slug: str) -> Board | None:
    return await session.scalar(select(Board).where(Board.workspace_id == workspace_id, Board.slug == slug))


async def test_admin_adds_a_private_board_on_the_settings_page(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/boards",
        data={"name": "Beta", "slug": "beta", "visibility": "private", "is_open": "on", "csrf_token": csrf},
    )
    assert response.status_code == 303
    board = await _board(session, workspace.id, "beta")
    assert (board.name, board.visibility, board.is_open) == ("Beta", Visibility.private, True)
    settings = await client.get(f"/{workspace.slug}/settings")
    assert f"/{workspace.slug}/boards/beta" in settings.text


async def test_settings_form_with_a_taken_board_slug_is_409_with_the_error_on_slug(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/boards",
        data={"name": "Second", "slug": "feature-requests", "csrf_token": csrf},
    )
    assert response.status_code == 409
    assert 'id="f-slug-error"' in response.text and "already used" in response.text
    assert 'value="Second"' in response.text
    count = await session.scalar(select(func.count()).select_from(Board).where(Board.workspace_id == workspace.id))
    assert count == 1


async def test_admin_closes_and_renames_a_board_on_the_settings_page(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    board = await make_board(session, workspace, slug="ops", name="Ops")
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    # An unticked checkbox is simply absent from the form: the board closes.
    response = await client.post(
        f"/{workspace.slug}/settings/boards/ops",
        data={"name": "Operations", "description": "", "visibility": "public", "csrf_token": csrf},
    )
    assert response.status_code == 303
    await session.refresh(board)
    assert (board.name, board.is_open) == ("Operations", False)


async def test_a_refused_board_change_changes_nothing_and_shows_the_settings_page(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    board = await make_board(session, workspace, slug="ops", name="Ops")
    csrf = await web_sign_in(client, owner.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/boards/ops",
        data={"name": "Renamed", "description": "x" * 2001, "visibility": "private", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert "Workspace settings" in response.text
    await session.refresh(board)
    assert (board.name, board.visibility) == ("Ops", Visibility.public)


async def test_staff_cannot_add_boards_on_the_settings_page(session, client):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    csrf = await web_sign_in(client, staff.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/settings/boards", data={"name": "Nope", "slug": "nope", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert await _board(session, workspace.id, "nope") is None


async def test_private_board_page_is_404_for_outsiders_and_missing_from_the_portal(session, client):
    workspace = await make_workspace(session)
    private = await make_board(
        session, workspace, slug="internal", name="Internal roadmap", visibility=Visibility.private
    )
    idea = await make_idea(session, workspace, board=private, title="Secret project")
    outsider = await make_user(session)

    anonymous_page = await client.get(f"/{workspace.slug}/boards/internal")
    assert anonymous_page.status_code == 404
    await web_sign_in(client, outsider.email, PASSWORD)
    assert (await client.get(f"/{workspace.slug}/boards/internal")).status_code == 404
    assert (await client.get(f"/{workspace.slug}/ideas/{idea.number}")).status_code == 404
    portal = await client.get(f"/{workspace.slug}")
    assert portal.status_code == 200
    assert "Internal roadmap" not in portal.text and "Secret project" not in portal.text


async def test_private_board_page_is_shown_to_members(session, client):
    workspace = await make_workspace(session)
    private = await make_board(
        session, workspace, slug="internal", name="Internal roadmap", visibility=Visibility.private
    )
    await make_idea(session, workspace, board=private, title="Secret project")
    member = await make_user(session)
    await add_member(session, workspace, member)
    await web_sign_in(client, member.email, PASSWORD)
    page = await client.get(f"/{workspace.slug}/boards/internal")
    assert page.status_code == 200 and "Secret project" in page.text
    assert "Internal roadmap" in (await client.get(f"/{workspace.slug}")).text


async def test_closed_board_refuses_a_customers_idea_form_with_403(session, client):
    workspace = await make_workspace(session)
    closed = await make_board(session, workspace, slug="archive", is_open=False)
    customer = await make_user(session)
    csrf = await web_sign_in(client, customer.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/boards/archive/ideas", data={"title": "Please reopen", "body": "", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert 'role="alert"' in response.text and 'value="Please reopen"' in response.text
    listing = await client.get(f"/{workspace.slug}/boards/{closed.slug}")
    assert "Please reopen" not in listing.text


async def test_staff_post_on_a_closed_board_through_the_form(session, client):
    workspace = await make_workspace(session)
    await make_board(session, workspace, slug="archive", is_open=False)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    csrf = await web_sign_in(client, staff.email, PASSWORD)
    response = await client.post(
        f"/{workspace.slug}/boards/archive/ideas", data={"title": "Changelog entry", "body": "", "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert "Changelog entry" in (await client.get(response.headers["location"])).text
