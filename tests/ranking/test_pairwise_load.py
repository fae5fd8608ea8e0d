"""The pairwise fit on a large board does not block requests: while it runs, people keep loading the board, the
survey results and the API, and voting; every request is answered, and the fit's write transactions stay short
(counted in statements and rows, not timed). A scaled board here (2,000 ideas, 100,000 comparisons) on both
databases; the full size (10,000 ideas, 1,000,000 comparisons) and its timings are in bench_pairwise.py."""

from __future__ import annotations

import asyncio
import math
import random
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from sqlalchemy import delete, event, func, insert, select

from ideaflow.config import get_settings
from ideaflow.db import Database, create_engine
from ideaflow.ideas.models import Idea
from ideaflow.main import create_app
from ideaflow.outbox.models import OutboxEvent
from ideaflow.ranking import bradley_terry, pairwise
from ideaflow.ranking.models import IdeaScore, PairwiseComparison, PairwiseFit
from tests.factories import default_board, make_token, make_user, make_workspace
from tests.ranking.test_pairwise import kendall_tau

IDEAS = 2_000
COMPARISONS = 100_000
CHUNK = 10_000


@dataclass
class Board:
    workspace_id: int
    slug: str
    board_id: int
    board_slug: str
    judge_id: int
    voter: dict[str, str]
    ids: list[int]
    truth: dict[int, float]


