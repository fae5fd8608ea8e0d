"""How long the pairwise recompute takes at 10,000 ideas and 1,000,000 comparisons.

    .venv/bin/python -m tests.ranking.bench_pairwise            # the fit alone, then through SQLite
    .venv/bin/python -m tests.ranking.bench_pairwise --fit-only
    .venv/bin/python -m tests.ranking.bench_pairwise --pg postgresql://postgres@127.0.0.1:5432/postgres

Not a test: it prints timings. The fit never runs on a request; each background run is time-boxed
(pairwise.FIT_SECONDS) and the next run continues from the stored strengths, so this shows how many runs a
board of this size needs and how long each phase takes."""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
IDEAS = 10_000
COMPARISONS = 1_000_000


def synthetic(rng: random.Random) -> tuple[dict[int, float], list[tuple[int, int, str, int]]]:
    truth = {i: math.exp(rng.gauss(0, 1.5)) for i in range(1, IDEAS + 1)}
    ids = list(truth)
    rows = []
    for _ in range(COMPARISONS):
        a, b = rng.sample(ids, 2)
        rows.append((a, b, "left" if rng.random() < truth[a] / (truth[a] + truth[b]) else "right", 1))
    return truth, rows


def fit_only(rng: random.Random) -> None:
    from ideaflow.ranking import bradley_terry
    from ideaflow.ranking.pairwise import FIT_SECONDS, FIT_TOLERANCE

    truth, rows = synthetic(rng)
    started = time.perf_counter()
    pairs = bradley_terry.tally(rows)
    print(f"tally of {len(rows):,} comparisons into {len(pairs):,} pairs: {time.perf_counter() - started:.1f} s")
    start: dict[int, float] | None = None
    runs = 0
    total = 0.0
    while True:
        runs += 1
        t = time.perf_counter()
        result = bradley_terry.fit(list(truth), pairs, start=start, tolerance=FIT_TOLERANCE, max_seconds=FIT_SECONDS)
        spent = time.perf_counter() - t
        total += spent
        print(f"run {runs}: {result.iterations} iterations in {spent:.1f} s, converged={result.converged}")
        start = result.strengths
        if result.converged or runs >= 30:
            break
    t = time.perf_counter()
    scores = bradley_terry.scores(result.strengths)
    print(f"P(beats a random idea) for {len(scores):,} ideas: {time.perf_counter() - t:.1f} s")
    sample = rng.sample(list(truth), 400)
    concordant = discordant = 0
    for i in range(len(sample)):
        for j in range(i + 1, len(sample)):
            a, b = sample[i], sample[j]
            s = (truth[a] - truth[b]) * (result.strengths[a] - result.strengths[b])
            concordant += s > 0
            discordant += s < 0
    tau = (concordant - discordant) / (len(sample) * (len(sample) - 1) / 2)
    print(f"fit total {total:.1f} s over {runs} runs; Kendall tau on 400 sampled ideas: {tau:.3f}")


