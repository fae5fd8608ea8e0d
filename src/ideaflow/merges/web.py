"""Merging duplicate ideas: pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ideaflow.ideas.service import IdeaView
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


def merged_redirect(request: Request, ctx: WorkspaceContext, view: IdeaView) -> Response | None:
    """A redirect from a merged idea's page to the idea it was merged into (None: show the page)."""
    return None


async def idea_page_extras(session, ctx: WorkspaceContext, view: IdeaView) -> dict:
    """What the idea page needs for merges (the banner, the staff merge form)."""
    return {}
