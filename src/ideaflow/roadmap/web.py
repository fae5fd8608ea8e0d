"""Roadmap pages: the public roadmap and the staff page choosing what it shows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import SessionDep
from ideaflow.errors import IdeaflowError
from ideaflow.kit.web import redirect, render
from ideaflow.roadmap import service
from ideaflow.statuses import service as status_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


@router.get("/{workspace}/roadmap")
async def roadmap_page(request: Request, ctx: WorkspaceDep, session: SessionDep) -> Response:
    roadmap = await service.build(session, ctx)
    return render(
        request,
        "roadmap/roadmap.html",
        {"ctx": ctx, "roadmap": roadmap, "statuses": status_service.StatusSet(roadmap.all_statuses)},
    )


async def _settings_page(
    request: Request, session, ctx: WorkspaceContext, *, error=None, form=None, saved=False, status_code: int = 200
) -> Response:
    chosen = await service.settings_choice(session, ctx)
    placement = {
        s.key: column.title
        for column in service.split_columns(chosen.all_statuses, chosen.eligible_statuses)
        for s in column.statuses
    }
    return render(
        request,
        "roadmap/settings.html",
        {"ctx": ctx, "chosen": chosen, "placement": placement, "error": error, "form": form, "saved": saved},
        status_code=status_code,
    )


@router.get("/{workspace}/settings/roadmap")
async def settings_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _settings_page(request, session, ctx, saved=request.query_params.get("saved") == "1")


@router.post("/{workspace}/settings/roadmap")
async def save_settings(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    form = await request.form()
    boards = [v for v in form.getlist("boards") if isinstance(v, str)]
    statuses = [v for v in form.getlist("statuses") if isinstance(v, str)]
    try:
        async with session.begin_nested():
            await service.save_settings(session, ctx, board_slugs=boards, status_keys=statuses)
    except IdeaflowError as exc:
        if exc.status_code in (401, 403):
            raise
        return await _settings_page(
            request,
            session,
            ctx,
            error=exc,
            form={"boards": set(boards), "statuses": set(statuses)},
            status_code=exc.status_code,
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/roadmap?saved=1")
