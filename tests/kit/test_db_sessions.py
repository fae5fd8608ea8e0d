"""Request sessions: GET pages can run without BEGIN/COMMIT on PostgreSQL (IDEAFLOW_DB_AUTOCOMMIT_READS), and see
exactly what the transactional sessions see; writes keep their transaction."""

from __future__ import annotations

import httpx

from ideaflow.db import Database
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
