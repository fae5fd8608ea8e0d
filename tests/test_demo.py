"""The demo workspace: realistic volume, exact counters, sign-in details that work, and a second run that
changes nothing."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from ideaflow import demo
from ideaflow.accounts import service as account_service
from ideaflow.accounts.models import User
from ideaflow.audit.models import AuditEvent
from ideaflow.boards.models import Board, Visibility
from ideaflow.comments.models import Comment
from ideaflow.config import get_settings
from ideaflow.errors import Conflict
from ideaflow.ideas import trending
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.statuses.models import OfficialResponse, TimelineEntry
from ideaflow.tags.models import IdeaTag, Tag
from ideaflow.votes.models import Vote
from ideaflow.workspaces.models import Membership, Role, Workspace
from tests.conftest import web_sign_in


@pytest.fixture
async def acme(session) -> Workspace:
    result = await demo.seed(session)
    assert result.created
    return await session.scalar(select(Workspace).where(Workspace.slug == "acme"))


async def _ideas(session, workspace: Workspace) -> list[Idea]:
    return list(await session.scalars(select(Idea).where(Idea.workspace_id == workspace.id).order_by(Idea.number)))


async def _table_sizes(session) -> dict[str, int]:
    sizes = {}
    for model in (User, Workspace, Membership, Board, Idea, Vote, Comment):
        sizes[model.__tablename__] = await session.scalar(select(func.count()).select_from(model))
    return sizes


async def test_demo_creates_acme_with_three_boards_and_at_least_150_ideas_on_each_of_them(session, acme):
    assert acme.name == "Acme Analytics"
    boards = list(await session.scalars(select(Board).where(Board.workspace_id == acme.id).order_by(Board.position)))
    assert [b.slug for b in boards] == ["feature-requests", "integrations", "mobile"]
    assert {b.slug: b.visibility for b in boards}["mobile"] == Visibility.private
    ideas = await _ideas(session, acme)
    assert len(ideas) >= 150
    per_board = Counter(i.board_id for i in ideas)
    assert all(per_board[b.id] >= 20 for b in boards)


async def test_demo_ideas_are_distinct_with_rendered_markdown_bodies(session, acme):
    ideas = await _ideas(session, acme)
    titles = [i.title.lower() for i in ideas]
    assert len(set(titles)) == len(titles)
    assert all(3 <= len(i.title) <= 140 and i.body and i.body_html.startswith("<") for i in ideas)
    assert any("<li>" in i.body_html for i in ideas)
    assert any('<a href="https://' in i.body_html for i in ideas)


async def test_every_vote_count_and_comment_count_matches_the_rows(session, acme):
    votes = dict(
        (
            await session.execute(
                select(Vote.idea_id, func.count()).where(Vote.workspace_id == acme.id).group_by(Vote.idea_id)
            )
        ).all()
    )
    live_comments = dict(
        (
            await session.execute(
                select(Comment.idea_id, func.count())
                # Internal notes are staff-only and never counted in the public comment count.
                .where(Comment.workspace_id == acme.id, Comment.deleted_at.is_(None), Comment.internal.is_(False))
                .group_by(Comment.idea_id)
            )
        ).all()
    )
    ideas = await _ideas(session, acme)
    assert [(i.number, i.vote_count) for i in ideas] == [(i.number, votes.get(i.id, 0)) for i in ideas]
    assert [(i.number, i.comment_count) for i in ideas] == [(i.number, live_comments.get(i.id, 0)) for i in ideas]
    # The numbers are worth looking at: a long tail with a few clear favourites, and some removed comments.
    counts = sorted(i.vote_count for i in ideas)
    assert counts[-3] >= 40
    assert counts[len(counts) // 2] <= 12
    removed = await session.scalar(
        select(func.count()).where(Comment.workspace_id == acme.id, Comment.deleted_at.is_not(None))
    )
    assert removed >= 1


async def test_ideas_are_numbered_one_to_n_in_creation_order_and_the_sequence_is_n(session, acme):
    ideas = await _ideas(session, acme)
    assert [i.number for i in ideas] == list(range(1, len(ideas) + 1))
    assert acme.idea_seq == len(ideas)
    # "New" sorts by id, so ids, numbers and creation times must agree.
    assert sorted(ideas, key=lambda i: i.id) == ideas
    assert [i.created_at for i in ideas] == sorted(i.created_at for i in ideas)


async def test_statuses_are_varied_and_most_ideas_are_open(session, acme):
    statuses = Counter(i.status for i in await _ideas(session, acme))
    assert len(statuses) >= 4
    assert statuses.most_common(1)[0][0] == IdeaStatus.open


async def test_votes_and_comments_happen_after_their_idea_and_never_in_the_future(session, acme):
    now = datetime.now(UTC)
    created = {i.id: i.created_at for i in await _ideas(session, acme)}
    assert all(now - timedelta(days=200) < at <= now for at in created.values())
    for idea_id, at in await session.execute(select(Vote.idea_id, Vote.created_at).where(Vote.workspace_id == acme.id)):
        assert created[idea_id] <= at <= now
    comments = {c.id: c for c in await session.scalars(select(Comment).where(Comment.workspace_id == acme.id))}
    for comment in comments.values():
        assert created[comment.idea_id] <= comment.created_at <= now
        if comment.parent_id is not None:
            parent = comments[comment.parent_id]
            assert parent.parent_id is None, "replies are one level deep"
            assert parent.idea_id == comment.idea_id
            assert parent.created_at <= comment.created_at


async def _staff_ids(session, workspace: Workspace) -> set[int]:
    roles = await session.execute(
        select(Membership.user_id, Membership.role).where(Membership.workspace_id == workspace.id)
    )
    return {user_id for user_id, role in roles if Role(role).is_staff}


async def test_closed_ideas_took_their_votes_and_requests_before_they_closed(session, acme):
    closed = {i.id: i.updated_at for i in await _ideas(session, acme) if not i.accepts_votes}
    assert closed
    for idea_id, at in await session.execute(select(Vote.idea_id, Vote.created_at).where(Vote.idea_id.in_(closed))):
        assert at <= closed[idea_id]
    staff = await _staff_ids(session, acme)
    customer_comments = await session.scalars(
        select(Comment).where(Comment.idea_id.in_(closed), Comment.parent_id.is_(None), Comment.author_id.not_in(staff))
    )
    reactions = {text for texts in demo.STATUS_REACTIONS.values() for text in texts}
    for comment in customer_comments:
        # After an idea closes, customers only react to the team's answer.
        assert comment.created_at <= closed[comment.idea_id] or comment.body in reactions


async def test_staff_answered_every_idea_whose_status_changed(session, acme):
    staff = await _staff_ids(session, acme)
    responses = (
        await session.execute(
            select(OfficialResponse.idea_id, OfficialResponse.author_id).where(OfficialResponse.workspace_id == acme.id)
        )
    ).all()
    moved = {i.id for i in await _ideas(session, acme) if i.status != IdeaStatus.open}
    assert moved and moved == {idea_id for idea_id, _ in responses}
    assert {author for _, author in responses} <= staff
    # Each change is in the idea's timeline and in the audit log, by the same person.
    changes = (
        await session.execute(
            select(TimelineEntry.idea_id, TimelineEntry.to_status).where(TimelineEntry.workspace_id == acme.id)
        )
    ).all()
    ideas = {i.id: i for i in await _ideas(session, acme)}
    assert {idea_id for idea_id, _ in changes} == moved
    assert all(ideas[idea_id].status == to for idea_id, to in changes)
    audited = await session.scalar(
        select(func.count()).where(AuditEvent.workspace_id == acme.id, AuditEvent.action == "idea.status_changed")
    )
    assert audited == len(moved)


async def test_demo_has_tags_a_taggable_board_and_a_few_internal_notes(session, acme):
    tagged = Counter(
        await session.scalars(
            select(Tag.name).join(IdeaTag, IdeaTag.tag_id == Tag.id).where(Tag.workspace_id == acme.id)
        )
    )
    assert len(tagged) >= 5 and min(tagged.values()) >= 3
    board = await session.scalar(select(Board).where(Board.workspace_id == acme.id, Board.slug == "feature-requests"))
    assert board.customers_can_tag
    notes = list(await session.scalars(select(Comment).where(Comment.workspace_id == acme.id, Comment.internal)))
    assert 2 <= len(notes) <= 20
    staff = await _staff_ids(session, acme)
    assert all(n.author_id in staff for n in notes)
    # Notes are not counted in the public comment counts.
    counts = dict(
        (await session.execute(select(Idea.id, Idea.comment_count).where(Idea.workspace_id == acme.id))).all()
    )
    public = Counter(
        await session.scalars(
            select(Comment.idea_id).where(
                Comment.workspace_id == acme.id, Comment.internal.is_(False), Comment.deleted_at.is_(None)
            )
        )
    )
    assert all(counts[i] == public.get(i, 0) for i in counts)


async def test_trending_score_is_what_the_vote_service_would_have_stored(session, acme):
    half_life = get_settings().trending_half_life_hours
    vote_times: dict[int, list[datetime]] = defaultdict(list)
    for idea_id, at in await session.execute(
        select(Vote.idea_id, Vote.created_at).where(Vote.workspace_id == acme.id).order_by(Vote.created_at)
    ):
        vote_times[idea_id].append(at)
    ideas = await _ideas(session, acme)
    for idea in ideas:
        expected = trending.point(idea.created_at, half_life)
        for at in vote_times[idea.id]:
            expected = trending.add(expected, trending.point(at, half_life))
        assert math.isclose(idea.trending_score, expected, rel_tol=1e-12), idea.number
    # Trending is not just "newest" nor just "most voted".
    by_trending = [i.number for i in sorted(ideas, key=lambda i: i.trending_score, reverse=True)[:10]]
    by_votes = [i.number for i in sorted(ideas, key=lambda i: i.vote_count, reverse=True)[:10]]
    by_new = [i.number for i in sorted(ideas, key=lambda i: i.id, reverse=True)[:10]]
    assert by_trending not in (by_votes, by_new)


async def test_demo_admin_signs_in_and_owns_the_workspace(session, acme):
    admin = await account_service.authenticate(session, email=demo.ADMIN_EMAIL, password=demo.PASSWORD)
    customer = await account_service.authenticate(session, email=demo.CUSTOMER_EMAIL, password=demo.PASSWORD)
    roles = dict(
        (await session.execute(select(Membership.user_id, Membership.role).where(Membership.workspace_id == acme.id)))
        .tuples()
        .all()
    )
    assert Role(roles[admin.id]) == Role.owner
    assert Role(roles[customer.id]) == Role.member
    assert Counter(Role(r) for r in roles.values())[Role.member] >= 25
    # The demo customer has a history of their own to look at.
    assert await session.scalar(select(func.count()).where(Idea.author_id == customer.id)) >= 1
    assert await session.scalar(select(func.count()).where(Vote.user_id == customer.id)) >= 5


async def test_second_seed_with_if_missing_changes_nothing(session, acme):
    before = await _table_sizes(session)
    seq = acme.idea_seq
    again = await demo.seed(session, if_missing=True)
    assert not again.created
    assert await _table_sizes(session) == before
    await session.refresh(acme)
    assert acme.idea_seq == seq
    assert again.ideas == seq and again.boards == 3


async def test_second_seed_without_if_missing_is_a_conflict(session, acme):
    before = await _table_sizes(session)
    with pytest.raises(Conflict, match="already exists"):
        await demo.seed(session)
    assert await _table_sizes(session) == before


async def test_demo_is_the_same_every_time(session):
    async def fingerprint() -> list[tuple]:
        rows = await session.execute(
            select(Idea.number, Idea.title, Idea.status, Idea.vote_count, Idea.comment_count, User.name)
            .join(User, User.id == Idea.author_id)
            .join(Workspace, Workspace.id == Idea.workspace_id)
            .where(Workspace.slug == "acme")
            .order_by(Idea.number)
        )
        return [tuple(r) for r in rows]

    async with session.begin_nested() as attempt:
        await demo.seed(session)
        first = await fingerprint()
        await attempt.rollback()
    session.expunge_all()
    assert await session.scalar(select(func.count()).where(Workspace.slug == "acme")) == 0
    await demo.seed(session)
    assert await fingerprint() == first
    assert len(first) >= 150


async def test_describe_gives_the_portal_api_docs_and_both_sign_ins(session):
    result = await demo.seed(session)
    text = result.describe("https://ideas.example.org/")
    assert "https://ideas.example.org/acme" in text
    assert "https://ideas.example.org/docs" in text
    assert demo.ADMIN_EMAIL in text and demo.CUSTOMER_EMAIL in text
    assert demo.PASSWORD in text
    assert f"{result.ideas} ideas" in text


async def test_visitors_see_the_demo_portal_and_the_customer_also_sees_the_private_board(session, client, acme):
    portal = await client.get("/acme")
    assert portal.status_code == 200
    top = max(await _ideas(session, acme), key=lambda i: (i.vote_count, i.id))
    board = await session.get(Board, top.board_id)
    if board.visibility == Visibility.public:
        assert top.title in portal.text
    assert (await client.get("/acme/boards/mobile")).status_code == 404

    await web_sign_in(client, demo.CUSTOMER_EMAIL, demo.PASSWORD)
    mobile = await client.get("/acme/boards/mobile")
    assert mobile.status_code == 200
    assert "Home screen widgets on iOS" in mobile.text


async def test_demo_ideas_have_their_demand_computed_from_their_votes(session, acme):
    from ideaflow.ranking import service as ranking_service

    ideas = list(await session.scalars(select(Idea).where(Idea.workspace_id == acme.id, Idea.vote_count > 0)))
    scores = await ranking_service.score_ideas(session, workspace_id=acme.id, idea_ids=[i.id for i in ideas])
    # Default weights and nothing known about the voters: demand is the number of votes.
    assert ideas and all(scores[i.id].demand == pytest.approx(i.vote_count) for i in ideas)
