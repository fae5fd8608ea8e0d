"""The worker the app runs in its own process: on by default with SQLite, off with PostgreSQL (where
`ideaflow worker` processes deliver), and it stops cleanly with the app."""

from __future__ import annotations

import asyncio

from ideaflow import outbox
from ideaflow.config import get_settings
from ideaflow.outbox.worker import runs_in_process, start_in_process_worker
from tests.conftest import IS_POSTGRES


async def test_app_delivers_in_process_on_sqlite_and_leaves_postgres_to_worker_processes(outbox_db):
    settings = get_settings()
    assert runs_in_process(settings) is (not IS_POSTGRES)
    delivered = asyncio.Event()

    async def record(event):
        delivered.set()

    outbox.register("test.in_process", record)
    worker = start_in_process_worker(outbox_db, settings)
    try:
        if IS_POSTGRES:
            assert worker is None
            return
        async with outbox_db.write() as session, session.begin():
            await outbox.emit(session, type="test.in_process", workspace_id=None, payload={})
        assert worker.is_running
        await asyncio.wait_for(delivered.wait(), timeout=5)
    finally:
        outbox.registry.unregister("test.in_process", record)
        if worker is not None:
            await worker.stop()
            assert not worker.is_running


async def test_periodic_jobs_run_beside_delivery_and_stop_with_the_worker(outbox_db):
    from ideaflow.outbox.worker import OutboxWorker, WorkerOptions, periodic_jobs

    started, cancelled = asyncio.Event(), asyncio.Event()

    async def job(database):
        assert database is outbox_db
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    worker = OutboxWorker(outbox_db, options=WorkerOptions(poll_seconds=0.05), periodic=[job])
    worker.start()
    await asyncio.wait_for(started.wait(), timeout=5)
    await worker.stop()
    assert cancelled.is_set() and not worker.is_running
    # Every worker, in process or `ideaflow worker`, sends the daily digest.
    assert [j.__name__ for j in periodic_jobs(get_settings())] == ["daily_digest"]
