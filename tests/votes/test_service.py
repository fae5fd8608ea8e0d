"""Vote rules in the service: one vote per person, idempotent both ways, no membership from voting,
closed ideas, and what each viewer sees as "voted"."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ideaflow.db import utcnow
from ideaflow.errors import Conflict, NotFound, Unauthorized
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.votes import service
from ideaflow.votes.models import Vote
from ideaflow.workspaces import repository as workspace_repository
from tests.factories import context, make_idea, make_user, make_workspace

CATEGORIES = {
    IdeaStatus.under_review: "open",
    IdeaStatus.planned: "active",
    IdeaStatus.in_progress: "active",
    IdeaStatus.shipped: "done",
    IdeaStatus.declined: "closed",
}


async def _vote_rows(session, idea_id: int) -> int:
    return await session.scalar(select(func.count()).select_from(Vote).where(Vote.idea_id == idea_id))


async def _stored_count(session, idea_id: int) -> int:
    return await session.scalar(select(Idea.vote_count).where(Idea.id == idea_id))


async def test_second_vote_by_same_user_changes_nothing(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    ctx = await context(session, workspace, await make_user(session))
    view = await idea_service.get_idea(session, ctx, idea.number)

    first = await service.add_vote(session, ctx, view)
    second = await service.add_vote(session, ctx, view)
    assert (first.voted, first.vote_count, first.changed) == (True, 1, True)
    assert (second.voted, second.vote_count, second.changed) == (True, 1, False)
    assert await _vote_rows(session, idea.id) == 1
    assert await _stored_count(session, idea.id) == 1


async def test_votes_from_different_people_add_up_and_withdrawals_subtract(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    contexts = [await context(session, workspace, await make_user(session)) for _ in range(3)]
    for ctx in contexts:
        await service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    assert await _stored_count(session, idea.id) == 3

    result = await service.remove_vote(
        session, contexts[1], await idea_service.get_idea(session, contexts[1], idea.number)
    )
    assert (result.voted, result.vote_count, result.changed) == (False, 2, True)
    again = await service.remove_vote(
        session, contexts[1], await idea_service.get_idea(session, contexts[1], idea.number)
    )
    assert (again.voted, again.vote_count, again.changed) == (False, 2, False)
    assert (await _vote_rows(session, idea.id), await _stored_count(session, idea.id)) == (2, 2)


async def test_voting_on_a_public_idea_does_not_make_a_visitor_a_member(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    voter = await make_user(session)
    ctx = await context(session, workspace, voter)
    assert ctx.role is None
    await service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    # Membership (which opens private boards) is granted by admins, never by taking part.
    assert await workspace_repository.get_membership(session, workspace.id, voter.id) is None


async def test_anonymous_visitors_cannot_vote(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    ctx = await context(session, workspace, None)
    view = await idea_service.get_idea(session, ctx, idea.number)
    with pytest.raises(Unauthorized):
        await service.add_vote(session, ctx, view)
    with pytest.raises(Unauthorized):
        await service.remove_vote(session, ctx, view)
    assert await _vote_rows(session, idea.id) == 0


@pytest.mark.parametrize("status", [IdeaStatus.shipped, IdeaStatus.declined])
async def test_finished_ideas_take_no_new_votes_and_keep_their_old_ones(session, status):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    early = await context(session, workspace, await make_user(session))
    await service.add_vote(session, early, await idea_service.get_idea(session, early, idea.number))
    idea.status, idea.status_category = status, CATEGORIES[status]
    await session.flush()

    late = await context(session, workspace, await make_user(session))
    with pytest.raises(Conflict) as refused:
        await service.add_vote(session, late, await idea_service.get_idea(session, late, idea.number))
    assert refused.value.code == "voting_closed"
    with pytest.raises(Conflict):
        await service.remove_vote(session, early, await idea_service.get_idea(session, early, idea.number))
    assert (await _vote_rows(session, idea.id), await _stored_count(session, idea.id)) == (1, 1)


@pytest.mark.parametrize("status", [IdeaStatus.under_review, IdeaStatus.planned, IdeaStatus.in_progress])
async def test_ideas_in_progress_still_take_votes(session, status):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    idea.status, idea.status_category = status, CATEGORIES[status]
    await session.flush()
    ctx = await context(session, workspace, await make_user(session))
    result = await service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    assert result.vote_count == 1


async def test_each_viewer_sees_their_own_voted_flag_in_lists(session):
    workspace = await make_workspace(session)
    author = await make_user(session)
    liked = await make_idea(session, workspace, author=author)
    other = await make_idea(session, workspace, author=author)
    voter = await context(session, workspace, await make_user(session))
    await service.add_vote(session, voter, await idea_service.get_idea(session, voter, liked.number))

    mine = await idea_service.list_ideas(session, voter)
    assert {v.idea.number: v.voted for v in mine.items} == {liked.number: True, other.number: False}
    someone_else = await idea_service.list_ideas(session, await context(session, workspace, author))
    assert not any(v.voted for v in someone_else.items)
    anonymous = await idea_service.list_ideas(session, await context(session, workspace, None))
    assert not any(v.voted for v in anonymous.items)


async def test_deleted_ideas_cannot_be_voted_for(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    idea.deleted_at = utcnow()
    await session.flush()
    ctx = await context(session, workspace, await make_user(session))
    with pytest.raises(NotFound):
        await idea_service.get_idea(session, ctx, idea.number)


async def test_a_vote_lifts_the_trending_score_and_withdrawing_restores_it(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    before = await session.scalar(select(Idea.trending_score).where(Idea.id == idea.id))
    ctx = await context(session, workspace, await make_user(session))
    await service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    during = await session.scalar(select(Idea.trending_score).where(Idea.id == idea.id))
    await service.remove_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    after = await session.scalar(select(Idea.trending_score).where(Idea.id == idea.id))
    assert during > before
    assert after == pytest.approx(before, abs=1e-9)


async def test_only_real_vote_changes_become_events(session):
    from ideaflow.outbox.models import OutboxEvent

    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    user = await make_user(session)
    ctx = await context(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number)

    for change in (service.add_vote, service.add_vote, service.remove_vote, service.remove_vote):
        await change(session, ctx, view)
    rows = (
        await session.scalars(select(OutboxEvent).where(OutboxEvent.type.like("vote.%")).order_by(OutboxEvent.id))
    ).all()
    assert [(row.type, row.payload["idea_id"], row.payload["actor_id"]) for row in rows] == [
        ("vote.cast", idea.id, user.id),
        ("vote.withdrawn", idea.id, user.id),
    ]
    assert all(row.workspace_id == workspace.id for row in rows)
