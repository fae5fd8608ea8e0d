"""The outbox worker: claims due events under a lease, runs their handlers outside the claim transaction,
then marks them delivered, schedules a retry (exponential backoff, full jitter) or dead-letters them.

A worker that dies mid-delivery (even by SIGKILL) leaves its rows leased; when the lease runs out any
worker claims them again, so every committed event is delivered at least once. Handlers are cancelled
after 80% of the lease, so in normal operation no two workers ever hold the same event at once."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import random
import re
import secrets
import signal
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from ideaflow.config import Settings
from ideaflow.db import Database, create_engine, utcnow
from ideaflow.outbox import repository
from ideaflow.outbox.service import Event, Handler, Registry, add_waker, bind_database, remove_waker
from ideaflow.outbox.service import registry as default_registry

log = logging.getLogger("ideaflow.outbox")

# Modules that register handlers when imported. Both the in-process worker and `ideaflow worker` import
# them, so a process that delivers events always knows every handler.
HANDLER_MODULES: tuple[str, ...] = (
    "ideaflow.notifications.handlers",
    "ideaflow.webhooks.handlers",
    "ideaflow.backlog.handlers",
    "ideaflow.ranking.handlers",
)

ERROR_LIMIT = 2000
PRUNE_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class WorkerOptions:
    batch_size: int = 20
    lease_seconds: float = 60.0
    max_attempts: int = 8
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 3600.0
    poll_seconds: float = 1.0
    retention_days: float = 7.0

    @classmethod
    def from_settings(cls, settings: Settings | None, **overrides) -> WorkerOptions:
        """`outbox_<name>` settings where they exist, defaults otherwise, then explicit overrides."""
        values = {f.name: getattr(settings, f"outbox_{f.name}", f.default) for f in fields(cls)}
        values.update(overrides)
        return cls(**values)

    @property
    def handler_timeout_seconds(self) -> float:
        return self.lease_seconds * 0.8


def backoff_ceiling(attempts: int, *, base: float, cap: float) -> float:
    """The longest wait after the `attempts`-th failure: base, 2·base, 4·base, ... up to cap."""
    return min(cap, base * 2 ** max(0, attempts - 1))


def full_jitter(ceiling: float) -> float:
    """Anywhere between now and the ceiling, so that events failing together do not retry together."""
    return random.uniform(0, ceiling)


_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s@]+@")
_SECRET_PARAMS = re.compile(r"(?i)\b((?:access_|api[_-]?)?(?:token|secret|password|key|signature|sig))=[^&\s\"']+")
_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")


def describe_error(handler: Handler | None, exc: BaseException) -> str:
    """What admins see on a failed event: which handler, which error; credentials in URLs, secret query
    parameters and authorization values are masked, and the text is kept short."""
    name = getattr(handler, "__qualname__", None) or repr(handler)
    module = getattr(handler, "__module__", "")
    message = str(exc) or exc.__class__.__name__
    message = _URL_CREDENTIALS.sub("***@", message)
    message = _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}=***", message)
    message = _BEARER.sub(lambda m: f"{m.group(1)} ***", message)
    text = f"{module}.{name}: {exc.__class__.__name__}: {message}" if module else f"{name}: {message}"
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


def default_worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class OutboxWorker:
    def __init__(
        self,
        database: Database,
        *,
        options: WorkerOptions | None = None,
        registry: Registry | None = None,
        name: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        jitter: Callable[[float], float] = full_jitter,
        periodic: Sequence[Callable[[Database], Awaitable[None]]] = (),
    ):
        self.database = database
        # Jobs that run beside delivery for as long as the worker runs (the daily digest): see periodic_jobs().
        self.periodic = tuple(periodic)
        self.options = options or WorkerOptions()
        self.registry = registry if registry is not None else default_registry
        self.name = (name or default_worker_name())[:64]
        self.clock = clock
        self.jitter = jitter
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task | None = None
        self._next_prune: datetime | None = None

    # One round: claim, deliver, settle.

    async def run_once(self) -> int:
        """Claim one batch of due events, deliver them and record the outcome; return how many were claimed."""
        opts = self.options
        now = self.clock()
        bind_database(self.database)
        async with self.database.read() as session:
            if not await repository.has_due(session, now=now):
                return 0
        async with self.database.write() as session, session.begin():
            await repository.dead_letter_abandoned(session, now=now, max_attempts=opts.max_attempts)
            rows = await repository.claim(
                session,
                now=now,
                lease_until=now + timedelta(seconds=opts.lease_seconds),
                worker=self.name,
                limit=opts.batch_size,
                max_attempts=opts.max_attempts,
            )
        if not rows:
            return 0
        events = [
            Event(
                id=row.id,
                type=row.type,
                workspace_id=row.workspace_id,
                payload=row.payload,
                attempt=row.attempts,
                created_at=row.created_at,
            )
            for row in rows
        ]
        # Outside any transaction: handlers may be slow (HTTP, SMTP) and must not hold database locks.
        errors = await asyncio.gather(*(self._deliver(event) for event in events))
        await self._settle(events, errors)
        return len(events)

    async def _deliver(self, event: Event) -> str | None:
        current: Handler | None = None
        try:
            async with asyncio.timeout(self.options.handler_timeout_seconds):
                for handler in self.registry.handlers_for(event.type):
                    current = handler
                    await handler(event)
        except TimeoutError as exc:
            log.warning("outbox event %s (%s) attempt %s timed out", event.id, event.type, event.attempt)
            seconds = self.options.handler_timeout_seconds
            return describe_error(current, exc if str(exc) else TimeoutError(f"gave up after {seconds:g} seconds"))
        except Exception as exc:
            log.warning("outbox event %s (%s) attempt %s failed", event.id, event.type, event.attempt, exc_info=True)
            return describe_error(current, exc)
        return None

    async def _settle(self, events: list[Event], errors: list[str | None]) -> None:
        opts = self.options
        now = self.clock()
        async with self.database.write() as session, session.begin():
            await repository.mark_delivered(
                session, ids=[e.id for e, error in zip(events, errors, strict=True) if error is None], at=now
            )
            for event, error in zip(events, errors, strict=True):
                if error is None:
                    continue
                if event.attempt >= opts.max_attempts:
                    if await repository.mark_dead(session, event_id=event.id, worker=self.name, error=error):
                        log.error("outbox event %s (%s) dead after %s attempts", event.id, event.type, event.attempt)
                    continue
                ceiling = backoff_ceiling(event.attempt, base=opts.backoff_base_seconds, cap=opts.backoff_max_seconds)
                delay = min(ceiling, max(0.0, self.jitter(ceiling)))
                await repository.schedule_retry(
                    session,
                    event_id=event.id,
                    worker=self.name,
                    available_at=now + timedelta(seconds=delay),
                    error=error,
                )

    async def prune(self) -> int:
        """Forget delivered events older than the retention period."""
        if self.options.retention_days <= 0:
            return 0
        cutoff = self.clock() - timedelta(days=self.options.retention_days)
        async with self.database.write() as session, session.begin():
            return await repository.delete_delivered_before(session, cutoff=cutoff, limit=1000)

    # The loop.

    async def run(self) -> None:
        """Deliver until stopped: at once after a commit that emitted in this process, else every poll."""
        self._task = asyncio.current_task()
        add_waker(self._wake)
        jobs = [asyncio.create_task(job(self.database), name=f"periodic job of {self.name}") for job in self.periodic]
        log.info("outbox worker %s started", self.name)
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    claimed = await self.run_once()
                    await self._prune_when_due()
                except Exception:
                    log.exception("outbox worker %s: round failed; retrying after the poll interval", self.name)
                    claimed = 0
                if self._stopping or claimed >= self.options.batch_size:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.options.poll_seconds)
        finally:
            remove_waker(self._wake)
            for job in jobs:
                job.cancel()
            for job in jobs:
                with contextlib.suppress(asyncio.CancelledError):
                    await job
            log.info("outbox worker %s stopped", self.name)

    async def _prune_when_due(self) -> None:
        now = self.clock()
        if self._next_prune is None or now >= self._next_prune:
            self._next_prune = now + PRUNE_EVERY
            await self.prune()

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> asyncio.Task:
        self._task = asyncio.create_task(self.run(), name=f"outbox-worker {self.name}")
        return self._task

    def request_stop(self) -> None:
        """Finish the batch in hand, then stop; asked twice, stop now (leases cover what was in flight)."""
        if self._stopping and self._task is not None:
            self._task.cancel()
        self._stopping = True
        self._wake.set()

    async def stop(self, grace_seconds: float = 5.0) -> None:
        self.request_stop()
        task = self._task
        if task is None or task.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=grace_seconds)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def load_handlers(modules: Iterable[str] = HANDLER_MODULES) -> None:
    for module in modules:
        importlib.import_module(module)


def runs_in_process(settings: Settings) -> bool:
    """`outbox_in_process` when set; otherwise in process on SQLite only (PostgreSQL runs `ideaflow worker`)."""
    chosen = getattr(settings, "outbox_in_process", None)
    return settings.is_sqlite if chosen is None else bool(chosen)


def periodic_jobs(settings: Settings) -> list[Callable[[Database], Awaitable[None]]]:
    """What every worker runs beside delivery. Several workers running them at once is safe: the daily digest
    claims each item before sending it."""
    from ideaflow.notifications import digest

    async def daily_digest(database: Database) -> None:
        await digest.run_daily(database, hour=settings.digest_hour_utc)

    return [daily_digest]


def start_in_process_worker(database: Database, settings: Settings) -> OutboxWorker | None:
    """For the app's lifespan: start a worker on the app's own database, if this deployment wants one."""
    if not runs_in_process(settings):
        return None
    load_handlers()
    worker = OutboxWorker(database, options=WorkerOptions.from_settings(settings), periodic=periodic_jobs(settings))
    worker.start()
    return worker


async def run_worker(
    settings: Settings, *, registry: Registry | None = None, options: WorkerOptions | None = None
) -> None:
    """`ideaflow worker`: deliver until SIGTERM or SIGINT (a second signal stops without finishing the batch)."""
    load_handlers()
    database = Database.from_engine(create_engine(settings))
    worker = OutboxWorker(
        database,
        options=options or WorkerOptions.from_settings(settings),
        registry=registry,
        periodic=periodic_jobs(settings),
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.request_stop)
    try:
        await worker.run()
    except asyncio.CancelledError:
        log.warning("outbox worker %s stopped mid-batch; its leases will expire and be claimed again", worker.name)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        await database.engine.dispose()
