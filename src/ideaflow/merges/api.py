"""Merge API: an idea's merge state (anyone who can see the idea), merging it into another idea and undoing
that (staff), and the ideas staff can pick as the target."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ideaflow.db import SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.merges import service
from ideaflow.merges.schemas import IdeaRef, MergeCandidate, MergeCreate, MergedIdea, MergeRead
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter(tags=["merges"])


def _ref(idea: Idea | None) -> IdeaRef | None:
    return IdeaRef(number=idea.number, title=idea.title) if idea is not None else None


async def _read(session, ctx: WorkspaceContext, idea: Idea) -> MergeRead:
    state = await service.merge_state(session, ctx, idea)
    return MergeRead(
        number=idea.number,
        merged_into=_ref(state.merged_into),
        merged_into_final=_ref(state.final),
        merged_at=idea.merged_at,
        merged_ideas=[MergedIdea(number=i.number, title=i.title, merged_at=i.merged_at) for i in state.merged_here],
    )


@router.get(
    "/{workspace}/ideas/{number}/merge",
    response_model=MergeRead,
    summary="An idea's merge state: what it was merged into, and the ideas merged into it",
)
async def get_merge(number: int, ctx: WorkspaceDep, session: SessionDep) -> MergeRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    return await _read(session, ctx, view.idea)


@router.post(
    "/{workspace}/ideas/{number}/merge",
    response_model=MergeRead,
    summary="Merge this idea into another one (staff)",
    description="Votes, followers and tags move to the target; someone who voted on both counts once. The merged "
    "idea leaves every list and takes no more votes. 422 names the field `into`; 409 when the merge is refused "
    "(already merged, target merged, cycle, deleted).",
)
async def merge(number: int, payload: MergeCreate, ctx: StaffWorkspaceDep, session: SessionDep) -> MergeRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    target = await service.target_by_number(session, ctx, payload.into)
    await service.merge_ideas(session, ctx, source=view.idea, target=target)
    return await _read(session, ctx, view.idea)


@router.post(
    "/{workspace}/ideas/{number}/unmerge",
    response_model=MergeRead,
    summary="Undo the merge of this idea (staff)",
    description="The idea gets back exactly the votes cast on it (and on ideas merged into it); the followers and "
    "tags the merge added to the target are removed. 409 when it is not merged.",
)
async def unmerge(number: int, ctx: StaffWorkspaceDep, session: SessionDep) -> MergeRead:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    await service.unmerge(session, ctx, source=view.idea)
    return await _read(session, ctx, view.idea)


@router.get(
    "/{workspace}/ideas/{number}/merge-candidates",
    response_model=list[MergeCandidate],
    summary="Ideas this one could be merged into, for a search as you type (staff)",
)
async def merge_candidates(
    number: int,
    ctx: StaffWorkspaceDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=140, description="An idea number (42, #42) or words of its title.")] = "",
) -> list[MergeCandidate]:
    view = await idea_service.get_idea(session, ctx, number, with_voted=False)
    found = await service.candidates(session, ctx, source=view.idea, query=q)
    return [
        MergeCandidate(
            number=v.idea.number,
            title=v.idea.title,
            status=v.idea.status,
            vote_count=v.idea.vote_count,
            board=v.row.board.slug,
        )
        for v in found
    ]
