"""Queries for comments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.comments.models import Comment
from ideaflow.db import ID_MAX


async def list_for_idea(
    session: AsyncSession, workspace_id: int, idea_id: int, *, internal: bool = False
) -> list[tuple[Comment, str]]:
    """Public comments, or (internal=True) the staff's internal notes: never both in one list."""
    rows = await session.execute(
        select(Comment, User.name)
        .join(User, User.id == Comment.author_id)
        .where(Comment.workspace_id == workspace_id, Comment.idea_id == idea_id, Comment.internal.is_(internal))
        .order_by(Comment.id)
    )
    return [(c, n) for c, n in rows]


# Ids are 64-bit; a larger id in a URL or form names no comment (and the drivers cannot bind it).
async def get(session: AsyncSession, workspace_id: int, comment_id: int) -> Comment | None:
    if not 1 <= comment_id <= ID_MAX:
        return None
    return await session.scalar(select(Comment).where(Comment.workspace_id == workspace_id, Comment.id == comment_id))
