"""A real `ideaflow worker` process for the crash tests: the same `run_worker` the command runs, with one
slow handler that appends "start <id>" and "done <id>" lines to a file.

    python tests/outbox/worker_process.py DELIVERIES_FILE DELAY_SECONDS LEASE_SECONDS BATCH_SIZE
(database from IDEAFLOW_DATABASE_URL)"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from ideaflow.config import get_settings
from ideaflow.outbox import Event, Registry
from ideaflow.outbox.worker import WorkerOptions, run_worker


def _append(path: Path, line: str) -> None:
    with path.open("a") as file:
        file.write(line + "\n")


async def main(deliveries: Path, delay: float, lease: float, batch: int) -> None:
    registry = Registry()
    pid = os.getpid()

    async def slow_record(event: Event) -> None:
        _append(deliveries, f"start {event.id} {pid}")
        await asyncio.sleep(delay)
        _append(deliveries, f"done {event.id} {pid}")

    registry.register("*", slow_record)
    options = WorkerOptions(batch_size=batch, lease_seconds=lease, poll_seconds=0.1)
    await run_worker(get_settings(), registry=registry, options=options)


if __name__ == "__main__":
    path, delay, lease, batch = sys.argv[1:5]
    asyncio.run(main(Path(path), float(delay), float(lease), int(batch)))
