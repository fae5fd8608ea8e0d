"""Outbox fixtures: a committing database with the outbox emptied around each test, a clock the test moves,
and a database of its own for tests that run worker processes or migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select

from ideaflow.db import Database, utcnow
from ideaflow.outbox import Registry
from ideaflow.outbox.models import OutboxEvent
from ideaflow.outbox.worker import OutboxWorker, WorkerOptions
from tests.conftest import alembic_config


@pytest.fixture
async def outbox_db(committed_database: Database) -> AsyncIterator[Database]:
    async def empty() -> None:
        async with committed_database.write() as session, session.begin():
            await session.execute(delete(OutboxEvent))

    await empty()
    yield committed_database
    await empty()


class Clock:
    """Real time plus an offset the test moves forward, so rows written at real time become due."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def registry() -> Registry:
    return Registry()


def no_jitter(ceiling: float) -> float:
    return ceiling


def make_worker(database: Database, registry: Registry, clock=utcnow, name: str | None = None, **options):
    return OutboxWorker(
        database, options=WorkerOptions(**options), registry=registry, clock=clock, jitter=no_jitter, name=name
    )


async def load_events(database: Database) -> list[OutboxEvent]:
    async with database.read() as session:
        return list(await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["url"] = url
    (command.downgrade if down else command.upgrade)(config, revision)


@pytest.fixture
async def migrated_database_url(scratch_database_url: str) -> str:
    await asyncio.to_thread(migrate, scratch_database_url)
    return scratch_database_url
