"""Webhooks: the admins' settings pages — endpoints, their secrets, the delivery log, redelivery and tests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import ID_MAX, IdPath, SessionDep
from ideaflow.errors import IdeaflowError
from ideaflow.kit.web import redirect, render
from ideaflow.webhooks import service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()

PAGE_SIZE = 50
# Fixed messages chosen by a query parameter after a redirect; nothing the visitor typed is reflected.
NOTICES = {
    "test": "A test message is on its way. Its outcome appears in the delivery log below in a few seconds.",
    "redelivery": "The message is on its way again. The new attempt appears in the delivery log in a few seconds.",
    "enabled": "The endpoint is enabled again.",
    "disabled": "The endpoint is disabled: it receives nothing until you enable it.",
    "saved": "Changes saved.",
    "deleted": "The endpoint was deleted.",
}


def _base(ctx: WorkspaceContext) -> str:
    return f"/{ctx.workspace.slug}/settings/webhooks"


async def _form(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    events = [v for v in form.getlist("event_types") if isinstance(v, str)]
    return values, events


async def _list_page(request: Request, session, ctx: WorkspaceContext, *, status_code: int = 200, **extra) -> Response:
    endpoints = await service.list_endpoints(session, ctx)
    return render(
        request,
        "webhooks/list.html",
        {
            "ctx": ctx,
            "endpoints": endpoints,
            "event_types": service.EVENT_TYPES,
            "disabled": [e for e, _ in endpoints if not e.enabled],
            "notice": NOTICES.get(request.query_params.get("notice", "")),
            "allow_http": request.app.state.settings.webhooks_allow_private_targets,
            **extra,
        },
        status_code=status_code,
    )


async def _detail_page(
    request: Request,
    session,
    ctx: WorkspaceContext,
    endpoint_id: int,
    *,
    before_id: int | None = None,
    status_code: int = 200,
    **extra,
) -> Response:
    endpoint = await service.get_endpoint(session, ctx, endpoint_id)
    deliveries = await service.list_deliveries(session, ctx, endpoint.id, limit=PAGE_SIZE + 1, before_id=before_id)
    return render(
        request,
        "webhooks/detail.html",
        {
            "ctx": ctx,
            "endpoint": endpoint,
            "deliveries": deliveries[:PAGE_SIZE],
            "older": deliveries[PAGE_SIZE - 1].id if len(deliveries) > PAGE_SIZE else None,
            "event_types": service.EVENT_TYPES,
            "notice": NOTICES.get(request.query_params.get("notice", "")),
            **extra,
        },
        status_code=status_code,
    )


@router.get("/{workspace}/settings/webhooks")
async def list_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    return await _list_page(request, session, ctx)


@router.post("/{workspace}/settings/webhooks")
async def create(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    service.require_admin(ctx)
    form, events = await _form(request)
    try:
        async with session.begin_nested():
            endpoint = await service.create_endpoint(
                session,
                ctx,
                url=form.get("url", ""),
                description=form.get("description", ""),
                event_types=events,
                settings=request.app.state.settings,
            )
    except IdeaflowError as exc:
        return await _list_page(
            request, session, ctx, status_code=exc.status_code, error=exc, form=form, chosen=set(events)
        )
    # The secret is shown on this one answer only.
    return await _detail_page(request, session, ctx, endpoint.id, status_code=201, new_secret=endpoint.secret)


@router.get("/{workspace}/settings/webhooks/{endpoint_id}")
async def detail_page(
    request: Request,
    endpoint_id: IdPath,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
    before_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
) -> Response:
    return await _detail_page(request, session, ctx, endpoint_id, before_id=before_id)


@router.post("/{workspace}/settings/webhooks/{endpoint_id}")
async def update(
    request: Request, endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser
) -> Response:
    service.require_admin(ctx)
    form, events = await _form(request)
    try:
        async with session.begin_nested():
            await service.update_endpoint(
                session,
                ctx,
                endpoint_id,
                settings=request.app.state.settings,
                url=form.get("url", ""),
                description=form.get("description", ""),
                event_types=events,
            )
    except IdeaflowError as exc:
        return await _detail_page(
            request, session, ctx, endpoint_id, status_code=exc.status_code, error=exc, form=form, chosen=set(events)
        )
    return redirect(request, f"{_base(ctx)}/{endpoint_id}?notice=saved")


@router.post("/{workspace}/settings/webhooks/{endpoint_id}/enable")
async def enable(request: Request, endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    await service.update_endpoint(session, ctx, endpoint_id, settings=request.app.state.settings, enabled=True)
    return redirect(request, f"{_base(ctx)}/{endpoint_id}?notice=enabled")


@router.post("/{workspace}/settings/webhooks/{endpoint_id}/disable")
async def disable(request: Request, endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    await service.update_endpoint(session, ctx, endpoint_id, settings=request.app.state.settings, enabled=False)
    return redirect(request, f"{_base(ctx)}/{endpoint_id}?notice=disabled")


@router.post("/{workspace}/settings/webhooks/{endpoint_id}/rotate")
async def rotate(request: Request, endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    endpoint = await service.rotate_secret(session, ctx, endpoint_id)
    return await _detail_page(request, session, ctx, endpoint.id, new_secret=endpoint.secret, rotated=True)


@router.post("/{workspace}/settings/webhooks/{endpoint_id}/delete")
async def delete(request: Request, endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    await service.delete_endpoint(session, ctx, endpoint_id)
    return redirect(request, f"{_base(ctx)}?notice=deleted")


@router.post("/{workspace}/settings/webhooks/{endpoint_id}/test")
async def send_test(request: Request, endpoint_id: IdPath, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser):
    await service.request_test(session, ctx, endpoint_id)
    return redirect(request, f"{_base(ctx)}/{endpoint_id}?notice=test#deliveries")


@router.post("/{workspace}/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    request: Request,
    endpoint_id: IdPath,
    delivery_id: IdPath,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
):
    await service.request_redelivery(session, ctx, endpoint_id, delivery_id)
    return redirect(request, f"{_base(ctx)}/{endpoint_id}?notice=redelivery#deliveries")
