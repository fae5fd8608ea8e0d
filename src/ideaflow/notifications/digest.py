"""The daily digest as a periodic job: wait for the configured hour (UTC), send every queued digest, repeat.

Run it beside the outbox worker (`run_daily(database, hour=settings.digest_hour_utc)`), or once from a
scheduler with `send_now(settings)`; several running at once are safe, each item is claimed before sending."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from ideaflow.config import Settings
from ideaflow.db import Database, create_engine, utcnow
from ideaflow.notifications.delivery import send_due_digests

log = logging.getLogger("ideaflow.notifications")


def next_run(now: datetime, hour: int) -> datetime:
    """The next time the clock reads `hour`:00 UTC, strictly after `now`."""
    candidate = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)


async def run_daily(
    database: Database,
    *,
    hour: int,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    runs: int | None = None,
) -> None:
    """Send the digests every day at `hour` until cancelled (or `runs` times)."""
    done = 0
    while runs is None or done < runs:
        due = next_run(clock(), hour)
        await sleep(max(0.0, (due - clock()).total_seconds()))
        try:
            sent = await send_due_digests(database, now=due)
            log.info("daily digests sent: %s", sent)
        except Exception:
            log.exception("daily digests failed; retrying tomorrow")
        done += 1


async def send_now(settings: Settings) -> int:
    """Send every digest that is queued now, on a database of its own (for a CLI command or a cron job)."""
    database = Database.from_engine(create_engine(settings))
    try:
        return await send_due_digests(database)
    finally:
        await database.engine.dispose()
