"""Tag API: the workspace's tags (read by anyone who can see it, managed by staff) and tagging ideas."""

from __future__ import annotations

from fastapi import APIRouter, status

from ideaflow.db import IdPath, SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.tags import service
from ideaflow.tags.schemas import TagCreate, TagRead, TagUpdate
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep

router = APIRouter(tags=["tags"])


@router.get("/{workspace}/tags", response_model=list[TagRead], summary="The workspace's tags")
async def list_tags(ctx: WorkspaceDep, session: SessionDep) -> list[TagRead]:
    return [TagRead.model_validate(t) for t in await service.list_tags(session, workspace_id=ctx.workspace.id)]


@router.post(
    "/{workspace}/tags", response_model=TagRead, status_code=status.HTTP_201_CREATED, summary="Create a tag (staff)"
)
async def create_tag(payload: TagCreate, ctx: StaffWorkspaceDep, session: SessionDep) -> TagRead:
    return TagRead.model_validate(await service.create_tag(session, ctx, name=payload.name, colour=payload.colour))


@router.patch("/{workspace}/tags/{tag_id}", response_model=TagRead, summary="Rename or recolour a tag (staff)")
async def update_tag(tag_id: IdPath, payload: TagUpdate, ctx: StaffWorkspaceDep, session: SessionDep) -> TagRead:
    tag = await service.get_tag(session, ctx, tag_id)
    return TagRead.model_validate(await service.update_tag(session, ctx, tag, **payload.model_dump(exclude_unset=True)))


@router.delete(
    "/{workspace}/tags/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a tag and take it off every idea (staff)",
)
async def delete_tag(tag_id: IdPath, ctx: StaffWorkspaceDep, session: SessionDep) -> None:
    await service.delete_tag(session, ctx, await service.get_tag(session, ctx, tag_id))


@router.put(
    "/{workspace}/ideas/{number}/tags/{tag_id}",
    response_model=list[TagRead],
    summary="Put a tag on an idea (staff; idempotent). Returns the idea's tags.",
)
async def tag_idea(number: int, tag_id: IdPath, ctx: StaffWorkspaceDep, session: SessionDep) -> list[TagRead]:
    view = await idea_service.get_idea(session, ctx, number)
    await service.tag_idea(session, ctx, view.idea, await service.get_tag(session, ctx, tag_id))
    return await _idea_tags(session, ctx, view.idea.id)


@router.delete(
    "/{workspace}/ideas/{number}/tags/{tag_id}",
    response_model=list[TagRead],
    summary="Take a tag off an idea (staff; idempotent). Returns the idea's tags.",
)
async def untag_idea(number: int, tag_id: IdPath, ctx: StaffWorkspaceDep, session: SessionDep) -> list[TagRead]:
    view = await idea_service.get_idea(session, ctx, number)
    await service.untag_idea(session, ctx, view.idea, await service.get_tag(session, ctx, tag_id))
    return await _idea_tags(session, ctx, view.idea.id)


async def _idea_tags(session, ctx, idea_id: int) -> list[TagRead]:
    tags = await service.tags_by_idea(session, workspace_id=ctx.workspace.id, idea_ids=[idea_id])
    return [TagRead.model_validate(t) for t in tags.get(idea_id, [])]
