"""Emitting events inside the caller's transaction, the handler registry, waking workers after commit,
and the admin view of dead letters.

Delivery is at least once: a worker may die after a handler ran and before the row was marked, or a
second handler of the same event may fail and the event be retried. Handlers must therefore be
idempotent; `Event.id` is stable across attempts, so a handler can dedupe on it (for instance a unique
column holding the event id, or an Idempotency-Key header of `ideaflow-event-{id}`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine, utcnow
from ideaflow.errors import Forbidden, Invalid, NotFound
from ideaflow.outbox import repository
from ideaflow.outbox.models import OutboxEvent

if TYPE_CHECKING:
    from ideaflow.workspaces.service import WorkspaceContext

MAX_TYPE_LENGTH = 80
_EMITTED = "ideaflow.outbox.emitted"


@dataclass(frozen=True)
class Event:
    """What a handler receives. `id` is the same on every attempt: dedupe on it."""

    id: int
    type: str
    workspace_id: int | None
    payload: dict[str, Any]
    attempt: int
    created_at: datetime


Handler = Callable[[Event], Awaitable[None]]


@dataclass
class Registry:
    """Handlers by event type. A pattern is an exact type ("idea.created"), a prefix ending in ".*"
    ("idea.*" matches "idea.created" and "idea.status_changed"), or "*" for every event."""

    _handlers: list[tuple[str, Handler]] = field(default_factory=list)

    def register(self, pattern: str, handler: Handler) -> Handler:
        if not _valid_pattern(pattern):
            raise ValueError(f"not an event pattern: {pattern!r}")
        if (pattern, handler) not in self._handlers:
            self._handlers.append((pattern, handler))
        return handler

    def unregister(self, pattern: str, handler: Handler) -> None:
        self._handlers.remove((pattern, handler))

    def handlers_for(self, type: str) -> list[Handler]:
        return [handler for pattern, handler in self._handlers if _matches(pattern, type)]


def _valid_pattern(pattern: str) -> bool:
    if pattern == "*":
        return True
    stem = pattern.removesuffix(".*")
    return bool(stem) and "*" not in stem


def _matches(pattern: str, type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return type.startswith(pattern[:-1])
    return pattern == type


registry = Registry()

_handler_database: Database | None = None


def bind_database(database: Database | None) -> None:
    """Name the database handlers work in. Every worker binds its own when it runs a batch, so handlers in
    the app's in-process worker, in `ideaflow worker` and in tests all reach the database the event came from."""
    global _handler_database
    _handler_database = database


def handler_database() -> Database:
    """The database for a handler's own reads and writes (an event carries ids, not a session): the bound
    one, or, in a process that never bound one, a pool built from the settings once."""
    global _handler_database
    if _handler_database is None:
        _handler_database = Database.from_engine(create_engine(get_settings()))
    return _handler_database


def register(pattern: str, handler: Handler | None = None):
    """`register("idea.created", handle)`, or as a decorator: `@register("idea.*")`. Handlers run in
    registration order; one raising means the whole event is retried later."""
    if handler is not None:
        return registry.register(pattern, handler)
    return lambda fn: registry.register(pattern, fn)


async def emit(session: AsyncSession, *, type: str, workspace_id: int | None, payload: dict[str, Any]) -> None:
    """Record a domain event in the caller's transaction: it exists if and only if the change that caused
    it commits. Flushes, never commits; workers in this process are woken after the commit."""
    if not type or len(type) > MAX_TYPE_LENGTH:
        raise ValueError(f"event type must be 1–{MAX_TYPE_LENGTH} characters")
    # Fail at the call site, not at flush time deep in the request, if the payload is not plain JSON.
    json.dumps(payload)
    await repository.add_event(session, type=type, workspace_id=workspace_id, payload=payload, at=utcnow())
    session.info[_EMITTED] = True


# Waking workers. Each running worker registers an asyncio.Event; after a session that emitted commits,
# they are all set, so delivery starts at once instead of at the next poll.
_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def add_waker(wake: asyncio.Event) -> None:
    _wakers.add((asyncio.get_running_loop(), wake))


def remove_waker(wake: asyncio.Event) -> None:
    for item in [w for w in _wakers if w[1] is wake]:
        _wakers.discard(item)


def notify() -> None:
    """Wake the workers running in this process (safe to call from any thread)."""
    try:
        current = asyncio.get_running_loop()
    except RuntimeError:
        current = None
    for loop, wake in list(_wakers):
        if loop is current:
            wake.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_EMITTED, False):
        notify()


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous_transaction) -> None:
    session.info.pop(_EMITTED, None)


# Dead letters, for workspace admins.


def _require_admin(ctx: WorkspaceContext) -> None:
    if not ctx.is_admin:
        raise Forbidden("Only workspace admins can see and retry failed deliveries.")


async def list_dead_events(
    session: AsyncSession, *, ctx: WorkspaceContext, limit: int = 50, before_id: int | None = None
) -> list[OutboxEvent]:
    """The workspace's dead-lettered events, newest first, with the last error of each."""
    _require_admin(ctx)
    if not 1 <= limit <= 200:
        raise Invalid.field("limit", "must be between 1 and 200")
    return await repository.list_dead(session, workspace_id=ctx.workspace.id, limit=limit, before_id=before_id)


async def count_dead_events(session: AsyncSession, *, ctx: WorkspaceContext) -> int:
    _require_admin(ctx)
    return await repository.count_dead(session, workspace_id=ctx.workspace.id)


async def retry_event(session: AsyncSession, *, ctx: WorkspaceContext, event_id: int) -> None:
    """Give a dead event a fresh set of attempts, due now; workers are woken after the commit."""
    _require_admin(ctx)
    if not await repository.reset_dead(session, workspace_id=ctx.workspace.id, event_id=event_id, at=utcnow()):
        raise NotFound("No failed delivery with that id in this workspace.")
    session.info[_EMITTED] = True
