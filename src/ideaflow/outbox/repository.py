"""Queries for the outbox: add, claim with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL), settle, list
and reset dead letters, prune."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.outbox.models import OutboxEvent, OutboxStatus

_CLAIMED_COLUMNS = (
    OutboxEvent.id,
    OutboxEvent.type,
    OutboxEvent.workspace_id,
    OutboxEvent.payload,
    OutboxEvent.attempts,
    OutboxEvent.created_at,
)


# Most writes emit an event: a plain INSERT built once, not an ORM object and a unit-of-work flush per event.
_ADD_EVENT = insert(OutboxEvent.__table__)


async def add_event(
    session: AsyncSession, *, type: str, workspace_id: int | None, payload: dict[str, Any], at: datetime
) -> None:
    values = {"type": type, "workspace_id": workspace_id, "payload": payload, "available_at": at, "created_at": at}
    await session.execute(_ADD_EVENT, values)


def _lease_free(now: datetime):
    return or_(OutboxEvent.locked_until.is_(None), OutboxEvent.locked_until <= now)


async def has_due(session: AsyncSession, *, now: datetime) -> bool:
    """A cheap read before taking any write lock: is anything pending and due (leased or not)?"""
    found = await session.scalar(
        select(OutboxEvent.id)
        .where(OutboxEvent.status == OutboxStatus.pending, OutboxEvent.available_at <= now)
        .limit(1)
    )
    return found is not None


async def dead_letter_abandoned(session: AsyncSession, *, now: datetime, max_attempts: int) -> int:
    """Rows whose every attempt ended with the worker gone (lease expired, never settled): give up on them
    rather than let one poisonous event take workers down forever."""
    result = await session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.status == OutboxStatus.pending,
            OutboxEvent.attempts >= max_attempts,
            _lease_free(now),
        )
        .values(
            status=OutboxStatus.dead,
            locked_until=None,
            last_error="The worker stopped while delivering this event, on every attempt.",
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


async def claim(
    session: AsyncSession, *, now: datetime, lease_until: datetime, worker: str, limit: int, max_attempts: int
) -> Sequence[Row]:
    """Take up to `limit` due rows for `worker` until `lease_until`, counting an attempt on each.

    On PostgreSQL the rows are locked with SKIP LOCKED, so concurrent workers take disjoint batches
    without waiting on each other; on SQLite the caller's BEGIN IMMEDIATE serialises claims."""
    ids = list(
        await session.scalars(
            select(OutboxEvent.id)
            .where(
                OutboxEvent.status == OutboxStatus.pending,
                OutboxEvent.available_at <= now,
                OutboxEvent.attempts < max_attempts,
                _lease_free(now),
            )
            .order_by(OutboxEvent.available_at, OutboxEvent.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    result = await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids))
        .values(locked_until=lease_until, claimed_by=worker, attempts=OutboxEvent.attempts + 1)
        .returning(*_CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.all(), key=lambda row: row.id)


async def mark_delivered(session: AsyncSession, *, ids: Sequence[int], at: datetime) -> None:
    """Delivered is delivered, whoever holds the lease now: no fencing on claimed_by here."""
    if not ids:
        return
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.status == OutboxStatus.pending)
        .values(status=OutboxStatus.delivered, delivered_at=at, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def schedule_retry(
    session: AsyncSession, *, event_id: int, worker: str, available_at: datetime, error: str
) -> bool:
    """Put the row back for a later attempt, unless another worker took it over after our lease ran out."""
    result = await session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.id == event_id,
            OutboxEvent.status == OutboxStatus.pending,
            OutboxEvent.claimed_by == worker,
        )
        .values(available_at=available_at, locked_until=None, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def mark_dead(session: AsyncSession, *, event_id: int, worker: str, error: str) -> bool:
    result = await session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.id == event_id,
            OutboxEvent.status == OutboxStatus.pending,
            OutboxEvent.claimed_by == worker,
        )
        .values(status=OutboxStatus.dead, locked_until=None, last_error=error)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def list_dead(
    session: AsyncSession, *, workspace_id: int, limit: int, before_id: int | None = None
) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(OutboxEvent.workspace_id == workspace_id, OutboxEvent.status == OutboxStatus.dead)
    if before_id is not None:
        query = query.where(OutboxEvent.id < before_id)
    return list(await session.scalars(query.order_by(OutboxEvent.id.desc()).limit(limit)))


async def count_dead(session: AsyncSession, *, workspace_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.workspace_id == workspace_id, OutboxEvent.status == OutboxStatus.dead)
    )


async def reset_dead(session: AsyncSession, *, workspace_id: int, event_id: int, at: datetime) -> bool:
    """A dead row becomes pending again with a fresh set of attempts, due now. The last error stays
    until the next attempt settles, so an admin can still see why it had died."""
    result = await session.execute(
        update(OutboxEvent)
        .where(
            OutboxEvent.id == event_id,
            OutboxEvent.workspace_id == workspace_id,
            OutboxEvent.status == OutboxStatus.dead,
        )
        .values(status=OutboxStatus.pending, attempts=0, available_at=at, locked_until=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def delete_delivered_before(session: AsyncSession, *, cutoff: datetime, limit: int) -> int:
    ids = select(OutboxEvent.id).where(OutboxEvent.status == OutboxStatus.delivered, OutboxEvent.delivered_at < cutoff)
    result = await session.execute(
        delete(OutboxEvent)
        .where(OutboxEvent.id.in_(ids.limit(limit).scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