async def through_database(rng: random.Random, pg_url: str | None) -> None:
    """Seed a board in bulk, then run the background fit while a client keeps loading pages and voting, as
    test_pairwise_load does at a fifth of the size, and print the phases and the request latencies."""
    import os

    directory = Path(tempfile.mkdtemp(prefix="ideaflow-bench-pairwise-"))
    pg_name = f"ideaflow_bench_pairwise_{os.getpid()}"
    if pg_url:
        import asyncpg

        admin = await asyncpg.connect(pg_url)
        await admin.execute(f'CREATE DATABASE "{pg_name}"')
        await admin.close()
        url = pg_url.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + f"/{pg_name}"
    else:
        url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    os.environ.update(
        {
            "IDEAFLOW_DATABASE_URL": url,
            "IDEAFLOW_DATA_DIR": str(directory),
            "IDEAFLOW_SECRET_KEY": "bench-secret-key-not-for-production",
            "IDEAFLOW_RATE_LIMIT_WRITE_PER_MINUTE": "1000000",
            "IDEAFLOW_REDIS_URL": "",
        }
    )
    import httpx
    from alembic import command
    from alembic.config import Config

    from ideaflow.config import get_settings
    from ideaflow.db import Database, create_engine
    from ideaflow.main import create_app
    from ideaflow.ranking import pairwise
    from tests.ranking.test_pairwise_load import seed

    config = Config(str(REPO / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "migrations"))
    config.attributes["configure_logging"] = False
    await asyncio.to_thread(command.upgrade, config, "head")
    database = Database.from_engine(create_engine(get_settings()))
    where = "PostgreSQL" if pg_url else "SQLite"
    try:
        t = time.perf_counter()
        board = await seed(database, rng, ideas=IDEAS, comparisons=COMPARISONS)
        print(f"seeded {IDEAS:,} ideas and {COMPARISONS:,} comparisons in {where}: {time.perf_counter() - t:.1f} s")
        app = create_app(database=database)
        latencies: list[float] = []
        errors = 0
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
        ) as client:
            for label, extra in (("cold", 0), ("warm", 1_000)):
                if extra:
                    await _more_comparisons(database, board, rng, extra)
                latencies.clear()
                t = time.perf_counter()
                fit = asyncio.create_task(
                    pairwise.refit_board(database, workspace_id=board.workspace_id, board_id=board.board_id)
                )
                number = 1
                while not fit.done():
                    vote = f"/api/v1/{board.slug}/ideas/{number}/vote"
                    for method, url_, kwargs in (
                        ("GET", f"/{board.slug}/boards/{board.board_slug}", {}),
                        ("GET", f"/api/v1/{board.slug}/ideas?board={board.board_slug}&limit=20", {}),
                        ("PUT", vote, {"headers": board.voter}),
                        ("DELETE", vote, {"headers": board.voter}),
                    ):
                        r0 = time.perf_counter()
                        response = await client.request(method, url_, **kwargs)
                        latencies.append(time.perf_counter() - r0)
                        errors += response.status_code != 200
                    number = number % IDEAS + 1
                report = await fit
                wall = time.perf_counter() - t
                latencies.sort()
                assert report is not None
                print(
                    f"{label} fit (+{extra:,} comparisons): {wall:.1f} s in all, of which MM {report.seconds:.1f} s"
                    f" ({report.iterations} iterations over {report.pairs:,} pairs, converged={report.converged},"
                    f" {report.write_transactions} write transactions); {len(latencies)} requests meanwhile:"
                    f" p50 {latencies[len(latencies) // 2] * 1000:.0f} ms,"
                    f" p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms,"
                    f" max {latencies[-1] * 1000:.0f} ms, {errors} errors"
                )
    finally:
        await database.engine.dispose()
        if pg_url:
            import asyncpg

            admin = await asyncpg.connect(pg_url)
            await admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            await admin.close()


async def _more_comparisons(database, board, rng: random.Random, count: int) -> None:
    from sqlalchemy import insert

    from ideaflow.ranking.models import PairwiseComparison

    now = datetime.now(UTC)
    async with database.write() as session, session.begin():
        rows = []
        for _ in range(count):
            a, b = rng.sample(board.ids, 2)
            won = rng.random() < board.truth[a] / (board.truth[a] + board.truth[b])
            rows.append(
                dict(
                    workspace_id=board.workspace_id,
                    board_id=board.board_id,
                    user_id=board.judge_id,
                    left_idea_id=a,
                    right_idea_id=b,
                    outcome="left" if won else "right",
                    created_at=now,
                )
            )
        await session.execute(insert(PairwiseComparison), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-only", action="store_true")
    parser.add_argument("--pg", metavar="URL", help="also through PostgreSQL (a database to CREATE DATABASE from)")
    args = parser.parse_args()
    fit_only(random.Random(1))
    if not args.fit_only:
        asyncio.run(through_database(random.Random(1), None))
        if args.pg:
            asyncio.run(through_database(random.Random(1), args.pg))


if __name__ == "__main__":
    sys.exit(main())
