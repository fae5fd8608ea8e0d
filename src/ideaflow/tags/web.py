"""Tag pages: staff tag and untag ideas from the idea page, and manage the workspace's tags (and which
boards let customers pick them) on the tags settings page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.boards import service as board_service
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.ideas import service as idea_service
from ideaflow.kit.web import form_data, redirect, render
from ideaflow.statuses.web import triage_response
from ideaflow.tags import service
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


@router.post("/{workspace}/ideas/{number}/tags")
async def tag_idea(request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    try:
        tag = await service.find_tag(session, workspace_id=ctx.workspace.id, value=form.get("tag", ""))
        if tag is None:
            raise Invalid.field("tag", "is not a tag of this workspace")
        async with session.begin_nested():
            await service.tag_idea(session, ctx, view.idea, tag)
    except IdeaflowError as exc:
        return await triage_response(request, session, ctx, number, error=exc, tag_error=exc)
    return await triage_response(request, session, ctx, number)


@router.post("/{workspace}/ideas/{number}/tags/{tag_id}/remove")
async def untag_idea(
    request: Request, number: int, tag_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    tag = await service.get_tag(session, ctx, tag_id)
    await service.untag_idea(session, ctx, view.idea, tag)
    return await triage_response(request, session, ctx, number)


async def _settings_page(request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, **extra):
    workspace_service.require_staff(ctx)
    return render(
        request,
        "tags/settings.html",
        {
            "ctx": ctx,
            "tags": await service.list_tags(session, workspace_id=ctx.workspace.id),
            "usage": await service.usage(session, ctx),
            "boards": await board_service.list_boards(session, ctx) if ctx.is_admin else [],
            **extra,
        },
        status_code=status_code,
    )


@router.get("/{workspace}/settings/tags")
async def tags_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _settings_page(request, session, ctx)


@router.post("/{workspace}/settings/tags")
async def create_tag(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_staff(ctx)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.create_tag(session, ctx, name=form.get("name", ""), colour=form.get("colour", ""))
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, create_error=exc, create_form=form
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/tags")


@router.post("/{workspace}/settings/tags/boards")
async def board_tagging(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    """Which boards let customers pick tags on the submission form (a board setting: admins)."""
    workspace_service.require_admin(ctx)
    allowed = set((await request.form()).getlist("customers_can_tag"))
    for board in await board_service.list_boards(session, ctx):
        await board_service.update_board(session, ctx, board, customers_can_tag=board.slug in allowed)
    return redirect(request, f"/{ctx.workspace.slug}/settings/tags")


@router.post("/{workspace}/settings/tags/{tag_id}")
async def update_tag(
    request: Request, tag_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    tag = await service.get_tag(session, ctx, tag_id)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.update_tag(session, ctx, tag, name=form.get("name"), colour=form.get("colour"))
    except IdeaflowError as exc:
        await session.refresh(tag)
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, edit_error=exc, edit_id=tag_id, edit_form=form
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/tags")


@router.post("/{workspace}/settings/tags/{tag_id}/delete")
async def delete_tag(
    request: Request, tag_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    tag = await service.get_tag(session, ctx, tag_id)
    await service.delete_tag(session, ctx, tag)
    return redirect(request, f"/{ctx.workspace.slug}/settings/tags")
