"""Test harness: one database per run built by `alembic upgrade head` (SQLite by default, PostgreSQL when
IDEAFLOW_TEST_DATABASE_URL is set), each test in a transaction rolled back at the end, and an in-process
HTTP client for the API and the web pages."""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="ideaflow-tests-"))
TEST_PG_URL = os.environ.get("IDEAFLOW_TEST_DATABASE_URL", "")
if TEST_PG_URL:
    base = TEST_PG_URL.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0]
    DB_NAME = f"ideaflow_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    DATABASE_URL = f"{base}/{DB_NAME}"
else:
    DB_NAME = ""
    DATABASE_URL = f"sqlite+aiosqlite:///{_TMP / 'test.db'}"

os.environ.update(
    {
        "IDEAFLOW_ENV": "test",
        "IDEAFLOW_DATA_DIR": str(_TMP),
        "IDEAFLOW_DATABASE_URL": DATABASE_URL,
        "IDEAFLOW_SECRET_KEY": "test-secret-key-not-for-production",
        "IDEAFLOW_BASE_URL": "http://testserver",
        "IDEAFLOW_RATE_LIMIT_AUTH_PER_MINUTE": "1000",
        "IDEAFLOW_RATE_LIMIT_WRITE_PER_MINUTE": "10000",
        "IDEAFLOW_REDIS_URL": "",
        # Cheap argon2 parameters: the suite hashes hundreds of passwords; production keeps the defaults.
        "IDEAFLOW_PASSWORD_HASH_TIME_COST": "1",
        "IDEAFLOW_PASSWORD_HASH_MEMORY_KIB": "64",
    }
)

import httpx  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker  # noqa: E402

from ideaflow.config import get_settings  # noqa: E402
from ideaflow.db import Database, create_engine  # noqa: E402
from ideaflow.main import create_app  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
IS_POSTGRES = bool(TEST_PG_URL)


def alembic_config():
    from alembic.config import Config

    config = Config(str(REPO / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "migrations"))
    config.attributes["configure_logging"] = False
    return config


async def _create_pg_database() -> None:
    import asyncpg

    admin = TEST_PG_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        conn = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    except OSError as exc:  # pragma: no cover - CI must fail loudly, never skip
        raise RuntimeError(f"PostgreSQL is unreachable at {TEST_PG_URL}: {exc}") from exc
    await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    await conn.close()


async def _drop_pg_database() -> None:
    import asyncpg

    admin = TEST_PG_URL.rsplit("/", 1)[0] + "/postgres"
    conn = await asyncpg.connect(admin.replace("postgresql+asyncpg://", "postgresql://"))
    await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
    await conn.close()


@pytest.fixture(scope="session")
async def engine() -> AsyncIterator[AsyncEngine]:
    import asyncio

    from alembic import command

    if IS_POSTGRES:
        await _create_pg_database()
    await asyncio.to_thread(command.upgrade, alembic_config(), "head")
    engine = create_engine(get_settings())
    yield engine
    await engine.dispose()
    if IS_POSTGRES:
        await _drop_pg_database()


@pytest.fixture
async def database(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A Database whose sessions all run inside one outer transaction, rolled back after the test."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        maker = async_sessionmaker(
            bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )
        yield Database(engine=engine, read=maker, write=maker)
        if outer.is_active:
            await outer.rollback()


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    async with database.write() as session:
        yield session


def _all_tables() -> list[str]:
    """Every table the models describe, children before parents, so deletes respect foreign keys."""
    from ideaflow.models import Base

    return [table.name for table in reversed(Base.metadata.sorted_tables)]


@pytest.fixture
async def committed_database(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A real Database that commits, for tests of concurrency; every table is emptied afterwards."""
    yield Database.from_engine(engine)
    async with engine.begin() as conn:
        if IS_POSTGRES:
            await conn.execute(text(f"TRUNCATE {', '.join(_all_tables())} RESTART IDENTITY CASCADE"))
        else:
            for table in _all_tables():
                await conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - fixed table names
            await conn.execute(text("INSERT INTO ideas_fts(ideas_fts) VALUES ('rebuild')"))


@pytest.fixture
async def scratch_database_url(tmp_path) -> AsyncIterator[str]:
    """An empty database no other test touches (for migrations and subprocesses): a new SQLite file, or a
    new PostgreSQL database dropped afterwards."""
    if not IS_POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'scratch.db'}"
        return
    import asyncpg

    name = f"ideaflow_scratch_{os.getpid()}_{uuid.uuid4().hex[:8]}"
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


@pytest.fixture
def app(database: Database):
    return create_app(database=database)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def web_sign_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    """Sign in through the real form; returns the CSRF token of the signed-in session."""
    page = await client.get("/signin")
    response = await client.post(
        "/signin", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 303, response.text
    return csrf_from((await client.get("/account")).text)
