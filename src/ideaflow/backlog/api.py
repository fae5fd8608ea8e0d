"""Backlog: JSON API — tracker connections (admins), the ranked backlog and pushes (staff), streamed exports,
and the signed inbound webhooks trackers call."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import JSONResponse, Response, StreamingResponse

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.backlog import export, service
from ideaflow.backlog.export import ExportFormat, ExportRequest
from ideaflow.backlog.models import TrackerConnection
from ideaflow.backlog.schemas import (
    BacklogItemRead,
    InboundRead,
    PushQueued,
    PushRequest,
    TrackerConnectionCreate,
    TrackerConnectionRead,
    TrackerConnectionUpdate,
    TrackerItemRead,
    WebhookSecretRead,
)
from ideaflow.backlog.service import BacklogFilter, ConnectionInput
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import Invalid
from ideaflow.kit.ratelimit import own_rate_limit, rate_limit
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import StaffWorkspaceDep

router = APIRouter(tags=["backlog"])

WEBHOOK_RATE_PER_MINUTE = 600


def webhook_url(slug: str, connection: TrackerConnection) -> str:
    return get_settings().base_url.rstrip("/") + service.webhook_path(slug, connection)


def connection_read(slug: str, connection: TrackerConnection) -> TrackerConnectionRead:
    return TrackerConnectionRead(
        id=connection.id,
        kind=connection.kind,
        name=connection.name,
        base_url=connection.base_url,
        target=connection.target,
        account=connection.account,
        issue_type=connection.issue_type,
        token=f"set (…{connection.token_hint})",
        status_mapping=connection.status_mapping,
        enabled=connection.enabled,
        webhook_url=webhook_url(slug, connection),
        created_at=connection.created_at,
    )


@router.get("/{workspace}/trackers", response_model=list[TrackerConnectionRead], summary="List tracker connections")
async def list_connections(_: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep) -> list[TrackerConnectionRead]:
    return [connection_read(ctx.workspace.slug, c) for c in await service.list_connections(session, ctx)]


@router.post(
    "/{workspace}/trackers",
    response_model=TrackerConnectionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Connect a tracker (admins)",
)
async def create_connection(
    body: TrackerConnectionCreate, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> TrackerConnectionRead:
    data = ConnectionInput(**body.model_dump(exclude={"status_mapping", "kind"}), kind=body.kind.value)
    data.mapping = body.status_mapping
    connection = await service.create_connection(session, ctx, data)
    return connection_read(ctx.workspace.slug, connection)


@router.patch(
    "/{workspace}/trackers/{connection_id}", response_model=TrackerConnectionRead, summary="Change a connection"
)
async def update_connection(
    connection_id: IdPath, body: TrackerConnectionUpdate, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> TrackerConnectionRead:
    workspace_service.require_admin(ctx)
    current = await service.get_connection(session, ctx, connection_id)
    changes = body.model_dump(exclude_unset=True)
    data = service.input_of(current, **{k: v for k, v in changes.items() if k not in ("status_mapping", "token")})
    data.token = changes.get("token") or ""
    data.mapping = changes.get("status_mapping")
    connection = await service.update_connection(session, ctx, connection_id, data)
    return connection_read(ctx.workspace.slug, connection)


@router.delete(
    "/{workspace}/trackers/{connection_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a connection"
)
async def delete_connection(
    connection_id: IdPath, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> Response:
    await service.delete_connection(session, ctx, connection_id)
    return Response(status_code=204)


@router.get(
    "/{workspace}/trackers/{connection_id}/webhook-secret",
    response_model=WebhookSecretRead,
    summary="The inbound webhook URL and secret to paste into the tracker (admins)",
)
async def webhook_secret(
    connection_id: IdPath, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> WebhookSecretRead:
    workspace_service.require_admin(ctx)
    connection = await service.get_connection(session, ctx, connection_id)
    return WebhookSecretRead(
        webhook_url=webhook_url(ctx.workspace.slug, connection), secret=service.webhook_secret_of(connection)
    )


@router.post(
    "/{workspace}/trackers/{connection_id}/webhook",
    response_model=InboundRead,
    status_code=status.HTTP_200_OK,
    summary="Inbound tracker webhook (signed by the tracker, not by a user)",
    responses={
        202: {"description": "Accepted but ignored (not a state change, or no linked idea)."},
        401: {"description": "Bad signature or stale timestamp."},
        409: {"description": "This delivery id was already received (a replay)."},
    },
)
@own_rate_limit
async def receive_webhook(
    request: Request,
    workspace: Annotated[str, Path(max_length=40)],
    connection_id: IdPath,
    session: SessionDep,
) -> JSONResponse:
    await rate_limit(request, "tracker-webhook", limit=WEBHOOK_RATE_PER_MINUTE, subject=f"connection:{connection_id}")
    body = await request.body()
    if len(body) > 1_000_000:
        raise Invalid.field("body", "is larger than 1 MB")
    ctx = await workspace_service.load_context(session, slug=workspace.lower(), user=None)
    headers = {k.lower(): v for k, v in request.headers.items()}
    result = await service.receive_webhook(session, ctx=ctx, connection_id=connection_id, body=body, headers=headers)
    code = 200 if result.outcome != "ignored" else 202
    return JSONResponse(InboundRead(outcome=result.outcome, detail=result.detail).model_dump(), status_code=code)


def _filter(ranking: str, board: str, status_: str) -> BacklogFilter:
    flt = BacklogFilter(ranking=ranking, board=board, status=status_)
    flt.check()
    return flt


def item_read(row: service.BacklogRow, slug: str) -> BacklogItemRead:
    data = export.record(row, slug)
    return BacklogItemRead(
        id=row.idea.id,
        **{k: v for k, v in data.items() if k != "tracker_items"},
        tracker_items=[TrackerItemRead(**t) for t in data["tracker_items"]],
    )


@router.get("/{workspace}/backlog", response_model=list[BacklogItemRead], summary="The ranked backlog (staff)")
async def backlog(
    _: CurrentUser,
    ctx: StaffWorkspaceDep,
    session: SessionDep,
    ranking: Annotated[str, Query(max_length=20)] = "top",
    board: Annotated[str, Query(max_length=40)] = "",
    status_: Annotated[str, Query(alias="status", max_length=32)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[BacklogItemRead]:
    rows = await service.backlog_page(session, ctx, _filter(ranking, board, status_), limit=limit)
    return [item_read(row, ctx.workspace.slug) for row in rows]


@router.post(
    "/{workspace}/backlog/push",
    response_model=PushQueued,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Push ideas to a tracker: chosen ids, or the top N by a ranking",
)
async def push(body: PushRequest, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep) -> PushQueued:
    if (body.idea_ids is None) == (body.top is None):
        raise Invalid.field("idea_ids", "give either idea_ids or top")
    if body.top is not None:
        flt = _filter(body.top.ranking, body.top.board, body.top.status)
        ids = await service.top_idea_ids(session, ctx, flt, limit=body.top.limit)
        if not ids:
            raise Invalid.field("top", "no idea matches these filters")
    else:
        ids = body.idea_ids or []
    return PushQueued(queued=await service.request_push(session, ctx, connection_id=body.connection_id, idea_ids=ids))


async def export_response(
    request: Request, ctx, session, fmt: ExportFormat, ranking: str, board: str, status_: str, limit: int | None
) -> StreamingResponse:
    req = ExportRequest(filter=_filter(ranking, board, status_), limit=limit)
    req.check()
    total = await export.count_rows(session, ctx, req)
    body = export.render(fmt, request.app.state.database, ctx, req)
    return StreamingResponse(
        body,
        media_type=fmt.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename(ctx, fmt)}"',
            "X-Total-Count": str(total),
            "Cache-Control": "no-store",
        },
    )


def _export_route(fmt: ExportFormat):
    async def endpoint(
        request: Request,
        _: CurrentUser,
        ctx: StaffWorkspaceDep,
        session: SessionDep,
        ranking: Annotated[str, Query(max_length=20)] = "top",
        board: Annotated[str, Query(max_length=40)] = "",
        status_: Annotated[str, Query(alias="status", max_length=32)] = "",
        limit: Annotated[int | None, Query(ge=1, le=export.MAX_ROWS)] = None,
    ) -> StreamingResponse:
        return await export_response(request, ctx, session, fmt, ranking, board, status_, limit)

    return endpoint


for _fmt in ExportFormat:
    router.add_api_route(
        f"/{{workspace}}/backlog/export.{_fmt.value}",
        _export_route(_fmt),
        methods=["GET"],
        summary=f"Export the backlog as {_fmt.value.upper().replace('JIRA.CSV', 'Jira CSV import')} (streamed)",
        response_class=StreamingResponse,
        responses={200: {"content": {_fmt.media_type.split(";")[0]: {}}, "description": "The file, streamed."}},
    )
