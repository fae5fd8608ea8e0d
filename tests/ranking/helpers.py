"""Helpers for ranking tests: voters with customer attributes, board options, and a fresh look at scores."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow.boards.models import Board
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.ranking import service as ranking_service
from ideaflow.ranking.models import IdeaScore
from ideaflow.votes import service as vote_service
from ideaflow.workspaces.models import Workspace
from tests.factories import context, make_user, owner_context


async def vote(session: AsyncSession, workspace: Workspace, idea: Idea, user, **kwargs) -> vote_service.VoteResult:
    ctx = await context(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number, with_voted=False)
    return await vote_service.add_vote(session, ctx, view, **kwargs)


async def unvote(session: AsyncSession, workspace: Workspace, idea: Idea, user) -> vote_service.VoteResult:
    ctx = await context(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number, with_voted=False)
    return await vote_service.remove_vote(session, ctx, view)


async def customer(session: AsyncSession, workspace: Workspace, *, segment=None, revenue=None, source="api"):
    user = await make_user(session)
    await ranking_service.record_customer_attributes(
        session,
        workspace_id=workspace.id,
        user_id=user.id,
        segment=segment,
        monthly_revenue=revenue,
        company_name=None,
        company_external_id=None,
        source=source,
    )
    return user


async def enable(session: AsyncSession, workspace: Workspace, board: Board, **options) -> None:
    ctx = await owner_context(session, workspace)
    await ranking_service.set_board_options(
        session, ctx, board_id=board.id, options=ranking_service.BoardOptions(**options)
    )


async def stored(session: AsyncSession, idea: Idea) -> IdeaScore | None:
    return await session.scalar(
        select(IdeaScore).where(IdeaScore.idea_id == idea.id).execution_options(populate_existing=True)
    )
