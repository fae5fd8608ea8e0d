"""The audit log's rules: one function to record a staff action, and reading it back for admins (filters,
keyset pages, a streamed CSV export). Rows are never updated or deleted by the application."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ideaflow.audit import repository
from ideaflow.audit.models import AuditEvent
from ideaflow.errors import Invalid
from ideaflow.kit.pagination import decode_cursor, encode_cursor
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.service import WorkspaceContext

PAGE_SIZE_MAX = 200
EXPORT_BATCH = 500


async def record(
    session: AsyncSession,
    *,
    workspace_id: int,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEvent:
    """Append one row to the workspace's audit log, in the caller's transaction. `action` is any
    "<noun>.<past_tense_verb>" name ("idea.status_changed", "member.role_changed", ...); `actor_id` None means
    the system (an integration or a job). `before`/`after` hold the changed fields only (JSON-serialisable)."""
    event = AuditEvent(
        workspace_id=workspace_id,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=_jsonable(before),
        after=_jsonable(after),
        created_at=datetime.now(UTC),
    )
    session.add(event)
    await session.flush()
    return event


async def record_by(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    action: str,
    target_type: str,
    target_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """`record` for an action taken by the viewer of `ctx` in its workspace."""
    return await record(
        session,
        workspace_id=ctx.workspace.id,
        actor_id=ctx.user.id if ctx.user else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The fields that differ between two snapshots, as (before, after); None when nothing changed."""
    keys = [k for k in after if after[k] != before.get(k)]
    if not keys:
        return None
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Round-trip through orjson so enums and datetimes are stored as the strings a reader expects.
    return None if value is None else orjson.loads(orjson.dumps(value, default=str))


@dataclass
class AuditFilters:
    action: str | None = None
    actor_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def query_string(self) -> str:
        pairs = {
            "action": self.action or "",
            "actor": str(self.actor_id or ""),
            "since": self.since.date().isoformat() if self.since else "",
            "until": self.until.date().isoformat() if self.until else "",
        }
        return urlencode({k: v for k, v in pairs.items() if v})


def parse_filters(*, action: str | None, actor: str | None, since: str | None, until: str | None) -> AuditFilters:
    """Filters from query parameters, with the field named when one is not understood."""

    def day(name: str, value: str | None, end: bool) -> datetime | None:
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid.field(name, "use a date like 2026-11-23") from None
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if end and len(value) <= 10:  # a whole day: up to its end
            parsed = parsed.replace(hour=23, minute=59, second=59, microsecond=999_999)
        return parsed

    actor_id = None
    if actor:
        if not actor.isdigit() or not 1 <= int(actor) <= 2**63 - 1:
            raise Invalid.field("actor", "must be a user id")
        actor_id = int(actor)
    return AuditFilters(
        action=(action or "").strip()[:64] or None,
        actor_id=actor_id,
        since=day("since", since, False),
        until=day("until", until, True),
    )


@dataclass
class AuditRow:
    event: AuditEvent
    actor_name: str | None


@dataclass
class AuditPage:
    items: list[AuditRow]
    next_cursor: str | None


CURSOR_TYPES = (str, int)


async def list_events(
    session: AsyncSession, ctx: WorkspaceContext, *, filters: AuditFilters, cursor: str | None = None, limit: int = 50
) -> AuditPage:
    workspace_service.require_admin(ctx)
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise Invalid.field("limit", f"must be between 1 and {PAGE_SIZE_MAX}")
    after = decode_cursor(cursor, types=CURSOR_TYPES)
    after_key = None
    if after:
        try:
            at = datetime.fromisoformat(after[0])
        except ValueError:
            at = None
        if at is None or at.tzinfo is None or not 1 <= after[1] <= 2**63 - 1:
            raise Invalid.field("cursor", "is not a cursor this server issued")
        after_key = (at, after[1])
    rows = await repository.list_events(session, ctx.workspace.id, filters=filters, after=after_key, limit=limit + 1)
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1].event
        next_cursor = encode_cursor([last.created_at.isoformat(), last.id])
    return AuditPage(items=rows[:limit], next_cursor=next_cursor)


async def list_actions(session: AsyncSession, ctx: WorkspaceContext) -> list[str]:
    workspace_service.require_admin(ctx)
    return await repository.distinct_actions(session, ctx.workspace.id)


CSV_HEADER = ["id", "created_at", "actor_id", "actor", "action", "target_type", "target_id", "before", "after"]


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # Cells a spreadsheet would run as a formula are prefixed, so an export cannot carry an injection.
    writer.writerow([("'" + v) if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in values])
    return buffer.getvalue()


async def export_csv(
    maker: async_sessionmaker[AsyncSession], *, workspace_id: int, filters: AuditFilters
) -> AsyncIterator[str]:
    """The filtered log, oldest first, as CSV lines produced batch by batch (constant memory). Runs in its own
    read session because the response streams after the request's session has closed."""
    yield _csv_line(CSV_HEADER)
    after: tuple[datetime, int] | None = None
    while True:
        async with maker() as session:
            rows = await repository.list_events(
                session, workspace_id, filters=filters, after=after, limit=EXPORT_BATCH, oldest_first=True
            )
        for row in rows:
            e = row.event
            yield _csv_line(
                [
                    e.id,
                    e.created_at.isoformat(),
                    e.actor_id if e.actor_id is not None else "",
                    row.actor_name or ("system" if e.actor_id is None else ""),
                    e.action,
                    e.target_type,
                    e.target_id if e.target_id is not None else "",
                    orjson.dumps(e.before).decode() if e.before is not None else "",
                    orjson.dumps(e.after).decode() if e.after is not None else "",
                ]
            )
        if len(rows) < EXPORT_BATCH:
            return
        after = (rows[-1].event.created_at, rows[-1].event.id)
