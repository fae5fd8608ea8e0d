"""Vote API: PUT adds or changes the caller's vote, DELETE removes it; both idempotent. Staff record, list and
remove votes on a customer's behalf."""

from __future__ import annotations

from fastapi import APIRouter, Body

from ideaflow.accounts.dependencies import CurrentUser
from ideaflow.db import IdPath, SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.votes import service
from ideaflow.votes.schemas import (
    OnBehalfRemoved,
    OnBehalfResult,
    OnBehalfVoteRead,
    OnBehalfWrite,
    StaffRef,
    VoteState,
    VoteWrite,
)
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep

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


def _on_behalf_read(vote: service.OnBehalfVote) -> OnBehalfVoteRead:
    added_by = None
    if vote.added_by_id is not None and vote.added_by_name is not None:
        added_by = StaffRef(id=vote.added_by_id, name=vote.added_by_name)
    return OnBehalfVoteRead(
        user_id=vote.user_id,
        name=vote.name,
        email=vote.email,
        signed_up=vote.signed_up,
        source=vote.source,
        note=vote.note,
        link=vote.link,
        importance=vote.importance,
        added_by=added_by,
        created_at=vote.created_at,
    )


@router.put(
    "/{workspace}/ideas/{number}/votes/on-behalf",
    response_model=OnBehalfResult,
    summary="Record a vote on a customer's behalf (staff; idempotent)",
)
async def record_on_behalf(
    number: int, body: OnBehalfWrite, ctx: StaffWorkspaceDep, session: SessionDep
) -> OnBehalfResult:
    """A +1 vote for the person who uses `email`; an address without an account gets a placeholder account,
    which becomes theirs when they sign up and verify the address. Recording again for the same person updates
    where it came from and never counts twice. A vote the person cast themself is left alone (409)."""
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    outcome = await service.record_on_behalf(
        session,
        ctx,
        view,
        email=body.email,
        name=body.name,
        source=body.source.value,
        note=body.note,
        link=body.link,
        importance=body.importance.value if body.importance else None,
    )
    return OnBehalfResult(
        number=number,
        vote_count=outcome.result.vote_count,
        changed=outcome.result.changed,
        placeholder_created=outcome.placeholder_created,
        vote=_on_behalf_read(outcome.vote),
    )


@router.get(
    "/{workspace}/ideas/{number}/votes/on-behalf",
    response_model=list[OnBehalfVoteRead],
    summary="Votes recorded on customers' behalf, newest first (staff)",
)
async def list_on_behalf(number: int, ctx: StaffWorkspaceDep, session: SessionDep) -> list[OnBehalfVoteRead]:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return [_on_behalf_read(v) for v in await service.list_on_behalf(session, ctx, view.idea)]


@router.delete(
    "/{workspace}/ideas/{number}/votes/on-behalf/{user_id}",
    response_model=OnBehalfRemoved,
    summary="Remove a vote recorded on a customer's behalf (staff; idempotent)",
)
async def remove_on_behalf(
    number: int, user_id: IdPath, ctx: StaffWorkspaceDep, session: SessionDep
) -> OnBehalfRemoved:
    """A vote the person cast, or took over by voting themself, is theirs to withdraw (409)."""
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    result = await service.remove_on_behalf(session, ctx, view, user_id=user_id)
    return OnBehalfRemoved(number=number, vote_count=result.vote_count, removed=result.changed)
