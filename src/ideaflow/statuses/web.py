"""Status pages: changing an idea's status with an official response, editing a response (its history
stays readable), and the admins' status settings (add, rename, recolour, recategorise, reorder, remove)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import IdeaflowError
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.web import idea_page_context
from ideaflow.kit.web import form_data, is_htmx, redirect, render
from ideaflow.statuses import repository, service
from ideaflow.statuses.models import StatusCategory
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


async def triage_response(
    request: Request, session, ctx: WorkspaceContext, number: int, *, error: IdeaflowError | None = None, **extra
) -> Response:
    """After a triage form: the #triage block for htmx, the page again (with the message) on an error
    without JavaScript, or a redirect back to the idea."""
    if is_htmx(request) or error is not None:
        view = await idea_service.get_idea(session, ctx, number)
        context = await idea_page_context(session, ctx, view)
        context.update(extra)
        return render(
            request,
            "ideas/idea.html",
            context,
            block="triage" if is_htmx(request) else None,
            status_code=error.status_code if error else 200,
        )
    return redirect(request, f"/{ctx.workspace.slug}/ideas/{number}")


@router.post("/{workspace}/ideas/{number}/status")
async def change_status(
    request: Request, number: int, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.set_status(
                session,
                workspace_id=ctx.workspace.id,
                idea=view.idea,
                status_key=form.get("status", ""),
                actor_id=user.id,
                response=form.get("response"),
            )
    except IdeaflowError as exc:
        return await triage_response(request, session, ctx, number, error=exc, status_error=exc, status_form=form)
    return await triage_response(request, session, ctx, number)


@router.post("/{workspace}/ideas/{number}/responses/{response_id}")
async def edit_response(
    request: Request, number: int, response_id: IdPath, ctx: WorkspaceDep, session: SessionDep, user: CurrentUser
) -> Response:
    workspace_service.require_staff(ctx)
    view = await idea_service.get_idea(session, ctx, number)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.edit_response(
                session,
                workspace_id=ctx.workspace.id,
                idea=view.idea,
                response_id=response_id,
                actor_id=user.id,
                body=form.get("response", ""),
            )
    except IdeaflowError as exc:
        return await triage_response(request, session, ctx, number, error=exc, response_error=exc, response_form=form)
    return await triage_response(request, session, ctx, number)


@router.get("/{workspace}/ideas/{number}/responses/{response_id}")
async def response_history(
    request: Request, number: int, response_id: IdPath, ctx: WorkspaceDep, session: SessionDep
) -> Response:
    """Every version of an official response, newest first: anyone who can see the idea can see how the
    answer changed."""
    view = await idea_service.get_idea(session, ctx, number)
    answer, revisions = await service.response_history(
        session, workspace_id=ctx.workspace.id, idea=view.idea, response_id=response_id
    )
    return render(
        request,
        "statuses/history.html",
        {"ctx": ctx, "idea": view.idea, "response": answer, "revisions": revisions},
    )


# ---------------------------------------------------------------- settings


async def _settings_page(request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, **extra):
    workspace_service.require_admin(ctx)
    statuses = await service.list_statuses(session, workspace_id=ctx.workspace.id)
    counts = await repository.count_by_status(session, ctx.workspace.id)
    return render(
        request,
        "statuses/settings.html",
        {
            "ctx": ctx,
            "statuses": statuses,
            "counts": counts,
            "categories": list(StatusCategory),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/{workspace}/settings/statuses")
async def statuses_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _settings_page(request, session, ctx)


@router.post("/{workspace}/settings/statuses")
async def create_status(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.create_status(
                session,
                ctx,
                name=form.get("name", ""),
                colour=form.get("colour", ""),
                category=form.get("category", ""),
            )
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, create_error=exc, create_form=form
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/statuses")


@router.post("/{workspace}/settings/statuses/{key}")
async def update_status(request: Request, key: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    status = await service.get_for_change(session, ctx, key)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.update_status(
                session,
                ctx,
                status,
                name=form.get("name", status.name),
                colour=form.get("colour", status.colour),
                category=form.get("category", status.category),
            )
    except IdeaflowError as exc:
        await session.refresh(status)
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, edit_error=exc, edit_key=key, edit_form=form
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/statuses")


@router.post("/{workspace}/settings/statuses/{key}/move")
async def move_status(request: Request, key: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    status = await service.get_for_change(session, ctx, key)
    form = await form_data(request)
    await service.move_status(session, ctx, status, direction=-1 if form.get("direction") == "up" else 1)
    return redirect(request, f"/{ctx.workspace.slug}/settings/statuses")


@router.post("/{workspace}/settings/statuses/{key}/delete")
async def delete_status(request: Request, key: str, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    status = await service.get_for_change(session, ctx, key)
    form = await form_data(request)
    try:
        async with session.begin_nested():
            await service.delete_status(session, ctx, status, replacement=form.get("replacement") or None)
    except IdeaflowError as exc:
        return await _settings_page(
            request, session, ctx, status_code=exc.status_code, delete_error=exc, delete_key=key
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/statuses")
