"""The audit log for admins: browse with filters (action, actor, dates) and keyset pages, and export as a
streamed CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.audit import service
from ideaflow.db import SessionDep
from ideaflow.errors import Invalid
from ideaflow.kit.web import render
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter()


def _filters(request: Request):
    p = request.query_params
    return service.parse_filters(
        action=p.get("action"), actor=p.get("actor"), since=p.get("since"), until=p.get("until")
    )


@router.get("/{workspace}/admin/audit")
async def audit_page(request: Request, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    error = None
    try:
        filters = _filters(request)
    except Invalid as exc:
        error, filters = exc, service.AuditFilters()
    try:
        page = await service.list_events(session, ctx, filters=filters, cursor=request.query_params.get("cursor"))
    except Invalid as exc:
        error = error or exc
        page = await service.list_events(session, ctx, filters=filters)
    members = await workspace_service.list_members(session, ctx)
    return render(
        request,
        "audit/list.html",
        {
            "ctx": ctx,
            "page": page,
            "filters": filters,
            "form": dict(request.query_params),
            "actions": await service.list_actions(session, ctx),
            "members": members,
            "error": error,
        },
        status_code=error.status_code if error else 200,
        block="audit_rows" if request.headers.get("HX-Target") == "audit-more" else None,
    )


@router.get("/{workspace}/admin/audit.csv")
async def audit_csv(request: Request, ctx: WorkspaceDep, _: CurrentUser) -> Response:
    workspace_service.require_admin(ctx)
    filters = _filters(request)
    stamp = ctx.workspace.slug
    return StreamingResponse(
        service.export_csv(request.app.state.database.read, workspace_id=ctx.workspace.id, filters=filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stamp}-audit-log.csv"', "Cache-Control": "no-store"},
    )
