"""Webhook fixtures: a real HTTP receiver on 127.0.0.1 that records what it gets and answers as told, settings
that allow private targets (the receiver is on loopback), and a worker wired to the webhook handlers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import delete

from ideaflow.config import Settings, get_settings
from ideaflow.db import Database
from ideaflow.main import create_app
from ideaflow.outbox import Registry
from ideaflow.outbox.models import OutboxEvent
from ideaflow.webhooks.handlers import WebhookDispatcher
from tests.outbox.conftest import Clock, make_worker


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Speaks just enough HTTP/1.1: one request per connection, answered with `status`, `body` and `headers`,
    after `delay` seconds; `stream_bytes` sends a body of that size instead (to test the response cap)."""

    requests: list[Received] = field(default_factory=list)
    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream_bytes: int = 0
    bytes_sent: int = 0
    port: int = 0
    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/ideaflow?team=1"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.server.wait_closed(), 2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode().strip()
            method, path, _ = request_line.split(" ", 2)
            headers: dict[str, str] = {}
            while True:
                line = (await reader.readline()).decode()
                if line in ("\r\n", "\n", ""):
                    break
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(method, path, headers, body))
            if self.delay:
                await asyncio.sleep(self.delay)
            reason = {200: "OK", 302: "Found", 410: "Gone", 500: "Internal Server Error"}.get(self.status, "Status")
            size = self.stream_bytes or len(self.body)
            head = [f"HTTP/1.1 {self.status} {reason}", f"Content-Length: {size}", "Connection: close"]
            head += [f"{k}: {v}" for k, v in self.headers.items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
            if self.stream_bytes:
                chunk = b"x" * 65536
                while self.bytes_sent < self.stream_bytes:
                    writer.write(chunk)
                    await writer.drain()
                    self.bytes_sent += len(chunk)
            else:
                writer.write(self.body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    await found.start()
    yield found
    await found.stop()


def private_settings(**overrides) -> Settings:
    """The test settings with private targets allowed (receivers listen on loopback), plus overrides."""
    values = {
        "webhooks_allow_private_targets": True,
        "webhooks_connect_timeout_seconds": 2.0,
        "webhooks_read_timeout_seconds": 2.0,
    }
    values.update(overrides)
    return get_settings().model_copy(update=values)


@pytest.fixture
def settings() -> Settings:
    return private_settings()


@pytest.fixture
def private_app(database: Database, settings: Settings):
    return create_app(settings=settings, database=database)


@pytest.fixture
async def private_client(private_app):
    import httpx

    transport = httpx.ASGITransport(app=private_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def hooks_db(committed_database: Database) -> AsyncIterator[Database]:
    """A committing database with the outbox emptied first (the committed_database fixture empties the rest)."""
    async with committed_database.write() as session, session.begin():
        await session.execute(delete(OutboxEvent))
    yield committed_database


@dataclass
class Harness:
    database: Database
    settings: Settings
    clock: Clock
    registry: Registry
    dispatcher: WebhookDispatcher

    def worker(self, **options):
        options.setdefault("backoff_base_seconds", 1)
        options.setdefault("backoff_max_seconds", 10)
        return make_worker(self.database, self.registry, self.clock, **options)

    async def run(self, rounds: int = 1, **options) -> None:
        """Run the worker `rounds` times, moving the clock past any backoff in between."""
        worker = self.worker(**options)
        for _ in range(rounds):
            await worker.run_once()
            self.clock.advance(60)


@pytest.fixture
def harness(hooks_db: Database, settings: Settings) -> Harness:
    clock = Clock()
    registry = Registry()
    found = Harness(hooks_db, settings, clock, registry, dispatcher=None)  # type: ignore[arg-type]
    # Settings are read through the harness, so a test can change them between runs.
    found.dispatcher = WebhookDispatcher(lambda: hooks_db, lambda: found.settings, clock=clock)
    found.dispatcher.register(registry)
    return found
