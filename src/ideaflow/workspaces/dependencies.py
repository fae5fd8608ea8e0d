"""Resolve the workspace named in the path, together with the viewer's role in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from ideaflow.accounts.dependencies import ViewerDep
from ideaflow.db import SessionDep
from ideaflow.workspaces import service
from ideaflow.workspaces.service import WorkspaceContext


async def get_workspace_context(
    session: SessionDep,
    viewer: ViewerDep,
    workspace: Annotated[str, Path(max_length=40, description="The workspace's slug, e.g. `acme`.")],
) -> WorkspaceContext:
    return await service.load_context(session, slug=workspace.lower(), user=viewer.user)


async def get_staff_context(ctx: Annotated[WorkspaceContext, Depends(get_workspace_context)]) -> WorkspaceContext:
    service.require_staff(ctx)
    return ctx


WorkspaceDep = Annotated[WorkspaceContext, Depends(get_workspace_context)]
StaffWorkspaceDep = Annotated[WorkspaceContext, Depends(get_staff_context)]
