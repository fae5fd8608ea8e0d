"""`ideaflow create-user --token`: run the real command against a fresh database of its own, then use
the printed token against the API."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import httpx

from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine
from ideaflow.main import create_app

IDEAFLOW = str(Path(sys.executable).with_name("ideaflow"))


def _run(args: list[str], database_url: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "IDEAFLOW_DATABASE_URL": database_url, "IDEAFLOW_DATA_DIR": str(data_dir)}
    return subprocess.run([IDEAFLOW, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


async def test_create_user_with_token_prints_a_token_that_works(scratch_database_url, tmp_path):
    upgraded = await asyncio.to_thread(_run, ["db", "upgrade"], scratch_database_url, tmp_path)
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
        scratch_database_url,
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert "<ops@example.com>" in created.stdout
    token = re.search(r"API token \(shown once\): (\S+)", created.stdout).group(1)

    engine = create_engine(get_settings(), url=scratch_database_url, pool=False)
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


async def test_create_user_refuses_a_taken_email_with_a_readable_error(scratch_database_url, tmp_path):
    assert (await asyncio.to_thread(_run, ["db", "upgrade"], scratch_database_url, tmp_path)).returncode == 0
    args = ["create-user", "--email", "dup@example.com", "--name", "Dup", "--password", "a long enough password"]
    assert (await asyncio.to_thread(_run, args, scratch_database_url, tmp_path)).returncode == 0

    again = await asyncio.to_thread(_run, args, scratch_database_url, tmp_path)
    assert again.returncode != 0
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr
