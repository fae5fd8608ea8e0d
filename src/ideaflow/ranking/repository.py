"""Queries for ranking: settings rows, customer profiles, the demand aggregate evaluated by the database,
score upserts, and the comparisons a Bradley-Terry fit reads."""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Float, Select, and_, bindparam, case, cast, func, literal, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from ideaflow.accounts.models import User
from ideaflow.ideas.models import Idea, listed
from ideaflow.kit.sql import dialect_name, upsert_rows
from ideaflow.ranking.bradley_terry import Pairs
from ideaflow.ranking.models import (
    BoardRankingSettings,
    CustomerProfile,
    IdeaPriorityInput,
    IdeaScore,
    PairwiseComparison,
    PairwiseFit,
    WorkspaceRankingSettings,
)
from ideaflow.ranking.scoring import DemandWeights
from ideaflow.votes.models import Vote


def _insert(session: AsyncSession, table):
    return (postgresql if dialect_name(session) == "postgresql" else sqlite).insert(table)


async def upsert(
    session: AsyncSession, model, keys: list[str], rows: list[dict[str, Any]], *, update: list[str] | None = None
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET the `update` columns (default: every non-key column given),
    for one or many rows."""
    await upsert_rows(session, model.__table__, keys, rows, update=update)


# Rows written by upserts bypass the identity map, so reads refresh what it holds (populate_existing).
FRESH = {"populate_existing": True}


async def workspace_settings(session: AsyncSession, workspace_id: int) -> WorkspaceRankingSettings | None:
    return await session.get(WorkspaceRankingSettings, workspace_id, populate_existing=True)


async def board_settings(session: AsyncSession, board_id: int) -> BoardRankingSettings | None:
    return await session.get(BoardRankingSettings, board_id, populate_existing=True)


async def board_settings_for(session: AsyncSession, workspace_id: int, board_ids: list[int]):
    if not board_ids:
        return {}
    rows = await session.scalars(
        select(BoardRankingSettings).where(
            BoardRankingSettings.workspace_id == workspace_id, BoardRankingSettings.board_id.in_(board_ids)
        )
    )
    return {r.board_id: r for r in rows}


# Demand, evaluated by the database so that one statement sums any number of votes exactly.


def vote_weight_sql(weights: DemandWeights) -> ColumnElement[float]:
    """w(importance) * w(segment) * f(revenue) over `votes` outer-joined to `customer_profiles`."""
    importance = case(
        *[(Vote.importance == key, literal(float(w))) for key, w in weights.importance.items()], else_=literal(1.0)
    )
    segment: ColumnElement[float] = literal(1.0)
    if weights.segments:
        segment = case(
            *[(CustomerProfile.segment == key, literal(float(w))) for key, w in weights.segments.items()],
            else_=literal(1.0),
        )
    revenue = case(
        (
            CustomerProfile.monthly_revenue_cents > 0,
            literal(1.0)
            + literal(weights.revenue_weight / math.log(2))
            * func.ln(
                literal(1.0)
                + cast(CustomerProfile.monthly_revenue_cents, Float) / literal(float(weights.revenue_reference_cents))
            ),
        ),
        else_=literal(1.0),
    )
    return importance * segment * revenue


def _votes_with_profiles(workspace_id: int) -> Select:
    return (
        select()
        .select_from(Vote)
        .outerjoin(
            CustomerProfile,
            and_(CustomerProfile.workspace_id == Vote.workspace_id, CustomerProfile.user_id == Vote.user_id),
        )
        .where(Vote.workspace_id == workspace_id, Vote.value == 1)
    )


async def demand_by_segment(
    session: AsyncSession,
    workspace_id: int,
    idea_ids: Sequence[int],
    weights: DemandWeights,
    *,
    named_only: bool = False,
) -> dict[int, dict[str | None, float]]:
    """{idea_id: {segment: demand}}; `named_only` leaves out votes of people without a segment (read only the
    votes of customers with a profile)."""
    if not idea_ids:
        return {}
    stmt = (
        _votes_with_profiles(workspace_id)
        .add_columns(Vote.idea_id, CustomerProfile.segment, func.sum(vote_weight_sql(weights)))
        .where(Vote.idea_id.in_(list(idea_ids)))
        .group_by(Vote.idea_id, CustomerProfile.segment)
    )
    if named_only:
        stmt = stmt.where(CustomerProfile.segment.is_not(None))
    out: dict[int, dict[str | None, float]] = {}
    for idea_id, segment, total in await session.execute(stmt):
        out.setdefault(idea_id, {})[segment] = float(total or 0.0)
    return out


async def has_segments(session: AsyncSession, workspace_id: int) -> bool:
    """Whether any customer of the workspace has a segment (most workspaces without SSO claims have none)."""
    found = await session.scalar(
        select(CustomerProfile.user_id)
        .where(CustomerProfile.workspace_id == workspace_id, CustomerProfile.segment.is_not(None))
        .limit(1)
    )
    return found is not None


async def stored_scores(
    session: AsyncSession, workspace_id: int, idea_ids: Sequence[int]
) -> list[tuple[int, int, int | None, float | None, float | None]]:
    """(idea id, votes, down-votes, demand, priority) of these ideas, from the counters and stored scores."""
    stmt = (
        select(Idea.id, Idea.vote_count, IdeaScore.downvotes, IdeaScore.demand, IdeaScore.priority)
        .outerjoin(IdeaScore, IdeaScore.idea_id == Idea.id)
        .where(Idea.workspace_id == workspace_id, Idea.id.in_(list(idea_ids)))
    )
    return [tuple(row) for row in await session.execute(stmt)]


async def score_inputs(
    session: AsyncSession, workspace_id: int, idea_ids: Sequence[int], weights: DemandWeights
) -> dict[int, tuple[float, int, int, IdeaPriorityInput | None]]:
    """{idea_id: (demand, up voters, down voters, priority inputs or None)} for these ideas, in one statement:
    what `refresh_scores` stores, aggregated over each idea's votes by the database."""
    if not idea_ids:
        return {}
    rows = await session.execute(
        _score_inputs_statement(_weights_key(weights)), {"workspace_id": workspace_id, "ids": list(idea_ids)}
    )
    return {
        idea_id: (float(demand or 0.0), int(up or 0), int(down or 0), inputs)
        for idea_id, demand, up, down, inputs in rows
    }


def _weights_key(weights: DemandWeights) -> tuple:
    return (
        tuple(sorted(weights.importance.items())),
        tuple(sorted(weights.segments.items())),
        float(weights.revenue_weight),
        int(weights.revenue_reference_cents),
    )


@functools.lru_cache(maxsize=64)
def _score_inputs_statement(key: tuple) -> Select:
    """Built once per set of weights (every vote runs it): building the weight expression and its cache key
    again on each call cost more than running it."""
    importance, segments, revenue_weight, reference = key
    weights = DemandWeights(dict(importance), dict(segments), revenue_weight, reference)
    ids = bindparam("ids", expanding=True)
    tally = (
        select(
            Vote.idea_id.label("idea_id"),
            func.sum(case((Vote.value == 1, vote_weight_sql(weights)), else_=literal(0.0))).label("demand"),
            func.sum(case((Vote.value == 1, 1), else_=0)).label("up"),
            func.sum(case((Vote.value == -1, 1), else_=0)).label("down"),
        )
        .select_from(Vote)
        .outerjoin(
            CustomerProfile,
            and_(CustomerProfile.workspace_id == Vote.workspace_id, CustomerProfile.user_id == Vote.user_id),
        )
        .where(Vote.workspace_id == bindparam("workspace_id"), Vote.idea_id.in_(ids))
        .group_by(Vote.idea_id)
        .subquery()
    )
    return (
        select(Idea.id, tally.c.demand, tally.c.up, tally.c.down, IdeaPriorityInput)
        .select_from(Idea)
        .outerjoin(tally, tally.c.idea_id == Idea.id)
        .outerjoin(IdeaPriorityInput, IdeaPriorityInput.idea_id == Idea.id)
        .where(Idea.workspace_id == bindparam("workspace_id"), Idea.id.in_(ids))
        .execution_options(**FRESH)
    )


async def ideas_with_scores(session: AsyncSession, workspace_id: int, idea_ids: Sequence[int]):
    if not idea_ids:
        return []
    stmt = (
        select(Idea, IdeaScore, IdeaPriorityInput)
        .outerjoin(IdeaScore, IdeaScore.idea_id == Idea.id)
        .outerjoin(IdeaPriorityInput, IdeaPriorityInput.idea_id == Idea.id)
        .where(Idea.workspace_id == workspace_id, Idea.id.in_(list(idea_ids)))
        .execution_options(**FRESH)
    )
    return list((await session.execute(stmt)).all())


async def idea_ids_after(session: AsyncSession, workspace_id: int, after_id: int, limit: int) -> list[int]:
    result = await session.scalars(
        select(Idea.id)
        .where(Idea.workspace_id == workspace_id, Idea.id > after_id, Idea.deleted_at.is_(None))
        .order_by(Idea.id)
        .limit(limit)
    )
    return list(result)


async def voted_idea_ids_of_user_after(
    session: AsyncSession, workspace_id: int, user_id: int, after_id: int, limit: int
) -> list[int]:
    result = await session.scalars(
        select(Vote.idea_id)
        .where(Vote.workspace_id == workspace_id, Vote.user_id == user_id, Vote.idea_id > after_id)
        .order_by(Vote.idea_id)
        .limit(limit)
    )
    return list(result)


async def trending_events(session: AsyncSession, idea_ids: Sequence[int]) -> list[tuple[int, datetime]]:
    """(idea_id, when) for each idea's +1 votes: what its trending score sums over, besides its creation."""
    rows = await session.execute(
        select(Vote.idea_id, Vote.created_at).where(Vote.idea_id.in_(list(idea_ids)), Vote.value == 1)
    )
    return [(i, at) for i, at in rows]


async def set_trending(session: AsyncSession, scores: dict[int, float]) -> None:
    for idea_id, score in scores.items():
        await session.execute(
            sql_update(Idea)
            .where(Idea.id == idea_id)
            .values(trending_score=score, updated_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )


# Customers


async def profile(session: AsyncSession, workspace_id: int, user_id: int) -> CustomerProfile | None:
    return await session.scalar(
        select(CustomerProfile)
        .where(CustomerProfile.workspace_id == workspace_id, CustomerProfile.user_id == user_id)
        .execution_options(**FRESH)
    )


async def list_profiles(session: AsyncSession, workspace_id: int, *, after_id: int, limit: int):
    stmt = (
        select(CustomerProfile, User)
        .join(User, User.id == CustomerProfile.user_id)
        .where(CustomerProfile.workspace_id == workspace_id, CustomerProfile.id > after_id)
        .order_by(CustomerProfile.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).all())


async def users_by_email(session: AsyncSession, emails: Sequence[str]) -> dict[str, User]:
    if not emails:
        return {}
    rows = await session.scalars(select(User).where(func.lower(User.email).in_([e.lower() for e in emails])))
    return {u.email.lower(): u for u in rows}


async def segments_in_use(session: AsyncSession, workspace_id: int) -> list[str]:
    rows = await session.scalars(
        select(CustomerProfile.segment)
        .where(CustomerProfile.workspace_id == workspace_id, CustomerProfile.segment.is_not(None))
        .distinct()
        .order_by(CustomerProfile.segment)
        .limit(50)
    )
    return list(rows)


# Pairwise


async def fit_state(session: AsyncSession, board_id: int) -> PairwiseFit | None:
    return await session.get(PairwiseFit, board_id, populate_existing=True)


PAIR_CHUNK = 50_000  # rows per fetch while reading a board's pair totals


def _comparisons_of(board_id: int, through_id: int, after_id: int):
    c = PairwiseComparison
    return and_(c.board_id == board_id, c.id <= through_id, c.id > after_id, c.left_idea_id != c.right_idea_id)


def _pairs_of(chunk: list) -> Pairs:
    rows = np.array(chunk, dtype=np.int64).reshape(-1, 5)
    won, ties, total = rows[:, 2].astype(np.float64), rows[:, 3] * 0.5, rows[:, 4].astype(np.float64)
    return Pairs(rows[:, 0].copy(), rows[:, 1].copy(), won + ties, total - won - ties)


async def _driver_rows(session: AsyncSession, stmt) -> AsyncIterator[list]:
    """Rows of a large all-integer result, PAIR_CHUNK at a time, straight from the driver: SQLAlchemy's row
    objects cost several times the query itself at a million rows, and would be built on the event loop.
    aiosqlite fetches in its own thread; asyncpg through a cursor in the read transaction. The statement's
    values are integers we made (ids), so they are written into the SQL."""
    connection = await session.connection()
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = (await connection.get_raw_connection()).driver_connection
    if connection.dialect.name == "postgresql":
        if not driver.is_in_transaction():  # a cursor lives in a transaction; the session's has begun
            await connection.execute(select(literal(1)))
        cursor = await driver.cursor(sql)
        while chunk := await cursor.fetch(PAIR_CHUNK):
            yield [tuple(r) for r in chunk]
        return
    cursor = await driver.execute(sql)
    try:
        while chunk := await cursor.fetchmany(PAIR_CHUNK):
            yield chunk
    finally:
        await cursor.close()


async def comparison_count(session: AsyncSession, board_id: int, through_id: int) -> int:
    stmt = select(func.count()).select_from(PairwiseComparison).where(_comparisons_of(board_id, through_id, 0))
    return int(await session.scalar(stmt) or 0)


async def pair_totals(session: AsyncSession, board_id: int, through_id: int, *, after_id: int = 0) -> Pairs:
    """The board's comparisons after `after_id` up to `through_id`, aggregated by the database into one row per
    unordered pair of ideas (GROUP BY lower id, higher id) with the wins of each side, a tie counting half to
    each: what a Bradley-Terry step needs, whatever the number of comparisons. Read in chunks into arrays."""
    c = PairwiseComparison
    lower = case((c.left_idea_id < c.right_idea_id, c.left_idea_id), else_=c.right_idea_id)
    higher = case((c.left_idea_id < c.right_idea_id, c.right_idea_id), else_=c.left_idea_id)
    lower_won = or_(
        and_(c.outcome == "left", c.left_idea_id < c.right_idea_id),
        and_(c.outcome == "right", c.right_idea_id < c.left_idea_id),
    )
    # Integer sums (a float literal would come back from PostgreSQL as Decimal).
    stmt = (
        select(
            lower,
            higher,
            func.sum(case((lower_won, 1), else_=0)),
            func.sum(case((c.outcome == "tie", 1), else_=0)),
            func.count(),
        )
        .where(_comparisons_of(board_id, through_id, after_id))
        .group_by(lower, higher)
    )
    parts: list[Pairs] = []
    async for chunk in _driver_rows(session, stmt):
        parts.append(await asyncio.to_thread(_pairs_of, chunk))
    return Pairs.concat(parts)


async def last_comparison_id(session: AsyncSession, board_id: int) -> int:
    return int(
        await session.scalar(
            select(func.coalesce(func.max(PairwiseComparison.id), 0)).where(PairwiseComparison.board_id == board_id)
        )
    )


async def count_appearances(session: AsyncSession, workspace_id: int, idea_ids: Sequence[int]) -> None:
    """One more comparison for each idea, in the comparing transaction (rows a vote never made start here)."""
    stmt = _insert(session, IdeaScore.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["idea_id"],
        set_={"pairwise_comparisons": IdeaScore.__table__.c.pairwise_comparisons + 1},
    )
    now = datetime.now(UTC)
    await session.execute(
        stmt,
        [
            {
                "idea_id": i,
                "workspace_id": workspace_id,
                "downvotes": 0,
                "demand": 0.0,
                "confidence": 0.0,
                "pairwise_comparisons": 1,
                "updated_at": now,
            }
            for i in idea_ids
        ],
    )


def open_for_voting():
    """Ideas still open or in progress (their status's category): the ones worth comparing."""
    return Idea.status_category.in_(("open", "active"))


async def least_seen_candidates(
    session: AsyncSession, workspace_id: int, board_id: int, user_id: int, limit: int
) -> list[tuple[int, int]]:
    """(idea_id, comparisons) of the board's open ideas not written by the user, least compared first."""
    seen = func.coalesce(IdeaScore.pairwise_comparisons, 0)
    stmt = (
        select(Idea.id, seen)
        .outerjoin(IdeaScore, IdeaScore.idea_id == Idea.id)
        .where(
            Idea.workspace_id == workspace_id,
            Idea.board_id == board_id,
            listed(),
            Idea.author_id != user_id,
            open_for_voting(),
        )
        .order_by(seen, Idea.id)
        .limit(limit)
    )
    return [(i, int(n)) for i, n in await session.execute(stmt)]


async def judged_pairs(session: AsyncSession, board_id: int, user_id: int) -> set[tuple[int, int]]:
    rows = await session.execute(
        select(PairwiseComparison.left_idea_id, PairwiseComparison.right_idea_id).where(
            PairwiseComparison.user_id == user_id, PairwiseComparison.board_id == board_id
        )
    )
    return {(min(a, b), max(a, b)) for a, b in rows}


async def board_idea_ids(session: AsyncSession, workspace_id: int, board_id: int) -> list[int]:
    rows = await session.scalars(
        select(Idea.id).where(Idea.workspace_id == workspace_id, Idea.board_id == board_id, listed())
    )
    return list(rows)


async def board_strengths(session: AsyncSession, workspace_id: int, board_id: int) -> dict[int, float]:
    """The stored strengths of the board's ideas: where the next fit starts from."""
    rows = await session.execute(
        select(IdeaScore.idea_id, IdeaScore.pairwise_strength)
        .join(Idea, Idea.id == IdeaScore.idea_id)
        .where(
            Idea.workspace_id == workspace_id,
            Idea.board_id == board_id,
            IdeaScore.pairwise_strength.is_not(None),
        )
    )
    return {i: float(s) for i, s in rows}


async def pairwise_results(session: AsyncSession, workspace_id: int, board_id: int, *, limit: int):
    stmt = (
        select(Idea, IdeaScore)
        .join(IdeaScore, IdeaScore.idea_id == Idea.id)
        .where(
            Idea.workspace_id == workspace_id,
            Idea.board_id == board_id,
            listed(),
            IdeaScore.pairwise_score.is_not(None),
        )
        .order_by(IdeaScore.pairwise_score.desc(), Idea.id.desc())
        .limit(limit)
        .execution_options(**FRESH)
    )
    return list((await session.execute(stmt)).all())


async def board_open_ids(session: AsyncSession, idea_ids: Sequence[int]) -> list[int]:
    rows = await session.scalars(select(Idea.id).where(Idea.id.in_(list(idea_ids)), open_for_voting()))
    return list(rows)


async def known_in_workspace(session: AsyncSession, workspace_id: int, user_id: int) -> bool:
    """A member of the workspace, or someone who voted there (public boards take votes from non-members)."""
    from ideaflow.workspaces.models import Membership

    member = select(Membership.id).where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    voter = select(Vote.id).where(Vote.workspace_id == workspace_id, Vote.user_id == user_id)
    return bool(await session.scalar(select(member.exists() | voter.exists())))


async def user_by_id_or_email(session: AsyncSession, key: str) -> User | None:
    if key.isdigit():
        number = int(key)
        return await session.get(User, number) if 1 <= number <= 2**63 - 1 else None
    return await session.scalar(select(User).where(func.lower(User.email) == key.strip().lower()))


async def known_user_ids(session: AsyncSession, workspace_id: int, user_ids: Sequence[int]) -> set[int]:
    """Which of these users are members of the workspace or voted in it (one query for a whole import)."""
    from ideaflow.workspaces.models import Membership

    if not user_ids:
        return set()
    ids = list(user_ids)
    members = select(Membership.user_id).where(Membership.workspace_id == workspace_id, Membership.user_id.in_(ids))
    voters = select(Vote.user_id).where(Vote.workspace_id == workspace_id, Vote.user_id.in_(ids))
    return set(await session.scalars(members.union(voters)))
