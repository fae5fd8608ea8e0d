"""`ideaflow create-user --token`: run the real command against a fresh database of its own, then use
the printed token against the API."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine
from ideaflow.main import create_app
from tests.conftest import IS_POSTGRES, TEST_PG_URL

IDEAFLOW = str(Path(sys.executable).with_name("ideaflow"))


@pytest.fixture
async def fresh_database_url(tmp_path) -> AsyncIterator[str]:
    """A database no other test touches: a new SQLite file, or a new PostgreSQL database dropped after."""
    if not IS_POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
        return
    import asyncpg

    name = f"ideaflow_cli_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = TEST_PG_URL.rsplit("/", 1)[0] + "/postgres"
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield TEST_PG_URL.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + f"/{name}"
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def _run(args: list[str], database_url: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "IDEAFLOW_DATABASE_URL": database_url, "IDEAFLOW_DATA_DIR": str(data_dir)}
    return subprocess.run([IDEAFLOW, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_create_user_with_token_prints_a_token_that_works(fresh_database_url, tmp_path):
    upgraded = await asyncio.to_thread(_run, ["db", "upgrade"], fresh_database_url, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr

    created = await asyncio.to_thread(
        _run,
        [
            "create-user",
            "--email",
            "Ops@Example.com",
            "--name",
            "Ops",
            "--password",
            "a long enough password",
            "--token",
            "deploy script",
        ],
        fresh_database_url,
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "<ops@example.com>" in created.stdout
    token = re.search(r"API token \(shown once\): (\S+)", created.stdout).group(1)

    engine = create_engine(get_settings(), url=fresh_database_url, pool=False)
    try:
        app = create_app(database=Database.from_engine(engine))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200, me.text
            assert me.json()["email"] == "ops@example.com"
            tokens = await client.get("/api/v1/me/tokens", headers={"Authorization": f"Bearer {token}"})
            assert [t["name"] for t in tokens.json()] == ["deploy script"]
            assert token not in tokens.text
    finally:
        await engine.dispose()


async def test_create_user_refuses_a_taken_email_with_a_readable_error(fresh_database_url, tmp_path):
    assert (await asyncio.to_thread(_run, ["db", "upgrade"], fresh_database_url, tmp_path)).returncode == 0
    args = ["create-user", "--email", "dup@example.com", "--name", "Dup", "--password", "a long enough password"]
    assert (await asyncio.to_thread(_run, args, fresh_database_url, tmp_path)).returncode == 0

    again = await asyncio.to_thread(_run, args, fresh_database_url, tmp_path)
    assert again.returncode != 0
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
