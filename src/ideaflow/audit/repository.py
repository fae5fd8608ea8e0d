"""Queries for the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.audit.models import AuditEvent


async def list_events(
    session: AsyncSession,
    workspace_id: int,
    *,
    filters,
    after: tuple[datetime, int] | None,
    limit: int,
    oldest_first: bool = False,
):
    from ideaflow.audit.service import AuditRow

    stmt = (
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.workspace_id == workspace_id)
    )
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == filters.actor_id)
    if filters.since:
        stmt = stmt.where(AuditEvent.created_at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEvent.created_at <= filters.until)
    # Spelled out rather than a row comparison, so the datetime is bound through the column's UTC type.
    if oldest_first:
        if after:
            at, last_id = after
            stmt = stmt.where(
                or_(AuditEvent.created_at > at, and_(AuditEvent.created_at == at, AuditEvent.id > last_id))
            )
        stmt = stmt.order_by(AuditEvent.created_at, AuditEvent.id)
    else:
        if after:
            at, last_id = after
            stmt = stmt.where(
                or_(AuditEvent.created_at < at, and_(AuditEvent.created_at == at, AuditEvent.id < last_id))
            )
        stmt = stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    rows = await session.execute(stmt.limit(limit))
    return [AuditRow(event=e, actor_name=n) for e, n in rows]


async def distinct_actions(session: AsyncSession, workspace_id: int) -> list[str]:
    rows = await session.scalars(
        select(AuditEvent.action).where(AuditEvent.workspace_id == workspace_id).distinct().order_by(AuditEvent.action)
    )
    return list(rows)
