"""The worker: retries with growing backoff, dead letters, leases that outlive dead workers, concurrent
workers that never share an event, and pruning."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest

from ideaflow import outbox
from ideaflow.db import utcnow
from ideaflow.outbox import repository
from ideaflow.outbox.models import OutboxStatus
from ideaflow.outbox.worker import backoff_ceiling, full_jitter
from tests.conftest import IS_POSTGRES
from tests.outbox.conftest import load_events, make_worker


async def _emit(database, count: int = 1, type: str = "idea.created") -> list[int]:
    async with database.write() as session, session.begin():
        for n in range(count):
            await outbox.emit(session, type=type, workspace_id=None, payload={"n": n})
    return [row.id for row in await load_events(database)]


async def test_handler_failing_twice_then_succeeding_is_delivered_on_the_third_attempt(outbox_db, registry, clock):
    calls = []

    async def flaky(event):
        calls.append((event.id, event.attempt))
        if len(calls) <= 2:
            raise RuntimeError(f"mail server busy ({len(calls)})")

    registry.register("idea.created", flaky)
    [event_id] = await _emit(outbox_db)
    worker = make_worker(outbox_db, registry, clock, backoff_base_seconds=10, backoff_max_seconds=1000)

    waits = []
    for expected_attempt in (1, 2):
        assert await worker.run_once() == 1
        [row] = await load_events(outbox_db)
        assert row.status == OutboxStatus.pending
        assert row.attempts == expected_attempt
        assert f"mail server busy ({expected_attempt})" in row.last_error
        wait = (row.available_at - clock()).total_seconds()
        waits.append(wait)
        assert await worker.run_once() == 0, "retried before its backoff ran out"
        clock.advance(wait + 0.01)

    assert waits[0] == pytest.approx(10, abs=1)
    assert waits[1] == pytest.approx(20, abs=1)
    assert await worker.run_once() == 1
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.delivered
    assert row.attempts == 3
    assert row.last_error is None
    assert calls == [(event_id, 1), (event_id, 2), (event_id, 3)]


async def test_backoff_doubles_up_to_the_cap_and_jitter_stays_below_it():
    assert [backoff_ceiling(n, base=2, cap=60) for n in range(1, 8)] == [2, 4, 8, 16, 32, 60, 60]
    samples = [full_jitter(8.0) for _ in range(500)]
    assert all(0 <= s <= 8.0 for s in samples)
    assert max(samples) - min(samples) > 4, "full jitter spreads retries over the whole window"


async def test_always_failing_event_is_dead_after_the_last_attempt_and_no_longer_tried(outbox_db, registry, clock):
    calls = []

    async def broken(event):
        calls.append(event.attempt)
        raise ValueError("webhook returned 410 Gone")

    registry.register("*", broken)
    await _emit(outbox_db)
    worker = make_worker(outbox_db, registry, clock, max_attempts=4, backoff_base_seconds=1, backoff_max_seconds=5)
    for _ in range(4):
        assert await worker.run_once() == 1
        clock.advance(10)

    assert await worker.run_once() == 0
    assert calls == [1, 2, 3, 4]
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.dead
    assert row.attempts == 4
    assert "ValueError: webhook returned 410 Gone" in row.last_error
    assert row.locked_until is None


async def test_failure_text_shown_to_admins_masks_credentials(outbox_db, registry):
    async def leaky(event):
        raise ConnectionError(
            "POST https://ops:hunter2@hooks.example.com/x?token=s3cr3tvalue&page=2 failed; "
            "sent Authorization: Bearer abcdefghijklmnop " + "x" * 5000
        )

    registry.register("*", leaky)
    await _emit(outbox_db)
    await make_worker(outbox_db, registry).run_once()

    [row] = await load_events(outbox_db)
    assert "hooks.example.com" in row.last_error
    for secret in ("hunter2", "s3cr3tvalue", "abcdefghijklmnop"):
        assert secret not in row.last_error
    assert len(row.last_error) <= 2000


async def test_event_leased_by_a_worker_that_died_is_delivered_once_the_lease_expires(outbox_db, registry, clock):
    seen = []

    async def record(event):
        seen.append(event.attempt)

    registry.register("*", record)
    await _emit(outbox_db)
    # A worker claims the event and dies before it could deliver or settle it.
    async with outbox_db.write() as session, session.begin():
        now = clock()
        claimed = await repository.claim(
            session, now=now, lease_until=now + timedelta(seconds=30), worker="gone", limit=10, max_attempts=8
        )
    assert len(claimed) == 1

    survivor = make_worker(outbox_db, registry, clock)
    assert await survivor.run_once() == 0, "claimed another worker's event while its lease was still valid"
    clock.advance(31)
    assert await survivor.run_once() == 1
    assert seen == [2]
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.delivered


async def test_event_whose_every_attempt_killed_its_worker_is_dead_lettered(outbox_db, registry, clock):
    seen = []

    async def record(event):
        seen.append(event.id)

    registry.register("*", record)
    await _emit(outbox_db)
    for _ in range(2):
        async with outbox_db.write() as session, session.begin():
            now = clock()
            await repository.claim(
                session, now=now, lease_until=now + timedelta(seconds=5), worker="crashing", limit=1, max_attempts=2
            )
        clock.advance(6)

    assert await make_worker(outbox_db, registry, clock, max_attempts=2).run_once() == 0
    assert seen == []
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.dead
    assert "stopped while delivering" in row.last_error


async def test_handler_slower_than_the_lease_allows_is_cancelled_and_retried(outbox_db, registry):
    async def stuck(event):
        await asyncio.sleep(30)

    registry.register("*", stuck)
    await _emit(outbox_db)
    started = time.monotonic()
    assert await make_worker(outbox_db, registry, lease_seconds=0.5).run_once() == 1

    assert time.monotonic() - started < 5
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.pending
    assert "TimeoutError" in row.last_error
    assert row.locked_until is None


async def test_events_without_handlers_are_marked_delivered(outbox_db, registry):
    await _emit(outbox_db, type="idea.tagged")
    assert await make_worker(outbox_db, registry).run_once() == 1
    [row] = await load_events(outbox_db)
    assert row.status == OutboxStatus.delivered


async def test_two_workers_deliver_every_event_exactly_once(outbox_db, registry):
    ids = await _emit(outbox_db, count=60)
    in_flight: set[int] = set()
    deliveries: list[tuple[int, str]] = []
    overlaps = []

    def recorder(worker_name: str):
        async def record(event):
            if event.id in in_flight:
                overlaps.append(event.id)
            in_flight.add(event.id)
            await asyncio.sleep(0.005)
            in_flight.discard(event.id)
            deliveries.append((event.id, worker_name))

        return record

    # Each worker gets its own registry, as separate processes would have.
    workers = []
    for name in ("w1", "w2"):
        own = outbox.Registry()
        own.register("*", recorder(name))
        workers.append(make_worker(outbox_db, own, name=name, batch_size=4))

    for _ in range(100):
        claimed = await asyncio.gather(*(w.run_once() for w in workers))
        if sum(claimed) == 0:
            break

    assert overlaps == []
    assert sorted(event_id for event_id, _ in deliveries) == ids
    assert {name for _, name in deliveries} == {"w1", "w2"}
    assert all(row.status == OutboxStatus.delivered for row in await load_events(outbox_db))


@pytest.mark.skipif(not IS_POSTGRES, reason="row locks with SKIP LOCKED are PostgreSQL's; SQLite serialises writers")
async def test_claim_skips_rows_another_worker_is_still_claiming_without_waiting(outbox_db):
    ids = await _emit(outbox_db, count=6)
    now = utcnow()
    lease = now + timedelta(seconds=60)
    async with outbox_db.write() as first, first.begin():
        mine = await repository.claim(first, now=now, lease_until=lease, worker="first", limit=3, max_attempts=8)
        # The first claim has not committed; a second worker must neither wait for it nor take its rows.
        async with outbox_db.write() as second, second.begin():
            theirs = await asyncio.wait_for(
                repository.claim(second, now=now, lease_until=lease, worker="second", limit=10, max_attempts=8),
                timeout=5,
            )
    assert [r.id for r in mine] == ids[:3]
    assert [r.id for r in theirs] == ids[3:]


async def test_delivered_events_are_pruned_after_the_retention_period(outbox_db, registry, clock):
    async def broken(event):
        if event.type == "idea.merged":
            raise RuntimeError("no")

    registry.register("*", broken)
    await _emit(outbox_db, type="idea.created")
    await _emit(outbox_db, type="idea.merged")
    worker = make_worker(outbox_db, registry, clock, retention_days=7, max_attempts=1)
    assert await worker.run_once() == 2

    clock.advance(6 * 86400)
    assert await worker.prune() == 0
    clock.advance(2 * 86400)
    assert await worker.prune() == 1
    assert [(row.type, row.status) for row in await load_events(outbox_db)] == [("idea.merged", OutboxStatus.dead)]
