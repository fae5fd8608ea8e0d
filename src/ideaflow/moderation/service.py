"""Moderation: pre-moderation settings, spam signals, the queue (approve / reject with a reason) and blocking
users from posting and voting."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.workspaces.service import WorkspaceContext


async def ensure_can_participate(session: AsyncSession, ctx: WorkspaceContext) -> None:
    """Raise Forbidden when the signed-in user is blocked in this workspace (they cannot post, comment or vote)."""
    return None
