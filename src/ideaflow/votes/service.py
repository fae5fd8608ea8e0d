"""Voting: one vote per person per idea, idempotent both ways, counters exact under concurrency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ideaflow import outbox
from ideaflow.config import get_settings
from ideaflow.errors import Conflict, Unauthorized
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.ideas.service import IdeaView
from ideaflow.kit.sql import dialect_name
from ideaflow.votes import repository
from ideaflow.workspaces.service import WorkspaceContext


@dataclass
class VoteResult:
    voted: bool
    vote_count: int
    changed: bool


def _check_open(idea: Idea) -> None:
    if not IdeaStatus(idea.status).accepts_votes:
        raise Conflict(f"Voting is closed: this idea is {IdeaStatus(idea.status).label.lower()}.", code="voting_closed")


async def add_vote(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> VoteResult:
    if ctx.user is None:
        raise Unauthorized("Sign in to vote.")
    idea = view.idea
    _check_open(idea)
    now = datetime.now(UTC)
    if not await repository.insert_vote(session, ctx.workspace.id, idea.id, ctx.user.id, now):
        return VoteResult(voted=True, vote_count=idea.vote_count, changed=False)
    x = trending.point(now, get_settings().trending_half_life_hours)
    votes, _ = await idea_repository.change_counters(
        session, idea.id, votes=1, trending=trending.sql_add(Idea.trending_score, x, dialect_name(session))
    )
    set_committed_value(idea, "vote_count", votes)
    await _emit(session, ctx, idea, "vote.cast")
    return VoteResult(voted=True, vote_count=votes, changed=True)


async def remove_vote(session: AsyncSession, ctx: WorkspaceContext, view: IdeaView) -> VoteResult:
    if ctx.user is None:
        raise Unauthorized("Sign in to vote.")
    idea = view.idea
    _check_open(idea)
    cast_at = await repository.delete_vote(session, ctx.workspace.id, idea.id, ctx.user.id)
    if cast_at is None:
        return VoteResult(voted=False, vote_count=idea.vote_count, changed=False)
    half_life = get_settings().trending_half_life_hours
    expression = trending.sql_remove(
        Idea.trending_score,
        trending.point(cast_at, half_life),
        trending.point(idea.created_at, half_life),
        dialect_name(session),
    )
    votes, _ = await idea_repository.change_counters(session, idea.id, votes=-1, trending=expression)
    set_committed_value(idea, "vote_count", votes)
    await _emit(session, ctx, idea, "vote.withdrawn")
    return VoteResult(voted=False, vote_count=votes, changed=True)


async def _emit(session: AsyncSession, ctx: WorkspaceContext, idea: Idea, type: str) -> None:
    # Only real changes are events: a repeated PUT or DELETE changes nothing and tells nobody.
    payload = {"idea_id": idea.id, "number": idea.number, "board_id": idea.board_id, "actor_id": ctx.user.id}
    await outbox.emit(session, type=type, workspace_id=ctx.workspace.id, payload=payload)
