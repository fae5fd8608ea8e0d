"""Resolve the workspace named in the path, together with the viewer's role in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from ideaflow.accounts.dependencies import ViewerDep
from ideaflow.db import SessionDep
from ideaflow.workspaces import service
from ideaflow.workspaces.service import WorkspaceContext


def _board_slug(request: Request) -> str | None:
    """The board a route names (`/boards/{board}` or `?board=`), so that it is looked up with the workspace."""
    board = request.path_params.get("board") or request.query_params.get("board")
    return board.lower() if isinstance(board, str) and 0 < len(board) <= 40 else None


async def get_workspace_context(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    workspace: Annotated[str, Path(max_length=40, description="The workspace's slug, e.g. `acme`.")],
) -> WorkspaceContext:
    return await service.load_context(
        session, slug=workspace.lower(), user=viewer.user, board_slug=_board_slug(request)
    )


async def get_staff_context(ctx: Annotated[WorkspaceContext, Depends(get_workspace_context)]) -> WorkspaceContext:
    service.require_staff(ctx)
    return ctx


WorkspaceDep = Annotated[WorkspaceContext, Depends(get_workspace_context)]
StaffWorkspaceDep = Annotated[WorkspaceContext, Depends(get_staff_context)]
