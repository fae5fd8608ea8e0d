"""Voting: one vote per person per idea, idempotent both ways, counters exact under concurrency.

A vote is +1 (for) or -1 (against, on boards that allow it), with an optional importance (on boards that offer
it). `ideas.vote_count` counts +1 votes; the trending score sums +1 votes; down-votes are counted in
`idea_scores.downvotes` for the confidence ranking; demand is recomputed in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow import outbox
from ideaflow.errors import Conflict, Invalid, Unauthorized
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea
from ideaflow.ideas.service import IdeaView
from ideaflow.kit.sql import dialect_name
from ideaflow.ranking import service as ranking_service
from ideaflow.votes import repository
from ideaflow.votes.models import Importance
from ideaflow.workspaces.service import WorkspaceContext


@dataclass
class VoteResult:
    voted: bool
    vote_count: int
    changed: bool
    value: int | None = None  # +1, -1, or None when the user has no vote
    importance: str | None = None


def _check_open(idea: Idea) -> None:
    # The idea carries its status's category (kept in step by statuses/), so no status look-up is needed.
    if not idea.accepts_votes:
        state = "done" if idea.status_category == "done" else "closed"
        raise Conflict(f"Voting is closed: this idea is {state}.", code="voting_closed")


def _clean(value: int, importance: str | None) -> tuple[int, str | None]:
    if value not in (1, -1):
        raise Invalid.field("value", "must be 1 (for) or -1 (against)")
    if importance is not None and importance not in {i.value for i in Importance}:
        raise Invalid.field("importance", "must be nice_to_have, important or critical")
    return value, importance


async def _check_options(session: AsyncSession, idea: Idea, value: int, importance: str | None) -> None:
    if importance is None and value == 1:
        return
    options = await ranking_service.board_options(session, idea.board_id)
    if importance is not None and not options.importance_enabled:
        raise Invalid.field("importance", "is not asked for on this board")
    if value == -1 and not options.downvotes_enabled:
        raise Invalid.field("value", "votes against are not allowed on this board")


async def add_vote(
    session: AsyncSession, ctx: WorkspaceContext, view: IdeaView, *, value: int = 1, importance: str | None = None
) -> VoteResult:
    """Vote for (value 1) or against (-1) an idea, optionally saying how important it is. Repeating the same
    vote changes nothing; a different direction or importance changes the vote in place (`vote.changed`).
    Leaving `importance` out keeps the one already chosen."""
    if ctx.user is None:
        raise Unauthorized("Sign in to vote.")
    idea = view.idea
    _check_open(idea)
    value, importance = _clean(value, importance)
    await _check_options(session, idea, value, importance)
    now = datetime.now(UTC)
    half_life = await ranking_service.trending_half_life(session, ctx.workspace.id)
    dialect = dialect_name(session)
    if await repository.insert_vote(
        session, ctx.workspace.id, idea.id, ctx.user.id, now, value=value, importance=importance
    ):
        if value == 1:
            x = trending.point(now, half_life)
            votes, _ = await idea_repository.change_counters(
                session, idea.id, votes=1, trending=trending.sql_add(Idea.trending_score, x, dialect)
            )
            set_committed_value(idea, "vote_count", votes)
        await ranking_service.refresh_scores(session, workspace_id=ctx.workspace.id, idea_ids=[idea.id])
        await _emit(session, ctx, idea, "vote.cast", value=value, importance=importance)
        return VoteResult(True, idea.vote_count, True, value, importance)
    current = await repository.get_vote(session, ctx.workspace.id, idea.id, ctx.user.id)
    if current is None:  # withdrawn by a concurrent request between our insert and this read
        return VoteResult(False, idea.vote_count, False)
    importance = current.importance if importance is None else importance
    if (current.value, current.importance) == (value, importance):
        return VoteResult(current.value == 1, idea.vote_count, False, current.value, current.importance)
    if not await repository.change_vote(session, current, value=value, importance=importance, at=now):
        return VoteResult(current.value == 1, idea.vote_count, False, current.value, current.importance)
    if value != current.value:
        if value == 1:
            expression = trending.sql_add(Idea.trending_score, trending.point(now, half_life), dialect)
            votes, _ = await idea_repository.change_counters(session, idea.id, votes=1, trending=expression)
        else:
            expression = trending.sql_remove(
                Idea.trending_score,
                trending.point(current.created_at, half_life),
                trending.point(idea.created_at, half_life),
                dialect,
            )
            votes, _ = await idea_repository.change_counters(session, idea.id, votes=-1, trending=expression)
        set_committed_value(idea, "vote_count", votes)
    await ranking_service.refresh_scores(session, workspace_id=ctx.workspace.id, idea_ids=[idea.id])
    await _emit(session, ctx, idea, "vote.changed", value=value, importance=importance)
    return VoteResult(value == 1, idea.vote_count, True, value, importance)


async def remove_vote(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> VoteResult:
    if ctx.user is None:
        raise Unauthorized("Sign in to vote.")
    idea = view.idea
    _check_open(idea)
    removed = await repository.delete_vote(session, ctx.workspace.id, idea.id, ctx.user.id)
    if removed is None:
        return VoteResult(voted=False, vote_count=idea.vote_count, changed=False)
    if removed.value == 1:
        half_life = await ranking_service.trending_half_life(session, ctx.workspace.id)
        expression = trending.sql_remove(
            Idea.trending_score,
            trending.point(removed.created_at, half_life),
            trending.point(idea.created_at, half_life),
            dialect_name(session),
        )
        votes, _ = await idea_repository.change_counters(session, idea.id, votes=-1, trending=expression)
        set_committed_value(idea, "vote_count", votes)
    await ranking_service.refresh_scores(session, workspace_id=ctx.workspace.id, idea_ids=[idea.id])
    await _emit(session, ctx, idea, "vote.withdrawn", value=removed.value, importance=removed.importance)
    return VoteResult(voted=False, vote_count=idea.vote_count, changed=True)


async def my_vote(session: AsyncSession, ctx: WorkspaceContext, idea: Idea) -> VoteResult:
    """The viewer's current vote on an idea (value None: no vote)."""
    if ctx.user is None:
        return VoteResult(False, idea.vote_count, False)
    current = await repository.get_vote(session, ctx.workspace.id, idea.id, ctx.user.id)
    if current is None:
        return VoteResult(False, idea.vote_count, False)
    return VoteResult(current.value == 1, idea.vote_count, False, current.value, current.importance)


async def _emit(session: AsyncSession, ctx: WorkspaceContext, idea: Idea, type: str, **extra) -> None:
    # Only real changes are events: a repeated PUT or DELETE changes nothing and tells nobody.
    payload = {"idea_id": idea.id, "number": idea.number, "board_id": idea.board_id, "actor_id": ctx.user.id, **extra}
    await outbox.emit(session, type=type, workspace_id=ctx.workspace.id, payload=payload)
