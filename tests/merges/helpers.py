"""Shared helpers for merge tests: vote as someone, read what the database holds."""

from __future__ import annotations

from sqlalchemy import func, select

from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.notifications.models import Subscription
from ideaflow.tags.models import IdeaTag
from ideaflow.votes import service as vote_service
from ideaflow.votes.models import Vote
from tests.factories import context


async def vote(session, workspace, user, idea: Idea, value: int = 1):
    ctx = await context(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number)
    return await vote_service.add_vote(session, ctx, view, value=value)


async def unvote(session, workspace, user, idea: Idea):
    ctx = await context(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number)
    return await vote_service.remove_vote(session, ctx, view)


async def stored(session, idea_id: int) -> tuple[int, float]:
    row = (await session.execute(select(Idea.vote_count, Idea.trending_score).where(Idea.id == idea_id))).one()
    return row[0], row[1]


async def up_rows(session, idea_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id, Vote.value == 1))


async def votes_on(session, idea_id: int) -> dict[int, int | None]:
    """{user_id: origin_idea_id} of the votes an idea holds."""
    rows = await session.execute(select(Vote.user_id, Vote.origin_idea_id).where(Vote.idea_id == idea_id))
    return dict(rows.all())


async def followers(session, idea_id: int) -> dict[int, bool]:
    """{user_id: following} of the rows about one idea."""
    rows = await session.execute(
        select(Subscription.user_id, Subscription.unsubscribed).where(Subscription.idea_id == idea_id)
    )
    return {u: not unsubscribed for u, unsubscribed in rows}


async def tag_ids(session, idea_id: int) -> set[int]:
    return set(await session.scalars(select(IdeaTag.tag_id).where(IdeaTag.idea_id == idea_id)))
