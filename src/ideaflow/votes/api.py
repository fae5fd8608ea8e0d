"""Vote API: PUT adds the caller's vote, DELETE removes it; both idempotent."""

from __future__ import annotations

from fastapi import APIRouter

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.schemas import VoteRead
from ideaflow.votes import service
from ideaflow.workspaces.dependencies import WorkspaceDep

router = APIRouter(tags=["votes"])


@router.put("/{workspace}/ideas/{number}/vote", response_model=VoteRead, summary="Vote for an idea")
async def vote(number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> VoteRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    result = await service.add_vote(session, ctx, view)
    return VoteRead(number=number, voted=result.voted, vote_count=result.vote_count)


@router.delete("/{workspace}/ideas/{number}/vote", response_model=VoteRead, summary="Withdraw a vote")
async def unvote(number: int, ctx: WorkspaceDep, session: SessionDep, _: CurrentUser) -> VoteRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    result = await service.remove_vote(session, ctx, view)
    return VoteRead(number=number, voted=result.voted, vote_count=result.vote_count)
