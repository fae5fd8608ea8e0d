"""Board rules: admins create and change boards, slugs are unique per workspace, private boards are
visible to members only, and closed boards take new ideas from staff only."""

from __future__ import annotations

import pytest

from ideaflow.boards import service as board_service
from ideaflow.boards.models import Visibility
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.ideas import service as idea_service
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_board, make_user, make_workspace, owner_context


async def test_admin_creates_a_board_placed_after_the_others(session):
    workspace = await make_workspace(session)
    admin = await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    ctx = await context(session, workspace, admin)
    board = await board_service.create_board(
        session, ctx, name=" Integrations ", slug="Integrations", description="  Plug-ins  "
    )
    assert (board.name, board.slug, board.description) == ("Integrations", "integrations", "Plug-ins")
    assert [b.slug for b in await board_service.list_boards(session, ctx)] == ["feature-requests", "integrations"]


@pytest.mark.parametrize("role", [Role.staff, Role.member, None])
async def test_only_admins_create_boards(session, role):
    workspace = await make_workspace(session)
    user = await make_user(session)
    if role:
        await add_member(session, workspace, user, role)
    with pytest.raises(Forbidden):
        await board_service.create_board(session, await context(session, workspace, user), name="X", slug="xx")


async def test_duplicate_board_slug_is_a_conflict_naming_slug(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    with pytest.raises(Conflict) as caught:
        await board_service.create_board(session, ctx, name="Again", slug="Feature-Requests")
    assert set(caught.value.fields) == {"slug"}


async def test_the_same_board_slug_may_exist_in_another_workspace(session):
    first, second = await make_workspace(session), await make_workspace(session)
    await make_board(session, first, slug="mobile")
    board = await make_board(session, second, slug="mobile")
    assert board.workspace_id == second.id


async def test_board_name_and_slug_are_validated(session):
    ctx = await owner_context(session, await make_workspace(session))
    with pytest.raises(Invalid) as no_name:
        await board_service.create_board(session, ctx, name="  ", slug="ok-slug")
    assert set(no_name.value.fields) == {"name"}
    with pytest.raises(Invalid) as bad_slug:
        await board_service.create_board(session, ctx, name="Fine", slug="not ok")
    assert set(bad_slug.value.fields) == {"slug"}


async def test_private_board_is_hidden_from_outsiders_and_shown_to_members(session):
    workspace = await make_workspace(session)
    private = await make_board(session, workspace, slug="roadmap", visibility=Visibility.private)
    outsider, member = await make_user(session), await make_user(session)
    await add_member(session, workspace, member)

    outsider_ctx = await context(session, workspace, outsider)
    anonymous_ctx = await context(session, workspace, None)
    for ctx in (outsider_ctx, anonymous_ctx):
        assert "roadmap" not in [b.slug for b in await board_service.list_boards(session, ctx)]
        with pytest.raises(NotFound):
            await board_service.get_board(session, ctx, "roadmap")
        with pytest.raises(NotFound):
            await board_service.get_board_by_id(session, ctx, private.id)

    member_ctx = await context(session, workspace, member)
    assert "roadmap" in [b.slug for b in await board_service.list_boards(session, member_ctx)]
    assert (await board_service.get_board(session, member_ctx, "ROADMAP")).id == private.id


async def test_a_board_of_another_workspace_is_not_found_by_id(session):
    mine, theirs = await make_workspace(session), await make_workspace(session)
    their_board = await make_board(session, theirs)
    with pytest.raises(NotFound):
        await board_service.get_board_by_id(session, await owner_context(session, mine), their_board.id)


async def test_admin_updates_name_visibility_and_openness(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    board = await make_board(session, workspace, name="Old")
    await board_service.update_board(
        session, ctx, board, name="New", description="Now private", visibility=Visibility.private, is_open=False
    )
    outsider_ctx = await context(session, workspace, await make_user(session))
    with pytest.raises(NotFound):
        await board_service.get_board(session, outsider_ctx, board.slug)
    reread = await board_service.get_board(session, ctx, board.slug)
    assert (reread.name, reread.description, reread.is_open) == ("New", "Now private", False)


async def test_staff_cannot_update_boards(session):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    board = await make_board(session, workspace, name="Keep")
    with pytest.raises(Forbidden):
        await board_service.update_board(session, await context(session, workspace, staff), board, name="Changed")
    assert board.name == "Keep"


async def test_closed_board_refuses_ideas_from_customers_but_not_from_staff(session):
    workspace = await make_workspace(session)
    closed = await make_board(session, workspace, is_open=False)
    customer, staff = await make_user(session), await make_user(session)
    await add_member(session, workspace, staff, Role.staff)

    with pytest.raises(Forbidden) as caught:
        await idea_service.create_idea(
            session, await context(session, workspace, customer), board=closed, title="Please reopen"
        )
    assert set(caught.value.fields) == {"board"}

    idea = await idea_service.create_idea(
        session, await context(session, workspace, staff), board=closed, title="Staff note"
    )
    assert idea.board_id == closed.id
