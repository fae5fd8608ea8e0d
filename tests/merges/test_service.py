"""Merging duplicates in the service: votes move with their provenance (someone who voted on both counts once),
followers and tags move and come back off exactly, chains unmerge in any order, every refusal says why, and
merge and unmerge are audited and announced."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from ideaflow.audit.models import AuditEvent
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.ideas import repository as idea_repository
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.merges import service
from ideaflow.merges.models import IdeaMerge
from ideaflow.notifications import service as notification_service
from ideaflow.outbox.models import OutboxEvent
from ideaflow.ranking import scoring
from ideaflow.ranking import service as ranking_service
from ideaflow.ranking.models import IdeaScore
from ideaflow.tags import service as tag_service
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_idea, make_user, make_workspace, owner_context
from tests.merges.helpers import followers, stored, tag_ids, unvote, up_rows, vote, votes_on


async def _setup(session, ideas: int = 2):
    workspace = await make_workspace(session)
    staff = await make_user(session, name="Sam Staff")
    await add_member(session, workspace, staff, Role.staff)
    made = [await make_idea(session, workspace, title=f"Export to CSV variant {n}") for n in range(ideas)]
    return workspace, await context(session, workspace, staff), made


async def _expected_trending(session, workspace_id: int, idea: Idea) -> float:
    half_life = await ranking_service.trending_half_life(session, workspace_id)
    times = list(await session.scalars(select(Vote.created_at).where(Vote.idea_id == idea.id, Vote.value == 1)))
    return scoring.trending_score(sorted([idea.created_at, *times]), half_life)


async def test_merge_moves_votes_and_someone_who_voted_on_both_counts_once(session):
    workspace, staff, (x, y) = await _setup(session)
    only_x, both, only_y = [await make_user(session) for _ in range(3)]
    for user in (only_x, both):
        await vote(session, workspace, user, x)
    for user in (both, only_y):
        await vote(session, workspace, user, y)

    marker = await idea_repository.list_marker(session, workspace.id)
    await service.merge_ideas(session, staff, source=x, target=y)

    assert await votes_on(session, y.id) == {only_x.id: x.id, both.id: None, only_y.id: None}
    # Lists show the counts: their change marker (for ETags) moves.
    assert await idea_repository.list_marker(session, workspace.id) > marker
    assert await votes_on(session, x.id) == {both.id: None}  # stays on X: counted once on Y
    assert (await stored(session, y.id))[0] == 3 == y.vote_count
    assert (await stored(session, x.id))[0] == 1 == x.vote_count
    for idea in (x, y):
        assert math.isclose((await stored(session, idea.id))[1], await _expected_trending(session, workspace.id, idea))
    assert (x.merged_into_id, x.merged_at is not None) == (y.id, True)


async def test_unmerge_gives_back_exactly_the_votes_cast_on_the_idea(session):
    workspace, staff, (x, y) = await _setup(session)
    voters = [await make_user(session) for _ in range(3)]
    await vote(session, workspace, voters[0], x)
    await vote(session, workspace, voters[1], x)
    await vote(session, workspace, voters[1], y)
    await vote(session, workspace, voters[2], y)
    await service.merge_ideas(session, staff, source=x, target=y)

    target = await service.unmerge(session, staff, source=x)

    assert target.id == y.id
    assert await votes_on(session, x.id) == {voters[0].id: None, voters[1].id: None}
    assert await votes_on(session, y.id) == {voters[1].id: None, voters[2].id: None}
    assert (x.vote_count, y.vote_count) == (2, 2)
    assert (await stored(session, x.id))[0] == 2 and (await stored(session, y.id))[0] == 2
    assert x.merged_into_id is None and x.merged_at is None
    record = await session.scalar(select(IdeaMerge).where(IdeaMerge.source_idea_id == x.id))
    assert record.undone_at is not None and record.undone_by_id == staff.user.id


async def test_a_vote_withdrawn_after_the_merge_does_not_come_back(session):
    workspace, staff, (x, y) = await _setup(session)
    voter = await make_user(session)
    await vote(session, workspace, voter, x)
    await service.merge_ideas(session, staff, source=x, target=y)
    await unvote(session, workspace, voter, y)  # it counted for Y: withdrawing it there removes it
    assert await up_rows(session, y.id) == 0 == (await stored(session, y.id))[0]

    await service.unmerge(session, staff, source=x)

    assert await votes_on(session, x.id) == {}
    assert (await stored(session, x.id))[0] == 0


async def test_down_votes_move_but_only_up_votes_are_counted(session):
    workspace, staff, (x, y) = await _setup(session)
    ctx = await owner_context(session, workspace)
    board_id = x.board_id
    await ranking_service.set_board_options(
        session, ctx, board_id=board_id, options=ranking_service.BoardOptions(downvotes_enabled=True)
    )
    against, for_ = await make_user(session), await make_user(session)
    await vote(session, workspace, against, x, value=-1)
    await vote(session, workspace, for_, x)

    await service.merge_ideas(session, staff, source=x, target=y)

    assert await votes_on(session, y.id) == {against.id: x.id, for_.id: x.id}
    assert y.vote_count == 1
    score = await session.scalar(select(IdeaScore.downvotes).where(IdeaScore.idea_id == y.id))
    assert score == 1  # the ranking scores were refreshed from the rows


async def test_followers_move_without_undoing_an_unfollow_and_unmerge_removes_only_what_it_added(session):
    workspace, staff, (x, y) = await _setup(session)
    fan, quitter, both, lapsed = [await make_user(session) for _ in range(4)]

    async def follow(user, idea, following=True):
        ctx = await context(session, workspace, user)
        view = await idea_service.get_idea(session, ctx, idea.number)
        await notification_service.set_idea_following(session, ctx, view, following=following)

    await follow(fan, x)
    await follow(quitter, x)
    await follow(quitter, y, following=False)  # an explicit unfollow of Y
    await follow(both, x)
    await follow(both, y)
    await follow(lapsed, x, following=False)  # unfollowed X: not a follower to move
    before_y = await followers(session, y.id)

    record = await service.merge_ideas(session, staff, source=x, target=y)

    after = await followers(session, y.id)
    assert after[fan.id] is True
    assert after[quitter.id] is False and after[both.id] is True and lapsed.id not in after
    assert record.added_subscriber_ids == [fan.id]
    assert (await followers(session, x.id))[fan.id] is True  # X's followers still hear about X

    await service.unmerge(session, staff, source=x)
    assert await followers(session, y.id) == before_y


async def test_tags_move_and_unmerge_removes_only_the_tags_it_added(session):
    _, staff, (x, y) = await _setup(session)
    shared = await tag_service.create_tag(session, staff, name="Reporting", colour="#2e8ae6")
    only_x = await tag_service.create_tag(session, staff, name="Export", colour="#17a964")
    await tag_service.tag_idea(session, staff, x, shared)
    await tag_service.tag_idea(session, staff, x, only_x)
    await tag_service.tag_idea(session, staff, y, shared)

    record = await service.merge_ideas(session, staff, source=x, target=y)
    assert await tag_ids(session, y.id) == {shared.id, only_x.id}
    assert record.added_tag_ids == [only_x.id]

    await service.unmerge(session, staff, source=x)
    assert await tag_ids(session, y.id) == {shared.id}
    assert await tag_ids(session, x.id) == {shared.id, only_x.id}


@pytest.mark.parametrize("order", ["source_first", "middle_first"])
async def test_a_chain_unmerges_exactly_in_either_order(session, order):
    workspace, staff, (x, y, z) = await _setup(session, ideas=3)
    a, b, c, d = [await make_user(session) for _ in range(4)]
    await vote(session, workspace, a, x)
    await vote(session, workspace, b, x)
    await vote(session, workspace, b, y)
    await vote(session, workspace, c, y)
    await vote(session, workspace, c, z)
    await vote(session, workspace, d, z)

    await service.merge_ideas(session, staff, source=x, target=y)  # a→Y (from X); b stays on X
    await service.merge_ideas(session, staff, source=y, target=z)  # a (from X) and b→Z; c stays on Y
    assert await votes_on(session, z.id) == {a.id: x.id, b.id: y.id, c.id: None, d.id: None}
    assert z.vote_count == 4

    if order == "source_first":
        await service.unmerge(session, staff, source=x)
        assert await votes_on(session, x.id) == {a.id: None, b.id: None}
        assert await votes_on(session, z.id) == {b.id: y.id, c.id: None, d.id: None}
        await service.unmerge(session, staff, source=y)
    else:
        await service.unmerge(session, staff, source=y)  # Y comes back with X still merged into it
        assert await votes_on(session, y.id) == {a.id: x.id, b.id: None, c.id: None}
        assert await votes_on(session, z.id) == {c.id: None, d.id: None}
        await service.unmerge(session, staff, source=x)

    assert await votes_on(session, x.id) == {a.id: None, b.id: None}
    assert await votes_on(session, y.id) == {b.id: None, c.id: None}
    assert await votes_on(session, z.id) == {c.id: None, d.id: None}
    for idea in (x, y, z):
        assert (await stored(session, idea.id))[0] == 2 == await up_rows(session, idea.id)


async def test_merged_idea_refuses_votes(session):
    workspace, staff, (x, y) = await _setup(session)
    await service.merge_ideas(session, staff, source=x, target=y)
    with pytest.raises(Conflict, match="merged into another one"):
        await vote(session, workspace, await make_user(session), x)


async def _refusal(session, staff, source, target):
    with pytest.raises((Invalid, Conflict, NotFound)) as caught:
        await service.merge_ideas(session, staff, source=source, target=target)
    return caught.value


async def test_every_refused_merge_says_why_and_names_the_field(session):
    _, staff, (x, y, z, w) = await _setup(session, ideas=4)
    other_ws = await make_workspace(session)
    foreign = await make_idea(session, other_ws)

    error = await _refusal(session, staff, x, x)
    assert (error.status_code, error.fields) == (
        422,
        {"into": "must be another idea: an idea cannot be merged into itself"},
    )
    error = await _refusal(session, staff, x, foreign)
    assert (error.status_code, error.fields) == (422, {"into": "is not an idea of this workspace"})

    await service.merge_ideas(session, staff, source=y, target=z)
    error = await _refusal(session, staff, x, y)
    assert error.status_code == 409 and error.code == "target_merged"
    assert f"merge into #{z.number} instead" in error.message
    error = await _refusal(session, staff, z, y)
    assert error.status_code == 409 and error.code == "merge_cycle"
    assert error.fields == {"into": "would make a cycle"}
    error = await _refusal(session, staff, y, x)
    assert error.status_code == 409 and error.code == "already_merged"
    assert f"already merged into #{z.number}: unmerge it first" in error.message

    await idea_service.delete_idea(session, staff, await idea_service.get_idea(session, staff, w.number))
    error = await _refusal(session, staff, w, x)
    assert error.status_code == 409 and "deleted" in error.message
    error = await _refusal(session, staff, x, w)
    assert error.status_code == 422 and error.fields == {
        "into": f"must not be a deleted idea (#{w.number} was deleted)"
    }

    with pytest.raises(Conflict, match="is not merged into another idea") as caught:
        await service.unmerge(session, staff, source=x)
    assert caught.value.code == "not_merged"
    assert x.merged_into_id is None


async def test_field_name_of_errors_can_be_chosen_by_the_caller(session):
    _, staff, (x, _) = await _setup(session)
    with pytest.raises(Invalid) as caught:
        await service.merge_ideas(session, staff, source=x, target=x, field="target")
    assert caught.value.fields == {"target": "must be another idea: an idea cannot be merged into itself"}


async def test_only_staff_merge_and_unmerge(session):
    workspace, staff, (x, y) = await _setup(session)
    member = await make_user(session)
    await add_member(session, workspace, member, Role.member)
    ctx = await context(session, workspace, member)
    with pytest.raises(Forbidden):
        await service.merge_ideas(session, ctx, source=x, target=y)
    await service.merge_ideas(session, staff, source=x, target=y)
    with pytest.raises(Forbidden):
        await service.unmerge(session, ctx, source=x)


async def test_merge_and_unmerge_are_audited_and_announced(session):
    workspace, staff, (x, y) = await _setup(session)
    await vote(session, workspace, await make_user(session), x)
    await service.merge_ideas(session, staff, source=x, target=y)
    await service.unmerge(session, staff, source=x)

    rows = list(
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.workspace_id == workspace.id, AuditEvent.action.in_(["idea.merged", "idea.unmerged"]))
            .order_by(AuditEvent.id)
        )
    )
    assert [(r.action, r.actor_id, r.target_type, r.target_id) for r in rows] == [
        ("idea.merged", staff.user.id, "idea", x.id),
        ("idea.unmerged", staff.user.id, "idea", x.id),
    ]
    assert rows[0].after["merged_into"] == y.number and rows[0].after["votes_moved"] == 1
    assert rows[1].before["merged_into"] == y.number and rows[1].after["votes_restored"] == 1

    events = list(
        await session.execute(
            select(OutboxEvent.type, OutboxEvent.payload)
            .where(OutboxEvent.workspace_id == workspace.id, OutboxEvent.type.in_(["idea.merged", "idea.unmerged"]))
            .order_by(OutboxEvent.id)
        )
    )
    expected = {
        "idea_id": x.id,
        "number": x.number,
        "board_id": x.board_id,
        "actor_id": staff.user.id,
        "target_id": y.id,
        "target_number": y.number,
    }
    assert [(t, p) for t, p in events] == [("idea.merged", expected), ("idea.unmerged", expected)]


async def test_a_merged_idea_leaves_the_lists(session):
    _, staff, (x, y) = await _setup(session)
    await service.merge_ideas(session, staff, source=x, target=y)
    page = await idea_service.list_ideas(session, staff)
    assert [v.idea.id for v in page.items] == [y.id]
