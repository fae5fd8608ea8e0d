"""The outbox migration builds exactly the table the model describes, and downgrades cleanly."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ideaflow.config import get_settings
from ideaflow.db import create_engine
from ideaflow.outbox.models import OutboxEvent
from tests.outbox.conftest import migrate

BEFORE_OUTBOX = "162ff498647c"


def _outbox_differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences = compare_metadata(context, OutboxEvent.metadata)
    return [d for d in differences if "outbox_events" in repr(d)]


async def test_migration_matches_the_model_and_downgrades_cleanly(migrated_database_url):
    engine = create_engine(get_settings(), url=migrated_database_url, pool=False)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_outbox_differences) == []
            indexes = await connection.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("outbox_events")})
            assert indexes == {"ix_outbox_events_status_available_at", "ix_outbox_events_workspace_id"}

        await asyncio.to_thread(migrate, migrated_database_url, BEFORE_OUTBOX, down=True)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: inspect(c).get_table_names())
        assert "outbox_events" not in tables
        assert "workspaces" in tables

        await asyncio.to_thread(migrate, migrated_database_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_outbox_differences) == []
    finally:
        await engine.dispose()
