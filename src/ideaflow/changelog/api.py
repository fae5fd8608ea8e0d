"""Changelog API: list and read entries, and (staff) write, publish and delete them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from ideaflow.changelog import service
from ideaflow.changelog.schemas import (
    ChangelogEntryCreate,
    ChangelogEntryRead,
    ChangelogEntryUpdate,
    ChangelogPageRead,
    LinkedIdeaRead,
    PublishRead,
)
from ideaflow.changelog.service import EntryView
from ideaflow.config import get_settings
from ideaflow.db import IdPath, SessionDep
from ideaflow.errors import Unauthorized
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter(tags=["changelog"])


def entry_read(view: EntryView, workspace_slug: str) -> ChangelogEntryRead:
    base = get_settings().base_url.rstrip("/")
    entry = view.entry
    return ChangelogEntryRead(
        id=entry.id,
        slug=entry.slug,
        title=entry.title,
        body=entry.body,
        body_html=entry.body_html,
        author_name=view.author_name,
        ship_status=entry.ship_status,
        published=entry.published_at is not None,
        published_at=entry.published_at,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        url=f"{base}/{workspace_slug}/changelog/{entry.slug}",
        ideas=[
            LinkedIdeaRead(
                number=linked.idea.number,
                title=linked.idea.title,
                status=linked.idea.status,
                vote_count=linked.idea.vote_count,
                url=f"{base}/{workspace_slug}/ideas/{linked.idea.number}",
            )
            for linked in view.ideas
        ],
    )


def _staff(ctx: WorkspaceContext) -> None:
    """Writing is for staff: 401 for anonymous callers, 403 for everyone else, before any look-up."""
    if ctx.user is None:
        raise Unauthorized("Sign in to do that.")
    workspace_service.require_staff(ctx)


@router.get("/{workspace}/changelog", response_model=ChangelogPageRead, summary="List changelog entries")
async def list_entries(
    ctx: WorkspaceDep,
    session: SessionDep,
    drafts: Annotated[bool, Query(description="Staff: include drafts (first page only).")] = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ChangelogPageRead:
    page = await service.list_entries(session, ctx, cursor=cursor, limit=limit, with_drafts=drafts)
    return ChangelogPageRead(
        items=[entry_read(v, ctx.workspace.slug) for v in page.items],
        drafts=[entry_read(v, ctx.workspace.slug) for v in page.drafts],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/{workspace}/changelog",
    response_model=ChangelogEntryRead,
    status_code=status.HTTP_201_CREATED,
    summary="Write a changelog entry (staff)",
)
async def create_entry(payload: ChangelogEntryCreate, ctx: WorkspaceDep, session: SessionDep) -> ChangelogEntryRead:
    _staff(ctx)
    entry = await service.create_entry(
        session,
        ctx,
        title=payload.title,
        body=payload.body,
        idea_numbers=payload.ideas,
        ship_status=payload.ship_status,
        publish=payload.publish,
    )
    return entry_read(await service.get_entry(session, ctx, entry_id=entry.id), ctx.workspace.slug)


@router.get("/{workspace}/changelog/{entry_id}", response_model=ChangelogEntryRead, summary="A changelog entry")
async def get_entry(entry_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> ChangelogEntryRead:
    return entry_read(await service.get_entry(session, ctx, entry_id=entry_id), ctx.workspace.slug)


@router.patch(
    "/{workspace}/changelog/{entry_id}", response_model=ChangelogEntryRead, summary="Change a changelog entry (staff)"
)
async def update_entry(
    entry_id: IdPath, payload: ChangelogEntryUpdate, ctx: WorkspaceDep, session: SessionDep
) -> ChangelogEntryRead:
    _staff(ctx)
    view = await service.get_entry(session, ctx, entry_id=entry_id)
    changes = payload.model_dump(exclude_unset=True)
    await service.update_entry(
        session,
        ctx,
        view.entry,
        title=changes.get("title"),
        body=changes.get("body"),
        idea_numbers=changes.get("ideas"),
        ship_status=changes.get("ship_status"),
    )
    return entry_read(await service.get_entry(session, ctx, entry_id=entry_id), ctx.workspace.slug)


@router.post(
    "/{workspace}/changelog/{entry_id}/publish",
    response_model=PublishRead,
    summary="Publish a changelog entry (staff): ships its ideas; publishing again changes nothing",
)
async def publish_entry(entry_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> PublishRead:
    _staff(ctx)
    view = await service.get_entry(session, ctx, entry_id=entry_id)
    shipped = await service.publish_entry(session, ctx, view.entry)
    return PublishRead(
        entry=entry_read(await service.get_entry(session, ctx, entry_id=entry_id), ctx.workspace.slug),
        shipped=[i.number for i in shipped],
    )


@router.delete(
    "/{workspace}/changelog/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a changelog entry (staff); shipped ideas keep their status",
)
async def delete_entry(entry_id: IdPath, ctx: WorkspaceDep, session: SessionDep) -> None:
    _staff(ctx)
    view = await service.get_entry(session, ctx, entry_id=entry_id)
    await service.delete_entry(session, ctx, view.entry)
