"""Backlog: HTML pages and htmx fragments — the staff's ranked backlog (select, push, export) and the tracker
connections settings page (admins)."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.backlog import export, service
from ideaflow.backlog.api import webhook_url
from ideaflow.backlog.crypto import DecryptionFailed
from ideaflow.backlog.export import ExportFormat, ExportRequest
from ideaflow.backlog.models import TrackerKind
from ideaflow.backlog.service import BacklogFilter, ConnectionInput
from ideaflow.backlog.trackers import CLIENTS
from ideaflow.backlog.trackers.base import TIMEOUT, USER_AGENT, Connection, TrackerError
from ideaflow.boards import service as board_service
from ideaflow.db import ID_MAX, IdPath, SessionDep
from ideaflow.errors import IdeaflowError, Invalid
from ideaflow.kit.ratelimit import rate_limit
from ideaflow.kit.web import form_data, redirect, render
from ideaflow.ranking import service as ranking_service
from ideaflow.statuses import service as status_service
from ideaflow.workspaces.dependencies import StaffWorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext, require_admin

router = APIRouter()

PAGE_ROWS = 100
RANKING_LABELS = {
    "top": "Top voted",
    "new": "Newest",
    "trending": "Trending",
    "confidence": "Confidence",
    "demand": "Demand",
    "priority": "Priority",
    "pairwise": "Pairwise",
}


def _filter_from(params) -> BacklogFilter:
    ranking = params.get("ranking") or "top"
    if ranking not in ranking_service.RANKINGS:
        ranking = "top"
    board = (params.get("board") or "").replace("\x00", "")[:40]
    return BacklogFilter(ranking=ranking, board=board, status=(params.get("status") or "").replace("\x00", "")[:32])


async def _backlog_page(
    request: Request, session, ctx: WorkspaceContext, *, error: IdeaflowError | None = None, status_code: int = 200
) -> Response:
    params = request.query_params
    flt = _filter_from(params)
    boards = await board_service.list_boards(session, ctx)
    if flt.board and flt.board not in {b.slug for b in boards}:
        flt = BacklogFilter(ranking=flt.ranking, status=flt.status)
    rows = await service.backlog_page(session, ctx, flt, limit=PAGE_ROWS)
    statuses = await status_service.list_statuses(session, workspace_id=ctx.workspace.id)
    connections = [c for c in await service.list_connections(session, ctx) if c.enabled]
    total = await export.count_rows(session, ctx, ExportRequest(filter=flt))
    query = "&".join(
        f"{k}={v}" for k, v in (("ranking", flt.ranking), ("board", flt.board), ("status", flt.status)) if v
    )
    return render(
        request,
        "backlog/backlog.html",
        {
            "ctx": ctx,
            "rows": rows,
            "flt": flt,
            "boards": boards,
            "statuses": statuses,
            "status_by_key": {s.key: s for s in statuses},
            "rankings": [(r, RANKING_LABELS.get(r, r.capitalize())) for r in ranking_service.RANKINGS],
            "connections": connections,
            "total": total,
            "export_query": query,
            "queued": params.get("queued", ""),
            "error": error,
        },
        block="backlog_table" if request.headers.get("HX-Target") == "backlog-table" else None,
        status_code=status_code,
    )


@router.get("/{workspace}/admin/backlog")
async def backlog_page(request: Request, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep) -> Response:
    return await _backlog_page(request, session, ctx)


@router.post("/{workspace}/admin/backlog/push")
async def push(request: Request, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep) -> Response:
    form = await request.form()
    try:
        connection_id = int(str(form.get("connection_id") or "0"))
        if not 0 <= connection_id <= ID_MAX:
            raise ValueError("connection id out of range")
        if str(form.get("mode") or "") == "top":
            flt = BacklogFilter(
                ranking=str(form.get("ranking") or "top"),
                board=str(form.get("board") or ""),
                status=str(form.get("status") or ""),
            )
            try:
                limit = int(str(form.get("limit") or "10"))
            except ValueError:
                raise Invalid.field("limit", "must be a whole number") from None
            ids = await service.top_idea_ids(session, ctx, flt, limit=limit)
        else:
            ids = [int(v) for v in form.getlist("idea_id") if str(v).isdigit() and 0 < int(v) <= ID_MAX]
        if not connection_id:
            raise Invalid.field("connection_id", "choose where to push")
        async with session.begin_nested():
            queued = await service.request_push(session, ctx, connection_id=connection_id, idea_ids=ids)
    except IdeaflowError as exc:
        return await _backlog_page(request, session, ctx, error=exc, status_code=exc.status_code)
    except ValueError:
        error = Invalid.field("connection_id", "choose where to push")
        return await _backlog_page(request, session, ctx, error=error, status_code=422)
    keep = {k: str(form.get(f"view_{k}") or "") for k in ("ranking", "board", "status")}
    query = urlencode({**{k: v for k, v in keep.items() if v}, "queued": queued})
    return redirect(request, f"/{ctx.workspace.slug}/admin/backlog?{query}")


def _export_route(fmt: ExportFormat):
    async def endpoint(
        request: Request, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
    ) -> StreamingResponse:
        params = request.query_params
        flt = _filter_from(params)
        limit_text = params.get("limit") or ""
        req = ExportRequest(filter=flt, limit=int(limit_text) if limit_text.isdigit() else None)
        req.check()
        total = await export.count_rows(session, ctx, req)
        return StreamingResponse(
            export.render(fmt, request.app.state.database, ctx, req),
            media_type=fmt.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename(ctx, fmt)}"',
                "X-Total-Count": str(total),
                "Cache-Control": "no-store",
            },
        )

    return endpoint


for _fmt in ExportFormat:
    router.add_api_route(
        f"/{{workspace}}/admin/backlog/export.{_fmt.value}",
        _export_route(_fmt),
        methods=["GET"],
        name=f"export_{_fmt.name}",
    )


# Tracker connections (admins).


async def _trackers_page(
    request: Request,
    session,
    ctx: WorkspaceContext,
    *,
    form: dict | None = None,
    error: IdeaflowError | None = None,
    edit_id: int | None = None,
    notice: str = "",
    notice_level: str = "success",
    status_code: int = 200,
) -> Response:
    require_admin(ctx)
    connections = await service.list_connections(session, ctx)
    entries = []
    for connection in connections:
        try:
            secret = service.webhook_secret_of(connection)
        except DecryptionFailed:
            secret = ""
        entries.append(
            {
                "c": connection,
                "kind": TrackerKind(connection.kind),
                "webhook_url": webhook_url(ctx.workspace.slug, connection),
                "secret": secret,
                "mapping": service.format_mapping(connection.status_mapping or {}),
            }
        )
    statuses = await status_service.list_statuses(session, workspace_id=ctx.workspace.id)
    return render(
        request,
        "backlog/trackers.html",
        {
            "ctx": ctx,
            "entries": entries,
            "kinds": list(TrackerKind),
            "default_urls": {k.value: v for k, v in service.DEFAULT_BASE_URLS.items()},
            "default_mappings": {k.value: service.format_mapping(v) for k, v in service.DEFAULT_MAPPINGS.items()},
            "target_labels": {k.value: v for k, v in service.TARGET_LABELS.items()},
            "statuses": statuses,
            "form": form or {},
            "error": error,
            "edit_id": edit_id,
            "notice": notice,
            "notice_level": notice_level,
        },
        status_code=status_code,
    )


def _input(form: dict[str, str], *, kind: str) -> ConnectionInput:
    return ConnectionInput(
        kind=kind,
        name=form.get("name", ""),
        base_url=form.get("base_url", ""),
        target=form.get("target", ""),
        token=form.get("token", ""),
        account=form.get("account", ""),
        issue_type=form.get("issue_type", ""),
        mapping=form.get("mapping"),
        enabled=form.get("enabled") == "on",
    )


@router.get("/{workspace}/settings/trackers")
async def trackers_page(request: Request, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep) -> Response:
    return await _trackers_page(request, session, ctx)


@router.post("/{workspace}/settings/trackers")
async def create_tracker(request: Request, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep) -> Response:
    form = await form_data(request)
    form.setdefault("enabled", "on")
    try:
        async with session.begin_nested():
            data = _input(form, kind=form.get("kind", ""))
            if not (form.get("mapping") or "").strip():
                data.mapping = None  # the tracker's default mapping
            await service.create_connection(session, ctx, data)
    except IdeaflowError as exc:
        form.pop("token", None)  # never echoed back into the page
        return await _trackers_page(request, session, ctx, form=form, error=exc, status_code=exc.status_code)
    return redirect(request, f"/{ctx.workspace.slug}/settings/trackers")


@router.post("/{workspace}/settings/trackers/{connection_id}")
async def update_tracker(
    request: Request, connection_id: IdPath, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> Response:
    form = await form_data(request)
    try:
        connection = await service.get_connection(session, ctx, connection_id)
        async with session.begin_nested():
            await service.update_connection(session, ctx, connection_id, _input(form, kind=str(connection.kind)))
    except IdeaflowError as exc:
        return await _trackers_page(
            request, session, ctx, error=exc, edit_id=connection_id, status_code=exc.status_code
        )
    return redirect(request, f"/{ctx.workspace.slug}/settings/trackers")


@router.post("/{workspace}/settings/trackers/{connection_id}/delete")
async def delete_tracker(
    request: Request, connection_id: IdPath, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> Response:
    await service.delete_connection(session, ctx, connection_id)
    return redirect(request, f"/{ctx.workspace.slug}/settings/trackers")


@router.post("/{workspace}/settings/trackers/{connection_id}/rotate-secret")
async def rotate_secret(
    request: Request, connection_id: IdPath, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> Response:
    await service.rotate_webhook_secret(session, ctx, connection_id)
    return redirect(request, f"/{ctx.workspace.slug}/settings/trackers#tracker-{connection_id}")


@router.post("/{workspace}/settings/trackers/{connection_id}/test")
async def test_tracker(
    request: Request, connection_id: IdPath, _: CurrentUser, ctx: StaffWorkspaceDep, session: SessionDep
) -> Response:
    """Call the tracker with the stored credentials and say what we reached (or why not)."""
    require_admin(ctx)
    await rate_limit(request, "tracker-test", limit=20, subject=f"workspace:{ctx.workspace.id}")
    connection = await service.get_connection(session, ctx, connection_id)
    try:
        decrypted = Connection(
            base_url=connection.base_url,
            target=connection.target,
            token=service.token_of(connection),
            account=connection.account,
            issue_type=connection.issue_type,
        )
        async with httpx.AsyncClient(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT}) as http:
            reached = await CLIENTS[TrackerKind(connection.kind)](decrypted, http).check()
        notice, level = f"{connection.name} works: reached {reached}.", "success"
    except (TrackerError, DecryptionFailed, httpx.HTTPError) as exc:
        reason = str(exc) or exc.__class__.__name__
        notice, level = f"{connection.name} did not answer as expected: {reason[:200]}", "error"
    return await _trackers_page(request, session, ctx, notice=notice, notice_level=level, edit_id=connection_id)
