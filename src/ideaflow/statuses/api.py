"""Status API: the workspace's statuses (read by anyone who can see it, managed by admins), changing an
idea's status with an official response (staff), responses and their history, and the idea timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ideaflow.db import IdPath, SessionDep
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.api import idea_read
from ideaflow.ideas.schemas import IdeaRead
from ideaflow.statuses import service
from ideaflow.statuses.models import OfficialResponse
from ideaflow.statuses.schemas import (
    PersonRef,
    ResponseCreate,
    ResponseRead,
    RevisionRead,
    StatusChange,
    StatusCreate,
    StatusOrder,
    StatusRead,
    StatusUpdate,
    TimelineEntryRead,
)
from ideaflow.workspaces.dependencies import StaffWorkspaceDep, WorkspaceDep

router = APIRouter(tags=["statuses"])


def _person(user_id: int | None, name: str | None) -> PersonRef | None:
    return PersonRef(id=user_id, name=name) if user_id is not None and name is not None else None


def response_read(answer: OfficialResponse, author_name: str | None) -> ResponseRead:
    return ResponseRead(
        id=answer.id,
        author=_person(answer.author_id, author_name),
        body=answer.body,
        body_html=answer.body_html,
        edited=answer.edit_count > 0,
        created_at=answer.created_at,
        updated_at=answer.updated_at,
    )


@router.get("/{workspace}/statuses", response_model=list[StatusRead], summary="The workspace's statuses, in order")
async def list_statuses(ctx: WorkspaceDep, session: SessionDep) -> list[StatusRead]:
    return [StatusRead.model_validate(s) for s in await service.list_statuses(session, workspace_id=ctx.workspace.id)]


@router.post(
    "/{workspace}/statuses",
    response_model=StatusRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a status (admins)",
)
async def create_status(payload: StatusCreate, ctx: WorkspaceDep, session: SessionDep) -> StatusRead:
    created = await service.create_status(session, ctx, **payload.model_dump())
    return StatusRead.model_validate(created)


@router.put("/{workspace}/statuses/order", response_model=list[StatusRead], summary="Reorder the statuses (admins)")
async def reorder_statuses(payload: StatusOrder, ctx: WorkspaceDep, session: SessionDep) -> list[StatusRead]:
    return [StatusRead.model_validate(s) for s in await service.reorder(session, ctx, payload.keys)]


@router.patch(
    "/{workspace}/statuses/{key}",
    response_model=StatusRead,
    summary="Rename, recolour or recategorise a status (admins)",
)
async def update_status(key: str, payload: StatusUpdate, ctx: WorkspaceDep, session: SessionDep) -> StatusRead:
    found = await service.get_for_change(session, ctx, key)
    updated = await service.update_status(session, ctx, found, **payload.model_dump(exclude_unset=True))
    return StatusRead.model_validate(updated)


@router.delete(
    "/{workspace}/statuses/{key}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a status (admins); ideas in it move to `replacement`, or the request is refused with 409",
)
async def delete_status(
    key: str,
    ctx: WorkspaceDep,
    session: SessionDep,
    replacement: Annotated[str | None, Query(max_length=32, description="Status key for its ideas.")] = None,
) -> None:
    found = await service.get_for_change(session, ctx, key)
    await service.delete_status(session, ctx, found, replacement=replacement)


@router.post(
    "/{workspace}/ideas/{number}/status",
    response_model=IdeaRead,
    summary="Change an idea's status, with an optional official response (staff)",
)
async def change_status(number: int, payload: StatusChange, ctx: StaffWorkspaceDep, session: SessionDep) -> IdeaRead:
    view = await idea_service.get_idea(session, ctx, number)
    await service.set_status(
        session,
        workspace_id=ctx.workspace.id,
        idea=view.idea,
        status_key=payload.status,
        actor_id=ctx.user.id,
        response=payload.response,
    )
    view = await idea_service.get_idea(session, ctx, number)
    return idea_read(view, ctx.workspace.slug, await service.status_set(session, workspace_id=ctx.workspace.id))


@router.get(
    "/{workspace}/ideas/{number}/timeline",
    response_model=list[TimelineEntryRead],
    summary="An idea's history: status changes and official responses, oldest first",
)
async def timeline(number: int, ctx: WorkspaceDep, session: SessionDep) -> list[TimelineEntryRead]:
    view = await idea_service.get_idea(session, ctx, number)
    items = await service.timeline(session, workspace_id=ctx.workspace.id, idea_id=view.idea.id)
    return [
        TimelineEntryRead(
            id=i.entry.id,
            kind=i.entry.kind,
            actor=_person(i.entry.actor_id, i.actor_name),
            from_status=i.entry.from_status,
            to_status=i.entry.to_status,
            source=i.entry.source,
            # The response's author is named on the entry (the same person posted both).
            response=response_read(i.response, i.actor_name if i.response.author_id == i.entry.actor_id else None)
            if i.response
            else None,
            created_at=i.entry.created_at,
        )
        for i in items
    ]


@router.get(
    "/{workspace}/ideas/{number}/response",
    response_model=ResponseRead | None,
    summary="The idea's pinned official response (the latest), or null",
)
async def pinned_response(number: int, ctx: WorkspaceDep, session: SessionDep) -> ResponseRead | None:
    view = await idea_service.get_idea(session, ctx, number)
    pinned = await service.pinned_response(session, workspace_id=ctx.workspace.id, idea_id=view.idea.id)
    return response_read(pinned.response, pinned.author_name) if pinned else None


@router.post(
    "/{workspace}/ideas/{number}/responses",
    response_model=ResponseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Post an official response without changing the status (staff)",
)
async def post_response(
    number: int, payload: ResponseCreate, ctx: StaffWorkspaceDep, session: SessionDep
) -> ResponseRead:
    view = await idea_service.get_idea(session, ctx, number)
    answer = await service.post_response(
        session, workspace_id=ctx.workspace.id, idea=view.idea, actor_id=ctx.user.id, body=payload.body
    )
    return response_read(answer, ctx.user.name)


@router.patch(
    "/{workspace}/ideas/{number}/responses/{response_id}",
    response_model=ResponseRead,
    summary="Edit an official response; earlier versions stay in its history (staff)",
)
async def edit_response(
    number: int, response_id: IdPath, payload: ResponseCreate, ctx: StaffWorkspaceDep, session: SessionDep
) -> ResponseRead:
    view = await idea_service.get_idea(session, ctx, number)
    answer = await service.edit_response(
        session,
        workspace_id=ctx.workspace.id,
        idea=view.idea,
        response_id=response_id,
        actor_id=ctx.user.id,
        body=payload.body,
    )
    pinned = await service.response_history(
        session, workspace_id=ctx.workspace.id, idea=view.idea, response_id=answer.id
    )
    author = next((n for r, n in pinned[1] if r.editor_id == answer.author_id), None)
    return response_read(answer, author)


@router.get(
    "/{workspace}/ideas/{number}/responses/{response_id}/revisions",
    response_model=list[RevisionRead],
    summary="Every version of an official response, newest first",
)
async def revisions(number: int, response_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> list[RevisionRead]:
    view = await idea_service.get_idea(session, ctx, number)
    _, rows = await service.response_history(
        session, workspace_id=ctx.workspace.id, idea=view.idea, response_id=response_id
    )
    return [
        RevisionRead(
            id=r.id, editor=_person(r.editor_id, n), body=r.body, body_html=r.body_html, created_at=r.created_at
        )
        for r, n in rows
    ]
