"""Workspace rules: the creator owns it and gets a default board; slugs are validated; roles change
only by owners and admins, and a workspace always keeps an owner."""

from __future__ import annotations

import pytest

from ideaflow.boards import service as board_service
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.workspaces import repository
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_user, make_workspace


async def test_creator_becomes_owner_and_gets_a_public_open_default_board(session):
    owner = await make_user(session)
    workspace = await workspace_service.create_workspace(session, user=owner, name=" Acme ", slug="Acme-Co")
    assert workspace.slug == "acme-co" and workspace.name == "Acme"
    ctx = await context(session, workspace, owner)
    assert ctx.role == Role.owner
    boards = await board_service.list_boards(session, ctx)
    assert [(b.slug, b.visibility.value, b.is_open) for b in boards] == [("feature-requests", "public", True)]


@pytest.mark.parametrize("slug", ["api", "signin", "signup", "account", "static", "docs", "new", "healthz", "me"])
async def test_reserved_slugs_are_refused(session, slug):
    owner = await make_user(session)
    with pytest.raises(Invalid) as caught:
        await workspace_service.create_workspace(session, user=owner, name="Taken", slug=slug)
    assert set(caught.value.fields) == {"slug"}


@pytest.mark.parametrize("slug", ["a", "-acme", "acme-", "ac me", "acme_co", "acmé", "a" * 41, "acme/x", ""])
async def test_malformed_slugs_are_refused(session, slug):
    owner = await make_user(session)
    with pytest.raises(Invalid) as caught:
        await workspace_service.create_workspace(session, user=owner, name="Bad", slug=slug)
    assert set(caught.value.fields) == {"slug"}


async def test_a_taken_slug_is_a_conflict_whatever_its_case(session):
    await make_workspace(session, slug="globex")
    with pytest.raises(Conflict) as caught:
        await workspace_service.create_workspace(session, user=await make_user(session), name="G", slug="GlobeX")
    assert caught.value.status_code == 409 and set(caught.value.fields) == {"slug"}


async def test_outsider_has_no_role(session):
    workspace = await make_workspace(session)
    ctx = await context(session, workspace, await make_user(session))
    assert ctx.role is None and not ctx.is_member


async def test_unknown_workspace_is_not_found(session):
    with pytest.raises(NotFound):
        await workspace_service.load_context(session, slug="nowhere", user=None)


async def test_owner_promotes_a_member_to_admin(session):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    member = await make_user(session)
    await add_member(session, workspace, member)
    await workspace_service.change_role(
        session, await context(session, workspace, owner), user_id=member.id, role=Role.admin
    )
    assert (await context(session, workspace, member)).role == Role.admin


@pytest.mark.parametrize(("target_role", "new_role"), [(Role.member, Role.owner), (Role.owner, Role.admin)])
async def test_admins_cannot_make_or_unmake_owners(session, target_role, new_role):
    workspace = await make_workspace(session)
    admin, target = await make_user(session), await make_user(session)
    await add_member(session, workspace, admin, Role.admin)
    await add_member(session, workspace, target, target_role)
    with pytest.raises(Forbidden) as caught:
        await workspace_service.change_role(
            session, await context(session, workspace, admin), user_id=target.id, role=new_role
        )
    assert "role" in caught.value.fields
    assert (await context(session, workspace, target)).role == target_role


async def test_the_last_owner_cannot_step_down(session):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    with pytest.raises(Conflict):
        await workspace_service.change_role(
            session, await context(session, workspace, owner), user_id=owner.id, role=Role.admin
        )
    assert await repository.count_owners(session, workspace.id) == 1


async def test_an_owner_can_step_down_once_there_is_another_owner(session):
    first = await make_user(session)
    workspace = await make_workspace(session, owner=first)
    second = await make_user(session)
    await add_member(session, workspace, second, Role.owner)
    await workspace_service.change_role(
        session, await context(session, workspace, first), user_id=first.id, role=Role.member
    )
    assert (await context(session, workspace, first)).role == Role.member
    assert await repository.count_owners(session, workspace.id) == 1


@pytest.mark.parametrize("role", [Role.staff, Role.member])
async def test_staff_and_members_cannot_change_roles(session, role):
    workspace = await make_workspace(session)
    actor, target = await make_user(session), await make_user(session)
    await add_member(session, workspace, actor, role)
    await add_member(session, workspace, target)
    with pytest.raises(Forbidden):
        await workspace_service.change_role(
            session, await context(session, workspace, actor), user_id=target.id, role=Role.staff
        )
    assert (await context(session, workspace, target)).role == Role.member


async def test_changing_the_role_of_a_non_member_is_not_found(session):
    workspace = await make_workspace(session)
    other_workspace = await make_workspace(session)
    stranger = await make_user(session)
    await add_member(session, other_workspace, stranger)
    owner_ctx = await context(session, workspace, (await repository.list_members(session, workspace.id))[0][1])
    with pytest.raises(NotFound):
        await workspace_service.change_role(session, owner_ctx, user_id=stranger.id, role=Role.admin)
    assert (await context(session, other_workspace, stranger)).role == Role.member