async def seed(database: Database, rng: random.Random, *, ideas: int, comparisons: int) -> Board:
    """A board of `ideas` ideas with known strengths and `comparisons` answers drawn from them, inserted in
    bulk (multi-row INSERTs of CHUNK rows), as bench_pairwise does at full size."""
    now = datetime.now(UTC)
    async with database.write() as session, session.begin():
        owner = await make_user(session)
        workspace = await make_workspace(session, owner=owner)
        board = await default_board(session, workspace)
        judge = await make_user(session)
        voter = await make_token(session, await make_user(session))
        rows = [
            dict(
                workspace_id=workspace.id,
                board_id=board.id,
                author_id=owner.id,
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
            for n in range(1, ideas + 1)
        ]
        result = await session.execute(insert(Idea).returning(Idea.id), rows)
        ids = sorted(result.scalars())
        truth = {i: math.exp(rng.gauss(0, 1.5)) for i in ids}
        seeded = Board(workspace.id, workspace.slug, board.id, board.slug, judge.id, voter, ids, truth)
    async with database.write() as session, session.begin():
        for k in range(0, comparisons, CHUNK):
            batch = []
            for _ in range(min(CHUNK, comparisons - k)):
                a, b = rng.sample(ids, 2)
                won = rng.random() < truth[a] / (truth[a] + truth[b])
                batch.append(
                    dict(
                        workspace_id=seeded.workspace_id,
                        board_id=seeded.board_id,
                        user_id=seeded.judge_id,
                        left_idea_id=a,
                        right_idea_id=b,
                        outcome="left" if won else "right",
                        created_at=now,
                    )
                )
            await session.execute(insert(PairwiseComparison), batch)
    return seeded


@dataclass
class Transactions:
    """Every transaction on an engine: the statements it ran and how many rows each sent."""

    open: dict[int, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    done: list[list[tuple[str, int]]] = field(default_factory=list)

    def watch(self, engine) -> None:
        sync = engine.sync_engine

        @event.listens_for(sync, "before_cursor_execute")
        def statement(conn, cursor, sql, parameters, context, executemany):
            rows = len(parameters) if executemany and parameters is not None else 1
            self.open[id(conn)].append((" ".join(sql.split()), rows))

        @event.listens_for(sync, "commit")
        def commit(conn):
            self.done.append(self.open.pop(id(conn), []))

        @event.listens_for(sync, "rollback")
        def rollback(conn):
            self.done.append(self.open.pop(id(conn), []))

    @staticmethod
    def writes(done: list[list[tuple[str, int]]]) -> list[list[tuple[str, int]]]:
        """The transactions that wrote, without their BEGIN (SQLite's BEGIN IMMEDIATE is a statement)."""
        verbs = ("INSERT", "UPDATE", "DELETE")
        return [
            [(sql, rows) for sql, rows in t if not sql.upper().startswith("BEGIN")]
            for t in done
            if any(sql.upper().startswith(verbs) for sql, _ in t)
        ]


async def test_a_large_fit_runs_beside_requests_that_all_succeed_and_writes_in_short_batches(
    committed_database, monkeypatch
):
    rng = random.Random(7)
    # The fit's computation waits, in its thread, until a round of requests that began after it started has been
    # answered: were it computing on the event loop (or holding a lock the requests need), it would wait forever
    # and fail here, whatever the speed of the machine.
    computing, served = threading.Event(), threading.Event()
    real_fit = bradley_terry.fit

    def fit_once_requests_are_served(*args, **kwargs):
        computing.set()
        assert served.wait(timeout=60), "no request was answered while the fit was computing"
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(bradley_terry, "fit", fit_once_requests_are_served)
    board = await seed(committed_database, rng, ideas=IDEAS, comparisons=COMPARISONS)
    # The fit gets an engine of its own, so its transactions can be told from the requests'.
    fit_engine = create_engine(get_settings())
    transactions = Transactions()
    transactions.watch(fit_engine)
    fit_database = Database.from_engine(fit_engine)
    app = create_app(database=committed_database)
    answered: list[tuple[str, int]] = []
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60
        ) as client:
            fit = asyncio.create_task(
                pairwise.refit_board(fit_database, workspace_id=board.workspace_id, board_id=board.board_id)
            )
            number = 1
            while not fit.done():
                began_while_computing = computing.is_set()
                vote = f"/api/v1/{board.slug}/ideas/{number}/vote"
                for method, url, kwargs in (
                    ("GET", f"/{board.slug}/boards/{board.board_slug}", {}),
                    ("GET", f"/{board.slug}/boards/{board.board_slug}/prioritise", {}),
                    ("GET", f"/api/v1/{board.slug}/ideas?board={board.board_slug}&limit=20", {}),
                    ("PUT", vote, {"headers": board.voter}),
                    ("DELETE", vote, {"headers": board.voter}),
                ):
                    response = await client.request(method, url, **kwargs)
                    answered.append((f"{method} {url}", response.status_code))
                if began_while_computing:
                    served.set()
                number = number % IDEAS + 1
            report = await fit
            cold = list(transactions.done)
            monkeypatch.undo()
            await more_answers(committed_database, board, rng, 50)
            warm = await pairwise.refit_board(fit_database, workspace_id=board.workspace_id, board_id=board.board_id)
    finally:
        await fit_engine.dispose()

    failed = [(r, code) for r, code in answered if code != 200]
    assert not failed, failed[:5]
    assert served.is_set()

    assert report is not None and report.converged
    assert (report.ideas, report.comparisons) == (IDEAS, COMPARISONS)
    assert report.pairs <= COMPARISONS
    # Short write transactions: each writes at most WRITE_BATCH score rows in at most three statements (the
    # scores, then in the last one the fit's state), and none of them reads the comparisons.
    writes = transactions.writes(cold)
    assert len(writes) == report.write_transactions == math.ceil(IDEAS / pairwise.WRITE_BATCH)
    for statements in writes:
        assert len(statements) <= 3, statements
        assert sum(rows for _, rows in statements) <= pairwise.WRITE_BATCH + 1
        assert not any("FROM pairwise_comparisons" in sql for sql, _ in statements)
    # The read aggregates per pair in the database (straight from the driver, so not among the statements seen
    # here): through SQLAlchemy the fit only asks for the last comparison's id, never for comparison rows.
    reads = [sql for t in cold for sql, _ in t if "FROM pairwise_comparisons" in sql]
    assert reads and all("max(" in sql for sql in reads), reads

    async with committed_database.read() as session:
        fit_row = await session.get(PairwiseFit, board.board_id)
        strengths = dict(
            (await session.execute(select(IdeaScore.idea_id, IdeaScore.pairwise_strength).where(
                IdeaScore.idea_id.in_(board.ids)
            ))).all()
        )  # fmt: skip
        last = await session.scalar(select(func.max(PairwiseComparison.id)))
    assert (fit_row.through_comparison_id, fit_row.comparisons, fit_row.converged) == (last, COMPARISONS + 50, True)
    sample = random.Random(3).sample(board.ids, 200)
    assert kendall_tau([board.truth[i] for i in sample], [strengths[i] for i in sample]) >= 0.8

    # The next fit reads only the answers given since (the tally of the others is kept) and starts from the
    # stored strengths: it needs far fewer steps.
    assert warm is not None and warm.converged
    assert (warm.comparisons, warm.read_comparisons) == (COMPARISONS + 50, 50)
    assert warm.iterations * 3 < report.iterations
    assert report.read_comparisons == COMPARISONS


async def more_answers(database: Database, board: Board, rng: random.Random, count: int) -> None:
    async with database.write() as session, session.begin():
        await session.execute(
            insert(PairwiseComparison),
            [
                dict(
                    workspace_id=board.workspace_id,
                    board_id=board.board_id,
                    user_id=board.judge_id,
                    left_idea_id=a,
                    right_idea_id=b,
                    outcome="tie",
                    created_at=datetime.now(UTC),
                )
                for a, b in (rng.sample(board.ids, 2) for _ in range(count))
            ],
        )


async def test_events_for_a_board_whose_fit_is_running_coalesce_into_it(committed_database):
    board = await seed(committed_database, random.Random(2), ideas=200, comparisons=5_000)
    async with committed_database.read() as session:
        queued_before = await session.scalar(select(func.count()).select_from(OutboxEvent))
    reports = await asyncio.gather(
        *(
            pairwise.refit_board(committed_database, workspace_id=board.workspace_id, board_id=board.board_id)
            for _ in range(5)
        )
    )
    fitted = [r for r in reports if r is not None]
    assert len(fitted) == 1 and fitted[0].converged
    async with committed_database.read() as session:
        queued = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "pairwise.compared")))
        assert await session.scalar(select(func.count()).select_from(OutboxEvent)) == queued_before + 1
    # The events that found the fit running leave one follow-up, which finds everything covered.
    assert [e.payload["board_id"] for e in queued] == [board.board_id]
    again = await pairwise.refit_board(
        committed_database,
        workspace_id=board.workspace_id,
        board_id=board.board_id,
        covering=queued[0].payload["comparison_id"] or None,
    )
    assert again is None


