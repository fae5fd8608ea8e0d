"""Audit log API (admins): filtered, newest first, keyset pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ideaflow.audit import service
from ideaflow.audit.schemas import AuditEventRead, AuditPageRead
from ideaflow.db import SessionDep
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["audit"])


@router.get("/{workspace}/audit", response_model=AuditPageRead, summary="The audit log (admins)")
async def list_audit_events(
    ctx: WorkspaceDep,
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=64, description='e.g. "idea.status_changed".')] = None,
    actor: Annotated[str | None, Query(max_length=20, description="A user id.")] = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO date or datetime (inclusive).")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO date or datetime (inclusive).")] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPageRead:
    filters = service.parse_filters(action=action, actor=actor, since=since, until=until)
    page = await service.list_events(session, ctx, filters=filters, cursor=cursor, limit=limit)
    return AuditPageRead(
        items=[
            AuditEventRead(
                id=r.event.id,
                actor_id=r.event.actor_id,
                actor_name=r.actor_name,
                action=r.event.action,
                target_type=r.event.target_type,
                target_id=r.event.target_id,
                before=r.event.before,
                after=r.event.after,
                created_at=r.event.created_at,
            )
            for r in page.items
        ],
        next_cursor=page.next_cursor,
    )
