"""Outbox: the admins' page of dead-lettered events — what failed, why, and a button to try again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import ID_MAX, IdPath, SessionDep
from ideaflow.kit.web import redirect, render
from ideaflow.outbox import service
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter()

PAGE_SIZE = 50


@router.get("/{workspace}/settings/events")
async def dead_events_page(
    request: Request,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
    before_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
) -> Response:
    events = await service.list_dead_events(session, ctx=ctx, limit=PAGE_SIZE + 1, before_id=before_id)
    total = await service.count_dead_events(session, ctx=ctx)
    return render(
        request,
        "outbox/events.html",
        {
            "ctx": ctx,
            "events": events[:PAGE_SIZE],
            "older": events[PAGE_SIZE - 1].id if len(events) > PAGE_SIZE else None,
            "total": total,
            "retried": request.query_params.get("retried") == "1",
        },
    )


@router.post("/{workspace}/settings/events/{event_id}/retry")
async def retry_event(
    request: Request, event_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    await service.retry_event(session, ctx=ctx, event_id=event_id)
    return redirect(request, f"/{ctx.workspace.slug}/settings/events?retried=1")