async def test_the_kept_tally_is_read_again_when_earlier_comparisons_changed(committed_database, monkeypatch):
    monkeypatch.setattr(pairwise, "TALLY_MIN_PAIRS", 0)  # keep the tally of this small board too
    board = await seed(committed_database, random.Random(4), ideas=50, comparisons=1_000)
    fit = await pairwise.refit_board(committed_database, workspace_id=board.workspace_id, board_id=board.board_id)
    assert fit is not None and fit.read_comparisons == 1_000
    await more_answers(committed_database, board, random.Random(5), 10)
    fit = await pairwise.refit_board(committed_database, workspace_id=board.workspace_id, board_id=board.board_id)
    assert (fit.comparisons, fit.read_comparisons) == (1_010, 10)

    # An earlier comparison disappears (as when its idea is deleted) and a new one arrives: counting tells the
    # kept tally no longer holds, and the fit reads every comparison again.
    async with committed_database.write() as session, session.begin():
        first = await session.scalar(select(func.min(PairwiseComparison.id)))
        await session.execute(delete(PairwiseComparison).where(PairwiseComparison.id == first))
    await more_answers(committed_database, board, random.Random(6), 1)
    fit = await pairwise.refit_board(committed_database, workspace_id=board.workspace_id, board_id=board.board_id)
    assert (fit.comparisons, fit.read_comparisons) == (1_010, 1_010)
