"""Request sessions: GET pages can run without BEGIN/COMMIT on PostgreSQL (IDEAFLOW_DB_AUTOCOMMIT_READS), and see
exactly what the transactional sessions see; writes keep their transaction."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine
from ideaflow.main import create_app
from tests.conftest import IS_POSTGRES
from tests.factories import make_idea, make_token, make_user, make_workspace


async def test_autocommit_reads_serve_lists_and_leave_writes_transactional(committed_database: Database):
    database = Database.from_engine(committed_database.engine, autocommit_reads=True)
    assert (database.request_read is not None) == IS_POSTGRES  # SQLite begins its own transactions
    async with database.write() as session:
        workspace = await make_workspace(session)
        idea = await make_idea(session, workspace, title="Dark mode please")
        voter = await make_user(session)
        headers = await make_token(session, voter)
        await session.commit()

    transport = httpx.ASGITransport(app=create_app(database=database))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        page = await client.get(f"/{workspace.slug}/boards/feature-requests")
        assert page.status_code == 200 and "Dark mode please" in page.text
        vote = await client.put(f"/api/v1/{workspace.slug}/ideas/{idea.number}/vote", headers=headers)
        assert vote.status_code == 200 and vote.json()["vote_count"] == 1
        listed = await client.get(f"/api/v1/{workspace.slug}/ideas", headers=headers)
        assert [(i["number"], i["vote_count"], i["voted"]) for i in listed.json()["items"]] == [(idea.number, 1, True)]
        export = await client.get(f"/api/v1/{workspace.slug}/backlog/export.csv", headers=headers)
        assert export.status_code == 403  # a member, not staff: the check runs on the autocommit session too


@pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL's pooled connections; SQLite opens a file")
async def test_a_connection_dropped_while_idle_is_replaced_and_one_in_steady_use_is_not_pinged(engine):
    """A pooled connection idle longer than IDEAFLOW_DB_PING_IDLE_SECONDS is pinged before use and replaced when the
    server dropped it; one used within that time goes out without the round trip a ping costs."""
    url = engine.url.render_as_string(hide_password=False)
    settings = get_settings()
    pinged = create_engine(settings.model_copy(update={"db_ping_idle_seconds": 0.0}), url=url)
    steady = create_engine(settings.model_copy(update={"db_ping_idle_seconds": 3600.0}), url=url)
    try:
        for pool, survives in ((pinged, True), (steady, False)):
            async with pool.connect() as connection:
                pid = await connection.scalar(text("SELECT pg_backend_pid()"))
            async with engine.connect() as admin:  # the server drops it while it waits in the pool
                assert await admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) is True
            await asyncio.sleep(0.2)
            if survives:
                async with pool.connect() as connection:
                    assert await connection.scalar(text("SELECT pg_backend_pid()")) != pid
            else:
                with pytest.raises(DBAPIError):
                    async with pool.connect() as connection:
                        await connection.scalar(text("SELECT 1"))
    finally:
        await pinged.dispose()
        await steady.dispose()
