"""How long the pairwise recompute takes at 10,000 ideas and 1,000,000 comparisons.

    .venv/bin/python -m tests.ranking.bench_pairwise            # the fit alone, then through SQLite
    .venv/bin/python -m tests.ranking.bench_pairwise --fit-only

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


async def through_sqlite(rng: random.Random) -> None:
    import os

    directory = Path(tempfile.mkdtemp(prefix="ideaflow-bench-pairwise-"))
    url = f"sqlite+aiosqlite:///{directory / 'bench.db'}"
    os.environ.update({"IDEAFLOW_DATABASE_URL": url, "IDEAFLOW_DATA_DIR": str(directory)})
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import insert

    from ideaflow.config import get_settings
    from ideaflow.db import Database, create_engine
    from ideaflow.ideas.models import Idea
    from ideaflow.ranking import pairwise
    from ideaflow.ranking.models import PairwiseComparison
    from tests.factories import default_board, make_user, make_workspace

    config = Config(str(REPO / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "migrations"))
    config.attributes["configure_logging"] = False
    await asyncio.to_thread(command.upgrade, config, "head")
    database = Database.from_engine(create_engine(get_settings()))
    now = datetime.now(UTC)
    _, rows = synthetic(rng)
    t = time.perf_counter()
    async with database.write() as session, session.begin():
        user = await make_user(session)
        workspace = await make_workspace(session, owner=user)
        board = await default_board(session, workspace)
        ids = {}
        ideas = [
            dict(
                workspace_id=workspace.id,
                board_id=board.id,
                author_id=user.id,
                number=n,
                title=f"Idea {n}",
                body="",
                body_html="",
                status="open",
                vote_count=0,
                comment_count=0,
                trending_score=0.0,
                created_at=now,
                updated_at=now,
            )
            for n in range(1, IDEAS + 1)
        ]
        result = await session.execute(insert(Idea).returning(Idea.id, Idea.number), ideas)
        ids = {number: idea_id for idea_id, number in result}
        judge = await make_user(session)
        workspace_id, board_id, judge_id = workspace.id, board.id, judge.id
        for k in range(0, len(rows), 50_000):
            await session.execute(
                insert(PairwiseComparison),
                [
                    dict(
                        workspace_id=workspace_id,
                        board_id=board_id,
                        user_id=judge_id,
                        left_idea_id=ids[a],
                        right_idea_id=ids[b],
                        outcome=o,
                        created_at=now,
                    )
                    for a, b, o, _ in rows[k : k + 50_000]
                ],
            )
    print(f"seeded {IDEAS:,} ideas and {len(rows):,} comparisons in SQLite: {time.perf_counter() - t:.1f} s")
    runs = 0
    while True:
        runs += 1
        t = time.perf_counter()
        report = await pairwise.refit_board(database, workspace_id=workspace_id, board_id=board_id)
        wall = time.perf_counter() - t
        if report is None:
            print(f"run {runs}: nothing to do (the previous run converged)")
            break
        print(
            f"run {runs}: read + fit + write {wall:.1f} s (fit {report.seconds:.1f} s, {report.iterations} iterations,"
            f" converged={report.converged})"
        )
        if runs >= 30:
            break
    await database.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-only", action="store_true")
    args = parser.parse_args()
    fit_only(random.Random(1))
    if not args.fit_only:
        asyncio.run(through_sqlite(random.Random(1)))


if __name__ == "__main__":
    sys.exit(main())
