"""Pairwise voting (a wiki survey): "Which matters more to you?" — pick one of two ideas, say you can't decide,
or add your own. Pairs favour ideas seen least; nobody judges their own idea or the same pair twice. Strengths
come from a Bradley-Terry fit that runs off the request path (the `pairwise.compared` handler), coalesced and
time-boxed, and are stored in idea_scores."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import outbox
from ideaflow.boards.models import Board
from ideaflow.db import Database
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.ranking import bradley_terry, repository
from ideaflow.ranking.models import IdeaScore, PairwiseComparison, PairwiseFit
from ideaflow.workspaces.service import WorkspaceContext

OUTCOMES = ("left", "right", "tie")
CANDIDATES = 40  # the least-seen ideas a pair is drawn from
FIT_SECONDS = 20.0  # one run's time box (reading, tallying, fitting); the next run continues from there
FIT_TOLERANCE = 1e-4  # in log-strength: far finer than any ranking difference
WRITE_BATCH = 1_000


@dataclass
class Pair:
    left: Idea
    right: Idea


def _require_user(ctx: WorkspaceContext):
    if ctx.user is None:
        raise Unauthorized("Sign in to compare ideas.")
    return ctx.user


async def next_pair(
    session: AsyncSession, ctx: WorkspaceContext, board: Board, *, rng: random.Random | None = None
) -> Pair | None:
    """Two open ideas of the board for this person to compare, or None when they have judged every pair we
    can offer. The first is drawn from the least-compared ideas, so newcomers catch up; the second is the
    least-compared idea the person has not yet judged against it. Never their own ideas."""
    user = _require_user(ctx)
    rng = rng or random.Random()
    candidates = await repository.least_seen_candidates(session, ctx.workspace.id, board.id, user.id, CANDIDATES)
    if len(candidates) < 2:
        return None
    judged = await repository.judged_pairs(session, board.id, user.id)
    fewest = candidates[0][1]
    firsts = [i for i, n in candidates if n == fewest]
    rng.shuffle(firsts)
    rest = [i for i, n in candidates if n != fewest]
    for first in firsts + rest:
        partners = [(n, i) for i, n in candidates if i != first and (min(first, i), max(first, i)) not in judged]
        if not partners:
            continue
        least = min(n for n, _ in partners)
        second = rng.choice([i for n, i in partners if n == least])
        left_id, right_id = (first, second) if rng.random() < 0.5 else (second, first)
        rows = await repository.ideas_with_scores(session, ctx.workspace.id, [left_id, right_id])
        by_id = {idea.id: idea for idea, _, _ in rows}
        return Pair(left=by_id[left_id], right=by_id[right_id])
    return None


async def compare(
    session: AsyncSession, ctx: WorkspaceContext, board: Board, *, left_id: int, right_id: int, outcome: str
) -> PairwiseComparison:
    """Record one answer. Refuses your own ideas, ideas not on this board or closed, and a pair you judged."""
    user = _require_user(ctx)
    if outcome not in OUTCOMES:
        raise Invalid.field("outcome", "must be left, right or tie")
    if left_id == right_id:
        raise Invalid.field("right_idea_id", "must be a different idea")
    rows = await repository.ideas_with_scores(session, ctx.workspace.id, [left_id, right_id])
    ideas = {idea.id: idea for idea, _, _ in rows}
    for name, idea_id in (("left_idea_id", left_id), ("right_idea_id", right_id)):
        idea = ideas.get(idea_id)
        if idea is None or idea.board_id != board.id or idea.deleted_at is not None:
            raise Invalid.field(name, "is not an idea on this board")
        if idea.author_id == user.id:
            raise Forbidden("You cannot judge your own idea.", fields={name: "is your own idea"})
    open_ids = set(await repository.board_open_ids(session, [left_id, right_id]))
    if open_ids != {left_id, right_id}:
        raise Conflict("One of these ideas is no longer open for voting.", code="voting_closed")
    if (min(left_id, right_id), max(left_id, right_id)) in await repository.judged_pairs(session, board.id, user.id):
        raise Conflict("You have already compared these two ideas.", code="already_compared")
    comparison = PairwiseComparison(
        workspace_id=ctx.workspace.id,
        board_id=board.id,
        user_id=user.id,
        left_idea_id=left_id,
        right_idea_id=right_id,
        outcome=outcome,
        created_at=datetime.now(UTC),
    )
    session.add(comparison)
    await session.flush()
    await repository.count_appearances(session, ctx.workspace.id, [left_id, right_id])
    await outbox.emit(
        session,
        type="pairwise.compared",
        workspace_id=ctx.workspace.id,
        payload={"board_id": board.id, "comparison_id": comparison.id, "actor_id": user.id},
    )
    return comparison


async def add_own_idea(session: AsyncSession, ctx: WorkspaceContext, board: Board, *, title: str, body: str = ""):
    """ "Add your own idea" from the survey: a normal idea on the board, through the ideas service."""
    return await idea_service.create_idea(session, ctx, board=board, title=title, body=body)


@dataclass(frozen=True)
class FitReport:
    board_id: int
    ideas: int
    comparisons: int
    iterations: int
    converged: bool
    seconds: float
    through_comparison_id: int


async def refit_board(
    database: Database,
    *,
    workspace_id: int,
    board_id: int,
    covering: int | None = None,
    max_seconds: float = FIT_SECONDS,
) -> FitReport | None:
    """Fit the board's strengths from every comparison so far, starting from the stored ones, for at most
    `max_seconds` of computation (run in a thread so the event loop keeps serving). Returns None when a
    converged fit already covered comparison `covering` (default: the latest): many events, one fit.

    Three phases: read in a read transaction, fit outside any transaction, write in a short write transaction
    — on SQLite a write transaction holds the one write lock, which no fit may keep for seconds. A fit that
    ran out of time queues its own continuation in that write transaction."""
    began = time.monotonic()  # the time box covers reading and tallying too, not only the MM steps
    async with database.read() as session:
        through = await repository.last_comparison_id(session, board_id)
        state = await repository.fit_state(session, board_id)
        needed = through if covering is None else covering
        if state is not None and state.through_comparison_id >= needed and state.converged:
            return None
        totals = await repository.comparison_totals(session, board_id, through)
        idea_ids = await repository.board_idea_ids(session, workspace_id, board_id)
        start = await repository.pairwise_strengths(session, idea_ids)
    started = time.monotonic()

    def work():
        pairs = bradley_terry.tally(totals)
        compared = sorted({i for pair in pairs for i in pair} & set(idea_ids))
        remaining = max(1.0, max_seconds - (time.monotonic() - began))
        result = bradley_terry.fit(compared, pairs, start=start, tolerance=FIT_TOLERANCE, max_seconds=remaining)
        return result, bradley_terry.scores(result.strengths)

    result, scores = await asyncio.to_thread(work)
    seconds = time.monotonic() - started
    now = datetime.now(UTC)
    rows = [
        {
            "idea_id": i,
            "workspace_id": workspace_id,
            "downvotes": 0,
            "demand": 0.0,
            "confidence": 0.0,
            "pairwise_comparisons": result.appearances[i],
            "pairwise_strength": p,
            "pairwise_score": scores[i],
            "updated_at": now,
        }
        for i, p in result.strengths.items()
    ]
    comparisons = sum(n for *_, n in totals)
    async with database.write() as session, session.begin():
        for k in range(0, len(rows), WRITE_BATCH):
            await repository.upsert(
                session,
                IdeaScore,
                ["idea_id"],
                rows[k : k + WRITE_BATCH],
                update=["pairwise_strength", "pairwise_score"],
            )
        await repository.upsert(
            session,
            PairwiseFit,
            ["board_id"],
            [
                {
                    "board_id": board_id,
                    "workspace_id": workspace_id,
                    "through_comparison_id": through,
                    "comparisons": comparisons,
                    "iterations": result.iterations,
                    "converged": result.converged,
                    "seconds": seconds,
                    "fitted_at": now,
                }
            ],
        )
        if not result.converged:
            # Out of time: keep what we have and continue in a fresh run, so no run holds the worker for long.
            await outbox.emit(
                session,
                type="pairwise.compared",
                workspace_id=workspace_id,
                payload={"board_id": board_id, "comparison_id": through, "actor_id": None},
            )
    return FitReport(board_id, len(rows), comparisons, result.iterations, result.converged, seconds, through)


@dataclass
class ResultRow:
    idea: Idea
    score: float  # P(beats a random other idea on the board)
    comparisons: int


@dataclass
class Results:
    rows: list[ResultRow]
    fit: PairwiseFit | None


async def results(session: AsyncSession, ctx: WorkspaceContext, board: Board, *, limit: int = 50) -> Results:
    if not 1 <= limit <= 200:
        raise Invalid.field("limit", "must be between 1 and 200")
    rows = await repository.pairwise_results(session, ctx.workspace.id, board.id, limit=limit)
    state = await repository.fit_state(session, board.id)
    return Results(
        rows=[ResultRow(idea=i, score=s.pairwise_score, comparisons=s.pairwise_comparisons) for i, s in rows],
        fit=state,
    )


async def get_board_for_survey(session: AsyncSession, ctx: WorkspaceContext, slug: str) -> Board:
    from ideaflow.boards import service as board_service
    from ideaflow.ranking import service as ranking_service

    board = await board_service.get_board(session, ctx, slug)
    if not (await ranking_service.board_options(session, board.id)).pairwise_enabled:
        raise NotFound("This board does not run a prioritisation survey.")
    return board
