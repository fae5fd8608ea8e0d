"""Moderation: pages."""

from __future__ import annotations

from fastapi import APIRouter

from ideaflow.ideas.service import IdeaView
from ideaflow.workspaces.service import WorkspaceContext

router = APIRouter()


async def idea_page_extras(session, ctx: WorkspaceContext, view: IdeaView) -> dict:
    """What the idea page needs for moderation (the pending / rejected notice, staff's approve and reject)."""
    return {}
