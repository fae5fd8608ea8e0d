"""Invitations: the admin page in workspace settings, and the page an invitation link opens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts import web as account_web
from ideaflow.accounts.dependencies import CurrentUser, ViewerDep
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError
from ideaflow.invitations import service
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, redirect, render
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.models import Role

router = APIRouter()


async def _manage_page(request: Request, session, ctx, *, status_code: int = 200, **extra) -> Response:
    invitations = await service.list_invitations(session, ctx)
    context = {"ctx": ctx, "invitations": [(i, service.state(i)) for i in invitations], "roles": list(Role), **extra}
    return render(request, "invitations/manage.html", context, status_code=status_code)


@router.get("/{workspace}/settings/invitations")
async def manage(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    return await _manage_page(request, session, ctx)


@router.post("/{workspace}/settings/invitations")
async def invite(request: Request, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    form = await form_data(request)
    try:
        await rate_limit(request, "invite", limit=get_settings().rate_limit_auth_per_minute * 3, subject=str(user.id))
        async with session.begin_nested():
            invitation = await service.create_invitation(
                session, ctx, email=form.get("email", ""), role=form.get("role", "member")
            )
    except IdeaflowError as exc:
        return await _manage_page(request, session, ctx, error=exc, form=form, status_code=exc.status_code)
    return await _manage_page(request, session, ctx, sent=invitation.email, status_code=201)


@router.post("/{workspace}/settings/invitations/{invitation_id}/revoke")
async def revoke(
    request: Request, invitation_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    await service.revoke_invitation(session, ctx, invitation_id=invitation_id)
    return redirect(request, f"/{ctx.workspace.slug}/settings/invitations")


def _page(request: Request, token: str, *, opened=None, error=None, form=None, status_code: int = 200) -> Response:
    context = {"opened": opened, "error": error, "form": form, "token": token}
    return render(request, "invitations/accept.html", context, status_code=status_code)


@router.get("/invitations/{token}")
async def invitation_page(request: Request, token: str, session: SessionDep) -> Response:
    try:
        opened = await service.open_invitation(session, token)
    except IdeaflowError as exc:
        return _page(request, token, error=exc, status_code=exc.status_code)
    return _page(request, token, opened=opened)


@router.post("/invitations/{token}/accept")
async def accept(request: Request, token: str, session: SessionDep, user: CurrentUser) -> Response:
    try:
        async with session.begin_nested():
            workspace = await service.accept(session, raw=token, user=user)
    except IdeaflowError as exc:
        return _page(request, token, error=exc, status_code=exc.status_code)
    return redirect(request, f"/{workspace.slug}")


@router.post("/invitations/{token}/signup")
async def signup_and_accept(request: Request, token: str, session: SessionDep, viewer: ViewerDep) -> Response:
    form = await form_data(request)
    try:
        await rate_limit(request, "signup", limit=get_settings().rate_limit_auth_per_minute)
        async with session.begin_nested():
            user, workspace = await service.sign_up_and_accept(
                session, raw=token, name=form.get("name", ""), password=form.get("password", "")
            )
    except IdeaflowError as exc:
        try:
            opened = await service.open_invitation(session, token)
        except IdeaflowError:
            opened = None
        return _page(request, token, opened=opened, error=exc, form=form, status_code=exc.status_code)
    return await account_web.begin_session(request, session, viewer, user, f"/{workspace.slug}")
