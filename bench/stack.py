"""`python -m bench.stack DSN`: what one statement costs in each layer of ideaflow's stack, in CPU per call.

The same statement — an idea by number with its author and board, what a vote and an idea page read first —
sent the ways ideaflow and the minimal app send it, one call at a time on one connection, on a database seeded
by `python -m bench --size small --db postgres --seed-only --keep`:

- asyncpg: a prepared statement's `fetchrow` (what the minimal app does);
- SQLAlchemy Core: the same SQL as text on an `AsyncConnection` inside one open transaction;
- SQLAlchemy ORM: `ideas.repository.get_row` on an `AsyncSession` (builds Idea and Board objects) inside one
  open transaction;
- ORM, per request: a new session per call, as a request gets one — pool checkout (no ping: the connection
  was used moments ago, see IDEAFLOW_DB_PING_IDLE_SECONDS), BEGIN, the statement, COMMIT, close.

CPU is this process's (`time.process_time`), so it does not count PostgreSQL's share, and it holds on a busy
machine where wall-clock time does not."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable

import asyncpg
from sqlalchemy import text

from bench import seed
from bench.minimal_app import GET_IDEA
from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine
from ideaflow.ideas import repository as idea_repository

CALLS = 2_000


async def _cpu_per_call(call: Callable[[], Awaitable[object]], calls: int) -> float:
    for _ in range(50):  # warm caches: prepared statements, compiled statements, the pool
        await call()
    started = time.process_time()
    for _ in range(calls):
        await call()
    return (time.process_time() - started) / calls * 1000


async def measure(dsn: str, calls: int = CALLS) -> list[tuple[str, float]]:
    number, workspace = 1, seed.WORKSPACE_ID
    results: list[tuple[str, float]] = []
    conn = await asyncpg.connect(dsn)
    try:
        prepared = await conn.prepare(GET_IDEA)
        results.append(
            ("asyncpg prepared statement", await _cpu_per_call(lambda: prepared.fetchrow(workspace, number), calls))
        )
    finally:
        await conn.close()

    url = "postgresql+asyncpg://" + dsn.split("://", 1)[1]
    engine = create_engine(get_settings(), url=url)
    database = Database.from_engine(engine, autocommit_reads=False)
    try:
        core = text(GET_IDEA.replace("$1", ":ws").replace("$2", ":n"))
        async with engine.connect() as connection, connection.begin():
            params = {"ws": workspace, "n": number}
            results.append(
                ("SQLAlchemy Core (text)", await _cpu_per_call(lambda: connection.execute(core, params), calls))
            )
        async with database.read() as session, session.begin():
            results.append(
                (
                    "SQLAlchemy ORM (get_row)",
                    await _cpu_per_call(lambda: idea_repository.get_row(session, workspace, number=number), calls),
                )
            )

        async def per_request() -> None:
            async with database.read() as session:
                await idea_repository.get_row(session, workspace, number=number)
                await session.commit()

        results.append(
            ("ORM, a session per call (pool checkout, BEGIN, COMMIT)", await _cpu_per_call(per_request, calls))
        )
    finally:
        await engine.dispose()
    return results


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    rows = asyncio.run(measure(argv[0]))
    base = rows[0][1]
    print("| one call | CPU ms | × asyncpg |\n|---|--:|--:|")
    for name, ms in rows:
        print(f"| {name} | {ms:.3f} | {ms / base:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
