"""Queries for comments."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.accounts.models import User
from ideaflow.comments.models import Comment
from ideaflow.db import ID_MAX
from ideaflow.moderation.models import ModerationState


async def list_for_idea(
    session: AsyncSession,
    workspace_id: int,
    idea_id: int,
    *,
    internal: bool = False,
    staff: bool = False,
    viewer_id: int | None = None,
) -> list[tuple[Comment, str]]:
    """Public comments, or (internal=True) the staff's internal notes: never both in one list. Comments not
    approved by moderation are listed for `staff` only, and pending or rejected ones for their author
    (`viewer_id`)."""
    stmt = (
        select(Comment, User.name)
        .join(User, User.id == Comment.author_id)
        .where(Comment.workspace_id == workspace_id, Comment.idea_id == idea_id, Comment.internal.is_(internal))
        .order_by(Comment.id)
    )
    if not staff:
        shown = Comment.moderation_state == ModerationState.approved
        if viewer_id is not None:
            own = and_(
                Comment.author_id == viewer_id,
                Comment.moderation_state.in_([ModerationState.pending, ModerationState.rejected]),
            )
            shown = or_(shown, own)
        stmt = stmt.where(shown)
    rows = await session.execute(stmt)
    return [(c, n) for c, n in rows]


# Ids are 64-bit; a larger id in a URL or form names no comment (and the drivers cannot bind it).
async def get(session: AsyncSession, workspace_id: int, comment_id: int) -> Comment | None:
    if not 1 <= comment_id <= ID_MAX:
        return None
    return await session.scalar(select(Comment).where(Comment.workspace_id == workspace_id, Comment.id == comment_id))
