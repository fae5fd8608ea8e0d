"""Crash safety with real worker processes on a database of their own: a worker killed with SIGKILL in
the middle of a batch loses nothing, because its leases expire and the next worker delivers what it held."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from ideaflow import outbox
from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine, utcnow
from ideaflow.outbox.models import OutboxEvent, OutboxStatus

SCRIPT = Path(__file__).with_name("worker_process.py")
EVENTS = 12


def _start_worker(url: str, data_dir: Path, deliveries: Path, *, delay: float, lease: float, batch: int):
    env = {**os.environ, "IDEAFLOW_DATABASE_URL": url, "IDEAFLOW_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(deliveries), str(delay), str(lease), str(batch)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _lines(deliveries: Path) -> list[tuple[str, int, int]]:
    if not deliveries.exists():
        return []
    rows = []
    for line in deliveries.read_text().splitlines():
        kind, event_id, pid = line.split()
        rows.append((kind, int(event_id), int(pid)))
    return rows


async def _wait_for(condition, *, within: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"worker exited early while waiting for {what}: {process.communicate()}")
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_worker_killed_mid_batch_loses_no_event(migrated_database_url, tmp_path):
    deliveries = tmp_path / "deliveries.log"
    engine = create_engine(get_settings(), url=migrated_database_url, pool=False)
    database = Database.from_engine(engine)
    first = second = None
    try:
        async with database.write() as session, session.begin():
            for n in range(EVENTS):
                await outbox.emit(session, type="idea.created", workspace_id=None, payload={"n": n})
        async with database.read() as session:
            ids = set(await session.scalars(select(OutboxEvent.id)))
        assert len(ids) == EVENTS

        first = _start_worker(migrated_database_url, tmp_path, deliveries, delay=0.4, lease=2, batch=3)

        async def mid_batch():
            lines = _lines(deliveries)
            done = {i for kind, i, _ in lines if kind == "done"}
            in_flight = {i for kind, i, _ in lines if kind == "start"} - done
            return (done, in_flight) if len(done) >= 3 and in_flight else None

        await _wait_for(mid_batch, within=60, what="a batch in flight", process=first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        lines = _lines(deliveries)
        done_before_kill = {i for kind, i, _ in lines if kind == "done"}
        in_flight_at_kill = {i for kind, i, _ in lines if kind == "start"} - done_before_kill
        assert in_flight_at_kill, "the worker was not killed mid-delivery"
        assert len(done_before_kill) < EVENTS

        # What the dead worker held is still leased to it, not lost and not yet anyone else's.
        async with database.read() as session:
            held = set(
                await session.scalars(
                    select(OutboxEvent.id).where(
                        OutboxEvent.status == OutboxStatus.pending, OutboxEvent.locked_until > utcnow()
                    )
                )
            )
        assert in_flight_at_kill <= held | done_before_kill

        second = _start_worker(migrated_database_url, tmp_path, deliveries, delay=0.05, lease=2, batch=3)

        async def all_delivered():
            async with database.read() as session:
                return (
                    await session.scalar(
                        select(func.count())
                        .select_from(OutboxEvent)
                        .where(OutboxEvent.status == OutboxStatus.delivered)
                    )
                    == EVENTS
                )

        await _wait_for(all_delivered, within=60, what="every event delivered", process=second)

        # SIGTERM lets the worker finish its batch and exit cleanly.
        second.send_signal(signal.SIGTERM)
        _, stderr = second.communicate(timeout=20)
        assert second.returncode == 0, stderr

        lines = _lines(deliveries)
        done = [i for kind, i, _ in lines if kind == "done"]
        assert set(done) == ids, "an event was lost"
        by_second = {i for kind, i, pid in lines if kind == "done" and pid == second.pid}
        assert in_flight_at_kill <= by_second
        async with database.read() as session:
            statuses = list(await session.scalars(select(OutboxEvent.status)))
        assert statuses == [OutboxStatus.delivered] * EVENTS
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
        await engine.dispose()
