"""Merging duplicate ideas: merge X into Y (votes, subscribers and tags move; someone who voted on both counts
once) and unmerge (X gets back exactly its own votes, by each vote's provenance)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.ideas.models import Idea
from ideaflow.merges.models import IdeaMerge
from ideaflow.workspaces.service import WorkspaceContext


async def merge_ideas(session: AsyncSession, ctx: WorkspaceContext, *, source: Idea, target: Idea) -> IdeaMerge:
    """Merge `source` into `target` (staff only). Raises Invalid/Conflict with a clear reason otherwise."""
    raise NotImplementedError


async def unmerge(session: AsyncSession, ctx: WorkspaceContext, *, source: Idea) -> Idea:
    """Undo the merge of `source` (staff only): returns the idea it had been merged into."""
    raise NotImplementedError
