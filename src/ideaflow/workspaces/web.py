"""Workspace pages: the home page, creating a workspace, and workspace settings (boards, members)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser, ViewerDep
from ideaflow.boards import service as board_service
from ideaflow.boards.models import Visibility
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.kit.web import form_data, redirect, render
from ideaflow.workspaces import service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.models import Role
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


@router.get("/")
async def home(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    workspaces = await service.list_my_workspaces(session, user=viewer.user) if viewer.user else []
    return render(request, "home.html", {"workspaces": workspaces})


@router.get("/new")
async def new_workspace_page(request: Request, _: CurrentUser) -> Response:
    return render(request, "workspaces/new.html", {})


@router.post("/new")
async def create_workspace(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    form = await form_data(request)
    try:
        # A savepoint, so that a refusal undoes only this attempt and the page can still be rendered.
        async with session.begin_nested():
            workspace = await service.create_workspace(
                session, user=user, name=form.get("name", ""), slug=form.get("slug", "")
            )
    except IdeaflowError as exc:
        return render(request, "workspaces/new.html", {"error": exc, "form": form}, status_code=exc.status_code)
    return redirect(request, f"/{workspace.slug}")


async def _settings_page(
    request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, **extra
) -> Response:
    service.require_admin(ctx)
    boards = await board_service.list_boards(session, ctx)
    members = await service.list_members(session, ctx)
    return render(
        request,
        "workspaces/settings.html",
        {
            "ctx": ctx,
            "boards": boards,
            "members": members,
            "roles": list(Role),
            "visibilities": list(Visibility),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/{workspace}/settings")
async def settings_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _settings_page(request, session, ctx)


def _checkbox(form: dict[str, str], name: str) -> bool:
    return form.get(name) in ("on", "true", "1", "yes")


def _visibility(value: str) -> Visibility:
    try:
        return Visibility(value or "public")
    except ValueError:
        raise Invalid.field("visibility", "must be public or private") from None


@router.post("/{workspace}/settings/boards")
async def create_board(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await board_service.create_board(
                session,
                ctx,
                name=form.get("name", ""),
                slug=form.get("slug", ""),
                description=form.get("description", ""),
                visibility=_visibility(form.get("visibility", "")),
                is_open=_checkbox(form, "is_open"),
            )
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, board_error=exc, board_form=form
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings")


@router.post("/{workspace}/settings/boards/{board}")
async def update_board(
    request: Request, board: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    form = await form_data(request)
    found = await board_service.get_board(session, ctx, board)
    try:
        async with session.begin_nested():
            await board_service.update_board(
                session,
                ctx,
                found,
                name=form.get("name", found.name),
                description=form.get("description", ""),
                visibility=_visibility(form.get("visibility", "")),
                is_open=_checkbox(form, "is_open"),
            )
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, edit_error=exc, edit_board=board
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings")


@router.post("/{workspace}/settings/members")
async def add_member(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    form = await form_data(request)
    try:
        role = Role(form.get("role") or "member")
    except ValueError:
        role = None
    try:
        if role is None:
            raise Invalid.field("role", "choose owner, admin, staff or member")
        if not form.get("email", "").strip():
            raise Invalid.field("email", "is required")
        async with session.begin_nested():
            await service.add_member(session, ctx, email=form.get("email", ""), role=role)
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, add_member_error=exc, add_member_form=form
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings#members")


@router.post("/{workspace}/settings/members/{user_id}")
async def change_role(
    request: Request, user_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    form = await form_data(request)
    try:
        role = Role(form.get("role", ""))
    except ValueError:
        role = None
    try:
        if role is None:
            raise Invalid.field("role", "choose owner, admin, staff or member")
        async with session.begin_nested():
            await service.change_role(session, ctx, user_id=user_id, role=role)
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, member_error=exc, member_id=user_id
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings")


@router.post("/{workspace}/settings/members/{user_id}/remove")
async def remove_member(
    request: Request, user_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    try:
        async with session.begin_nested():
            await service.remove_member(session, ctx, user_id=user_id)
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, member_error=exc, member_id=user_id
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings#members")
