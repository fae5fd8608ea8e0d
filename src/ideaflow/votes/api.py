"""Vote API: PUT adds or changes the caller's vote, DELETE removes it; both idempotent."""

from __future__ import annotations

from fastapi import APIRouter, Body

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.votes import service
from ideaflow.votes.schemas import VoteState, VoteWrite
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["votes"])


def _state(number: int, result: service.VoteResult) -> VoteState:
    return VoteState(
        number=number,
        voted=result.voted,
        vote_count=result.vote_count,
        value=result.value,
        importance=result.importance,
    )


@router.put("/{workspace}/ideas/{number}/vote", response_model=VoteState, summary="Vote for an idea")
async def vote(
    number: int,
    ctx: WorkspaceDep,
    session: SessionDep,
    _: CurrentUser,
    body: VoteWrite | None = Body(None),
) -> VoteState:
    """Without a body: a vote for the idea. With `{"importance": "critical"}` or `{"value": -1}` (boards that
    allow it), the vote is cast or changed; repeating the same vote changes nothing."""
    body = body or VoteWrite()
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    importance = body.importance.value if body.importance else None
    result = await service.add_vote(session, ctx, view, value=body.value, importance=importance)
    return _state(number, result)


@router.delete("/{workspace}/ideas/{number}/vote", response_model=VoteState, summary="Withdraw a vote")
async def unvote(number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> VoteState:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    result = await service.remove_vote(session, ctx, view)
    return _state(number, result)
