"""The triage migration gives workspaces that existed before custom statuses the six default statuses, ideas
the category of their status, and keeps idea search working (the SQLite FTS triggers survive it)."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import text

from ideaflow.config import get_settings
from ideaflow.db import create_engine
from tests.conftest import IS_POSTGRES
from tests.test_migrations import _config

BEFORE_TRIAGE = "5b7e0c2d9a41"
TRIAGE = "c4a1f0e2b3d5"


async def _run(url: str, statements: list[str]):
    engine = create_engine(get_settings(), url=url, pool=False)
    try:
        async with engine.begin() as conn:
            results = [await conn.execute(text(s)) for s in statements]
            return [r.all() if r.returns_rows else None for r in results]
    finally:
        await engine.dispose()


async def test_existing_workspaces_get_the_default_statuses_and_ideas_their_category(scratch_database_url):
    url = scratch_database_url
    await asyncio.to_thread(command.upgrade, _config(url), BEFORE_TRIAGE)
    await _run(
        url,
        [
            "INSERT INTO users (id, email, name, is_active, created_at)"
            " VALUES (1, 'a@example.com', 'A', true, CURRENT_TIMESTAMP)",
            "INSERT INTO workspaces (id, slug, name, idea_seq, created_at)"
            " VALUES (1, 'acme', 'Acme', 2, CURRENT_TIMESTAMP)",
            "INSERT INTO boards (id, workspace_id, slug, name, description, visibility, is_open, position, created_at)"
            " VALUES (1, 1, 'ideas', 'Ideas', '', 'public', true, 1, CURRENT_TIMESTAMP)",
            "INSERT INTO ideas (id, workspace_id, board_id, author_id, number, title, body, body_html, status,"
            " vote_count, comment_count, trending_score, updated_at, created_at) VALUES"
            " (1, 1, 1, 1, 1, 'Offline mode', '', '', 'shipped', 0, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            " (2, 1, 1, 1, 2, 'Calendar sync', '', '', 'under_review', 0, 0, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        ],
    )
    await asyncio.to_thread(command.upgrade, _config(url), TRIAGE)
    statuses, ideas, found = await _run(
        url,
        [
            "SELECT key, name, category, position FROM statuses WHERE workspace_id = 1 ORDER BY position",
            "SELECT number, status, status_category FROM ideas ORDER BY number",
            "SELECT rowid FROM ideas_fts WHERE ideas_fts MATCH 'calendar'"
            if not IS_POSTGRES
            else "SELECT id FROM ideas WHERE search_vector @@ websearch_to_tsquery('english', 'calendar')",
        ],
    )
    assert [tuple(s) for s in statuses] == [
        ("open", "Open", "open", 1),
        ("under_review", "Under review", "open", 2),
        ("planned", "Planned", "active", 3),
        ("in_progress", "In progress", "active", 4),
        ("shipped", "Shipped", "done", 5),
        ("declined", "Declined", "closed", 6),
    ]
    assert [tuple(i) for i in ideas] == [(1, "shipped", "done"), (2, "under_review", "open")]
    assert [tuple(f) for f in found] == [(2,)]
    if not IS_POSTGRES:
        # A title edited after the migration is still found by its new words.
        _, renamed = await _run(
            url,
            [
                "UPDATE ideas SET title = 'Google calendar sync' WHERE id = 2",
                "SELECT rowid FROM ideas_fts WHERE ideas_fts MATCH 'google'",
            ],
        )
        assert [tuple(r) for r in renamed] == [(2,)]
    await asyncio.to_thread(command.downgrade, _config(url), BEFORE_TRIAGE)
    [ideas_after] = await _run(url, ["SELECT number, status FROM ideas ORDER BY number"])
    assert [tuple(i) for i in ideas_after] == [(1, "shipped"), (2, "under_review")]
