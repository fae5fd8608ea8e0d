"""The migrations build exactly the schema the models describe, and every migration downgrades: checked on
a fresh database of its own (SQLite file or a new PostgreSQL database), never the shared test database."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from ideaflow.config import get_settings
from ideaflow.db import create_engine
from ideaflow.models import Base, include_in_schema_comparison
from tests.conftest import alembic_config


def _config(url: str):
    config = alembic_config()
    config.attributes["url"] = url
    config.attributes["configure_logging"] = False
    return config


async def _alembic(command_fn, url: str, revision: str) -> None:
    # env.py runs its own event loop, so alembic runs in a thread.
    await asyncio.to_thread(command_fn, _config(url), revision)


async def _inspect(url: str, fn):
    engine = create_engine(get_settings(), url=url, pool=False)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


def _differences(connection) -> list:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "include_object": include_in_schema_comparison,
            "target_metadata": Base.metadata,
        },
    )
    return compare_metadata(context, Base.metadata)


def _tables(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_models_and_migrations_agree(scratch_database_url):
    await _alembic(command.upgrade, scratch_database_url, "head")
    assert await _inspect(scratch_database_url, _differences) == []


async def test_downgrade_to_base_and_upgrade_to_head_again(scratch_database_url):
    head = ScriptDirectory.from_config(_config(scratch_database_url)).get_current_head()
    await _alembic(command.upgrade, scratch_database_url, "head")
    assert await _inspect(scratch_database_url, _revision) == head
    assert {"ideas", "votes", "comments"} <= await _inspect(scratch_database_url, _tables)

    await _alembic(command.downgrade, scratch_database_url, "base")
    assert await _inspect(scratch_database_url, _revision) is None
    assert await _inspect(scratch_database_url, _tables) <= {"alembic_version"}

    await _alembic(command.upgrade, scratch_database_url, "head")
    assert await _inspect(scratch_database_url, _revision) == head
    assert await _inspect(scratch_database_url, _differences) == []


async def test_every_migration_downgrades_one_step_at_a_time(scratch_database_url):
    config = _config(scratch_database_url)
    revisions = [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()]
    await _alembic(command.upgrade, scratch_database_url, "head")
    for expected in [*revisions[1:], None]:
        await _alembic(command.downgrade, scratch_database_url, "-1")
        assert await _inspect(scratch_database_url, _revision) == expected
    assert await _inspect(scratch_database_url, _tables) <= {"alembic_version"}
