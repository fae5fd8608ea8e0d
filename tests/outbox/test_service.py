"""Emitting events in the caller's transaction, matching handlers, and the admin view of dead letters."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from ideaflow import outbox
from ideaflow.errors import Forbidden, NotFound
from ideaflow.outbox import Registry
from ideaflow.outbox import service as outbox_service
from ideaflow.outbox.models import OutboxEvent, OutboxStatus
from ideaflow.workspaces.models import Role
from tests import factories
from tests.outbox.conftest import load_events, make_worker


async def test_event_emitted_in_a_rolled_back_transaction_is_never_delivered(outbox_db, registry):
    seen = []

    async def record(event):
        seen.append(event.id)

    registry.register("*", record)
    async with outbox_db.write() as session:
        await outbox.emit(session, type="idea.created", workspace_id=None, payload={"idea_id": 1})
        await session.rollback()

    assert await make_worker(outbox_db, registry).run_once() == 0
    assert seen == []
    assert await load_events(outbox_db) == []


async def test_committed_event_reaches_its_handler_once(outbox_db, registry):
    seen = []

    async def record(event):
        seen.append((event.type, event.payload, event.attempt))

    registry.register("idea.created", record)
    async with outbox_db.write() as session, session.begin():
        await outbox.emit(session, type="idea.created", workspace_id=None, payload={"idea_id": 7, "title": "Dark mode"})

    worker = make_worker(outbox_db, registry)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0
    assert seen == [("idea.created", {"idea_id": 7, "title": "Dark mode"}, 1)]
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.delivered
    assert row.delivered_at is not None
    assert row.attempts == 1


async def test_emit_writes_the_row_into_the_callers_transaction_without_committing(session):
    await outbox.emit(session, type="comment.created", workspace_id=None, payload={"comment_id": 3})

    assert session.in_transaction()
    count = await session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "comment.created")
    )
    assert count == 1


async def test_emit_refuses_a_payload_that_is_not_json_before_touching_the_transaction(session):
    with pytest.raises(TypeError):
        await outbox.emit(session, type="idea.created", workspace_id=None, payload={"when": object()})
    assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


async def test_commit_wakes_a_running_worker_without_waiting_for_the_poll(outbox_db, registry):
    delivered = asyncio.Event()

    async def record(event):
        delivered.set()

    registry.register("idea.*", record)
    worker = make_worker(outbox_db, registry, poll_seconds=60)
    worker.start()
    try:
        await asyncio.sleep(0.1)  # the worker has polled once and is now asleep for a minute
        async with outbox_db.write() as session, session.begin():
            await outbox.emit(session, type="idea.status_changed", workspace_id=None, payload={"status": "planned"})
        await asyncio.wait_for(delivered.wait(), timeout=5)
    finally:
        await worker.stop()


async def test_handlers_match_exact_types_dotted_prefixes_and_everything():
    registry = Registry()

    async def exact(event): ...
    async def ideas(event): ...
    async def everything(event): ...

    registry.register("idea.created", exact)
    registry.register("idea.*", ideas)
    registry.register("*", everything)

    assert registry.handlers_for("idea.created") == [exact, ideas, everything]
    assert registry.handlers_for("idea.merged") == [ideas, everything]
    assert registry.handlers_for("ideas.created") == [everything]
    assert registry.handlers_for("comment.created") == [everything]
    for bad in ("", "idea*", "*.created", "idea.*.x"):
        with pytest.raises(ValueError):
            registry.register(bad, exact)


async def _dead_event(database, registry, workspace_id: int, fail: dict) -> int:
    async def flaky(event):
        if fail["on"]:
            raise ConnectionError("tracker answered 503")

    registry.register("idea.shipped", flaky)
    async with database.write() as session, session.begin():
        await outbox.emit(session, type="idea.shipped", workspace_id=workspace_id, payload={"idea_id": 1})
    worker = make_worker(database, registry, max_attempts=2, backoff_base_seconds=0)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 1
    [row] = await load_events(database)
    assert row.status == OutboxStatus.dead
    return row.id


async def test_admin_sees_dead_events_of_their_workspace_and_a_retry_delivers_them(outbox_db, registry):
    async with outbox_db.write() as session, session.begin():
        workspace = await factories.make_workspace(session)
        other = await factories.make_workspace(session)
    fail = {"on": True}
    event_id = await _dead_event(outbox_db, registry, workspace.id, fail)

    async with outbox_db.write() as session, session.begin():
        ctx = await factories.owner_context(session, workspace)
        other_ctx = await factories.owner_context(session, other)
        [dead] = await outbox_service.list_dead_events(session, ctx=ctx)
        assert dead.id == event_id
        assert "ConnectionError: tracker answered 503" in dead.last_error
        assert await outbox_service.count_dead_events(session, ctx=ctx) == 1
        assert await outbox_service.list_dead_events(session, ctx=other_ctx) == []
        with pytest.raises(NotFound):
            await outbox_service.retry_event(session, ctx=other_ctx, event_id=event_id)

    fail["on"] = False
    async with outbox_db.write() as session, session.begin():
        await outbox_service.retry_event(
            session, ctx=await factories.owner_context(session, workspace), event_id=event_id
        )

    assert await make_worker(outbox_db, registry).run_once() == 1
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.delivered
    assert row.attempts == 1
    async with outbox_db.write() as session, session.begin():
        ctx = await factories.owner_context(session, workspace)
        assert await outbox_service.list_dead_events(session, ctx=ctx) == []
        with pytest.raises(NotFound):  # only dead events can be retried
            await outbox_service.retry_event(session, ctx=ctx, event_id=event_id)


async def test_staff_who_are_not_admins_cannot_see_or_retry_dead_events(outbox_db, registry):
    async with outbox_db.write() as session, session.begin():
        workspace = await factories.make_workspace(session)
        staff = await factories.make_user(session)
        await factories.add_member(session, workspace, staff, Role.staff)
    event_id = await _dead_event(outbox_db, registry, workspace.id, {"on": True})

    async with outbox_db.write() as session, session.begin():
        ctx = await factories.context(session, workspace, staff)
        with pytest.raises(Forbidden):
            await outbox_service.list_dead_events(session, ctx=ctx)
        with pytest.raises(Forbidden):
            await outbox_service.retry_event(session, ctx=ctx, event_id=event_id)
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.dead
