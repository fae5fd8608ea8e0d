"""Roadmap API: the columns as the caller sees them, and (staff) which boards and statuses appear."""

from __future__ import annotations

from fastapi import APIRouter

from ideaflow.config import get_settings
from ideaflow.db import SessionDep
from ideaflow.errors import Unauthorized
from ideaflow.roadmap import service
from ideaflow.roadmap.schemas import (
    RoadmapCardRead,
    RoadmapColumnRead,
    RoadmapRead,
    RoadmapSettingsRead,
    RoadmapSettingsUpdate,
    RoadmapStatusRead,
)
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.dependencies import WorkspaceDep
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter(tags=["roadmap"])


def _staff(ctx: WorkspaceContext) -> None:
    if ctx.user is None:
        raise Unauthorized("Sign in to do that.")
    workspace_service.require_staff(ctx)


@router.get("/{workspace}/roadmap", response_model=RoadmapRead, summary="The roadmap: Planned, In progress, Shipped")
async def roadmap(ctx: WorkspaceDep, session: SessionDep) -> RoadmapRead:
    built = await service.build(session, ctx)
    base = get_settings().base_url.rstrip("/")
    return RoadmapRead(
        columns=[
            RoadmapColumnRead(
                key=column.key,
                title=column.title,
                statuses=[
                    RoadmapStatusRead(key=s.key, name=s.name, colour=s.colour, category=s.category.value)
                    for s in column.statuses
                ],
                total=column.total,
                ideas=[
                    RoadmapCardRead(
                        number=v.idea.number,
                        title=v.idea.title,
                        status=v.idea.status,
                        vote_count=v.idea.vote_count,
                        voted=v.voted,
                        board=v.row.board.slug,
                        url=f"{base}/{ctx.workspace.slug}/ideas/{v.idea.number}",
                    )
                    for v in column.items
                ],
            )
            for column in built.columns
        ]
    )


def _settings_read(chosen: service.RoadmapChoice) -> RoadmapSettingsRead:
    return RoadmapSettingsRead(boards=[b.slug for b in chosen.boards], statuses=[s.key for s in chosen.statuses])


@router.get(
    "/{workspace}/roadmap/settings", response_model=RoadmapSettingsRead, summary="What the roadmap shows (staff)"
)
async def roadmap_settings(ctx: WorkspaceDep, session: SessionDep) -> RoadmapSettingsRead:
    _staff(ctx)
    return _settings_read(await service.settings_choice(session, ctx))


@router.put(
    "/{workspace}/roadmap/settings",
    response_model=RoadmapSettingsRead,
    summary="Choose the boards and statuses the roadmap shows (staff)",
)
async def update_roadmap_settings(
    payload: RoadmapSettingsUpdate, ctx: WorkspaceDep, session: SessionDep
) -> RoadmapSettingsRead:
    _staff(ctx)
    await service.save_settings(session, ctx, board_slugs=payload.boards, status_keys=payload.statuses)
    return _settings_read(await service.settings_choice(session, ctx))
