"""Moderation rules: pre-moderated ideas and comments wait unseen (but by their author and staff) and are
announced only once approved; rejections carry a reason; spam signals queue content without pre-moderation;
blocked users cannot take part, and their content is hidden or kept; every decision is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ideaflow.comments import service as comment_service
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.ideas import service as idea_service
from ideaflow.moderation import service
from ideaflow.moderation.models import ModerationState
from tests.factories import default_board, make_idea, make_user, owner_context
from tests.moderation.helpers import audit_actions, ctx_of, events, premoderate
from tests.statuses.scene import build_scene


async def _numbers(session, ctx, **kwargs) -> list[int]:
    page = await idea_service.list_ideas(session, ctx, limit=100, **kwargs)
    return [v.idea.number for v in page.items]


async def _comment(session, workspace, user, idea, body: str):
    ctx = await ctx_of(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number)
    return await comment_service.add_comment(session, ctx, view, body=body)


async def _thread_ids(session, workspace, user, idea) -> list[int]:
    ctx = await ctx_of(session, workspace, user)
    view = await idea_service.get_idea(session, ctx, idea.number)
    return [n.comment.id for n in await comment_service.thread(session, ctx, view)]


# ---------------------------------------------------------------- pre-moderation of ideas


async def test_premoderated_idea_is_seen_only_by_its_author_and_staff_until_approved(session):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    customer = await make_user(session, name="Carla Customer")
    idea = await make_idea(session, ws, author=customer, title="Zebra stripes for the sidebar")
    assert idea.moderation_state == ModerationState.pending
    assert idea.moderation_reason == service.PREMODERATION

    stranger = await ctx_of(session, ws, await make_user(session))
    for ctx in (stranger, await ctx_of(session, ws, None), await ctx_of(session, ws, scene.users["member"])):
        assert idea.number not in await _numbers(session, ctx)
        assert await _numbers(session, ctx, query="zebra") == []
        with pytest.raises(NotFound):
            await idea_service.get_idea(session, ctx, idea.number)
    author = await ctx_of(session, ws, customer)
    assert (await idea_service.get_idea(session, author, idea.number)).idea.id == idea.id
    staff = await ctx_of(session, ws, scene.users["staff"])
    assert (await idea_service.get_idea(session, staff, idea.number)).idea.id == idea.id
    # Nothing was announced: no email to board followers, no webhook, no auto-follow.
    assert [e.payload["idea_id"] for e in await events(session, ws, "idea.created")] == [scene.idea.id]

    await service.approve_idea(session, staff, idea=idea)
    assert idea.moderation_state == ModerationState.approved
    assert idea.number in await _numbers(session, stranger)
    assert await _numbers(session, stranger, query="zebra") == [idea.number]
    announced = (await events(session, ws, "idea.created"))[-1]
    assert announced.payload["idea_id"] == idea.id and announced.payload["actor_id"] == customer.id
    assert ("idea.approved", idea.id) in await audit_actions(session, ws)


async def test_staff_ideas_are_never_premoderated(session):
    scene = await build_scene(session)
    await premoderate(session, scene.workspace)
    idea = await make_idea(session, scene.workspace, author=scene.users["staff"], title="Planned maintenance window")
    assert idea.moderation_state == ModerationState.approved
    assert (await events(session, scene.workspace, "idea.created"))[-1].payload["idea_id"] == idea.id


async def test_approving_twice_announces_once(session):
    scene = await build_scene(session)
    await premoderate(session, scene.workspace)
    idea = await make_idea(session, scene.workspace, title="Keyboard shortcuts everywhere")
    staff = await ctx_of(session, scene.workspace, scene.users["staff"])
    await service.approve_idea(session, staff, idea=idea)
    await service.approve_idea(session, staff, idea=idea)
    created = [e for e in await events(session, scene.workspace, "idea.created") if e.payload["idea_id"] == idea.id]
    assert len(created) == 1


async def test_rejected_idea_keeps_its_reason_for_the_author_and_can_be_approved_later(session):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    customer = await make_user(session)
    idea = await make_idea(session, ws, author=customer, title="Buy cheap watches here")
    staff = await ctx_of(session, ws, scene.users["staff"])
    with pytest.raises(Invalid) as missing:
        await service.reject_idea(session, staff, idea=idea, reason="   ")
    assert "reason" in missing.value.fields
    await service.reject_idea(session, staff, idea=idea, reason="Advertising is not allowed")
    assert (idea.moderation_state, idea.moderation_reason) == (ModerationState.rejected, "Advertising is not allowed")
    with pytest.raises(Conflict):
        await service.reject_idea(session, staff, idea=idea, reason="Again")
    author = await ctx_of(session, ws, customer)
    assert (await idea_service.get_idea(session, author, idea.number)).idea.moderation_reason == (
        "Advertising is not allowed"
    )
    with pytest.raises(NotFound):
        await idea_service.get_idea(session, await ctx_of(session, ws, None), idea.number)
    assert not [e for e in await events(session, ws, "idea.created") if e.payload["idea_id"] == idea.id]

    await service.approve_idea(session, staff, idea=idea)
    assert idea.moderation_state == ModerationState.approved and idea.moderation_reason is None
    assert [e for e in await events(session, ws, "idea.created") if e.payload["idea_id"] == idea.id]
    actions = [a for a, t in await audit_actions(session, ws) if t == idea.id]
    assert actions == ["idea.rejected", "idea.approved"]


async def test_only_staff_decide(session):
    scene = await build_scene(session)
    await premoderate(session, scene.workspace)
    idea = await make_idea(session, scene.workspace, title="A pending idea for the record")
    member = await ctx_of(session, scene.workspace, scene.users["member"])
    with pytest.raises(Forbidden):
        await service.approve_idea(session, member, idea=idea)
    with pytest.raises(Forbidden):
        await service.reject_idea(session, member, idea=idea, reason="no")
    assert idea.moderation_state == ModerationState.pending


# ---------------------------------------------------------------- pre-moderation of comments


async def test_premoderated_comment_is_not_counted_shown_or_announced_until_approved(session):
    scene = await build_scene(session)
    ws, idea = scene.workspace, scene.idea
    await premoderate(session, ws, ideas=False, comments=True)
    customer = await make_user(session)
    comment = await _comment(session, ws, customer, idea, "We need this for our audit trail")
    assert comment.moderation_state == ModerationState.pending
    assert idea.comment_count == 0
    assert comment.id not in await _thread_ids(session, ws, scene.users["member"], idea)
    assert comment.id not in await _thread_ids(session, ws, None, idea)
    assert comment.id in await _thread_ids(session, ws, customer, idea)
    assert comment.id in await _thread_ids(session, ws, scene.users["staff"], idea)
    assert await events(session, ws, "comment.created") == []

    staff = await ctx_of(session, ws, scene.users["staff"])
    await service.approve_comment(session, staff, comment=comment)
    assert idea.comment_count == 1
    assert comment.id in await _thread_ids(session, ws, None, idea)
    [announced] = await events(session, ws, "comment.created")
    assert announced.payload["comment_id"] == comment.id and announced.payload["actor_id"] == customer.id
    assert ("comment.approved", comment.id) in await audit_actions(session, ws)


async def test_rejected_comment_is_shown_to_its_author_only_and_removing_it_keeps_the_count(session):
    scene = await build_scene(session)
    ws, idea = scene.workspace, scene.idea
    await premoderate(session, ws, ideas=False, comments=True)
    customer = await make_user(session)
    kept = await _comment(session, ws, scene.users["staff"], idea, "Thanks, we are looking into it")
    comment = await _comment(session, ws, customer, idea, "Visit my shop for discounts")
    staff = await ctx_of(session, ws, scene.users["staff"])
    await service.reject_comment(session, staff, comment=comment, reason="Off topic")
    assert comment.moderation_reason == "Off topic"
    assert await _thread_ids(session, ws, customer, idea) == [kept.id, comment.id]
    assert await _thread_ids(session, ws, scene.users["member"], idea) == [kept.id]
    # Only approved comments were counted, so removing the rejected one leaves the count alone.
    await comment_service.delete_comment(session, await ctx_of(session, ws, customer), comment_id=comment.id)
    assert idea.comment_count == 1
    waiting = await _comment(session, ws, await make_user(session), idea, "Another one waiting")
    other = await ctx_of(session, ws, scene.users["member"])
    view = await idea_service.get_idea(session, other, idea.number)
    with pytest.raises(Invalid) as refused:  # a reply to an unpublished comment the poster cannot see
        await comment_service.add_comment(session, other, view, body="Replying", parent_id=waiting.id)
    assert refused.value.fields == {"parent_id": "is not a comment on this idea"}


async def test_comments_on_an_unpublished_idea_are_not_announced(session):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws, ideas=True, comments=False)
    customer = await make_user(session)
    idea = await make_idea(session, ws, author=customer, title="Idea still waiting for review")
    await _comment(session, ws, scene.users["staff"], idea, "Could you tell us more?")
    assert await events(session, ws, "comment.created") == []


# ---------------------------------------------------------------- spam signals


async def test_many_links_queue_an_idea_without_premoderation(session):
    scene = await build_scene(session)
    ws = scene.workspace
    links = " ".join(f"https://spam{n}.example.com" for n in range(service.LINKS_MAX + 1))
    spam = await make_idea(session, ws, title="Great offers", body=f"See {links}")
    assert (spam.moderation_state, spam.moderation_reason) == (ModerationState.pending, service.SIGNAL_LINKS)
    few = " ".join(f"https://docs{n}.example.com" for n in range(service.LINKS_MAX))
    fine = await make_idea(session, ws, title="Link the docs", body=f"Like {few}")
    assert fine.moderation_state == ModerationState.approved
    staff_idea = await make_idea(session, ws, author=scene.users["staff"], title="Release notes", body=links)
    assert staff_idea.moderation_state == ModerationState.approved


async def test_spam_signals_can_be_turned_off(session):
    scene = await build_scene(session)
    ctx = await owner_context(session, scene.workspace)
    await service.update_policy(session, ctx, spam_signals=False)
    links = " ".join(f"https://spam{n}.example.com" for n in range(service.LINKS_MAX + 3))
    idea = await make_idea(session, scene.workspace, title="Great offers", body=links)
    assert idea.moderation_state == ModerationState.approved


async def test_a_new_account_posting_fast_is_queued_but_an_older_one_is_not(session):
    scene = await build_scene(session)
    ws = scene.workspace
    newcomer = await make_user(session)
    for n in range(service.BURST_POSTS):
        posted = await _comment(session, ws, newcomer, scene.idea, f"Thought number {n} about this idea")
        assert posted.moderation_state == ModerationState.approved
    fast = await _comment(session, ws, newcomer, scene.idea, "And one more thought, quickly")
    assert (fast.moderation_state, fast.moderation_reason) == (ModerationState.pending, service.SIGNAL_BURST)
    idea = await make_idea(session, ws, author=newcomer, title="An idea posted in the same burst")
    assert idea.moderation_reason == service.SIGNAL_BURST

    regular = await make_user(session)
    regular.created_at = datetime.now(UTC) - service.NEW_ACCOUNT_AGE - timedelta(hours=1)
    await session.flush()
    for n in range(service.BURST_POSTS + 2):
        posted = await _comment(session, ws, regular, scene.idea, f"Regular remark number {n} on this")
        assert posted.moderation_state == ModerationState.approved


async def test_repeated_text_is_queued(session):
    scene = await build_scene(session)
    ws = scene.workspace
    customer = await make_user(session)
    customer.created_at = datetime.now(UTC) - timedelta(days=30)  # not a new account: only repetition counts
    await session.flush()
    other = await make_idea(session, ws, title="Export to spreadsheet")
    text = "Check out my product, it does all of this already"
    first = await _comment(session, ws, customer, scene.idea, text)
    again = await _comment(session, ws, customer, other, "  check out my product,  it does all of this ALREADY ")
    assert first.moderation_state == ModerationState.approved
    assert (again.moderation_state, again.moderation_reason) == (ModerationState.pending, service.SIGNAL_REPEAT)
    # A short "+1" twice is what people do, not spam.
    assert (await _comment(session, ws, customer, scene.idea, "+1")).moderation_state == ModerationState.approved
    assert (await _comment(session, ws, customer, other, "+1")).moderation_state == ModerationState.approved
    # The same idea title twice.
    await make_idea(session, ws, author=customer, title="Dark theme for reports")
    twice = await make_idea(session, ws, author=customer, title="dark theme for  reports")
    assert twice.moderation_reason == service.SIGNAL_REPEAT
    # An author quoting their own idea in a comment is not repetition either.
    quoted = await make_idea(session, ws, author=customer, title="Audit log export", body=text + " and more")
    assert (await _comment(session, ws, customer, quoted, text + " and more")).moderation_state == "approved"
    # Someone else saying the same thing is not repetition.
    assert (await _comment(session, ws, await make_user(session), other, text)).moderation_state == "approved"


async def test_staff_trip_no_spam_signal(session):
    scene = await build_scene(session)
    ws = scene.workspace
    staff = scene.users["staff"]
    text = "We shipped this in version 2.3, see the changelog"
    for idea in (scene.idea, await make_idea(session, ws, title="Other idea for staff")):
        assert (await _comment(session, ws, staff, idea, text)).moderation_state == ModerationState.approved


# ---------------------------------------------------------------- blocking


async def test_a_blocked_user_cannot_post_or_comment_and_keeps_their_content(session):
    scene = await build_scene(session)
    ws = scene.workspace
    member = scene.users["member"]
    staff = await ctx_of(session, ws, scene.users["staff"])
    await service.block_user(session, staff, user_id=member.id, reason="Abusive", hide_content=False)
    blocked = await ctx_of(session, ws, member)
    with pytest.raises(Forbidden, match="blocked"):
        await idea_service.create_idea(session, blocked, board=await default_board(session, ws), title="New idea here")
    view = await idea_service.get_idea(session, blocked, scene.idea.number)
    with pytest.raises(Forbidden, match="blocked"):
        await comment_service.add_comment(session, blocked, view, body="Hello")
    # "Keep": what they published stays.
    assert scene.idea.number in await _numbers(session, await ctx_of(session, ws, None))
    # Another workspace is not affected.
    assert await service.ensure_can_participate(session, await ctx_of(session, scene.other, member)) is None
    with pytest.raises(Conflict):
        await service.block_user(session, staff, user_id=member.id)


async def test_blocking_with_hide_hides_their_ideas_and_comments_and_unblocking_restores_them(session):
    scene = await build_scene(session)
    ws = scene.workspace
    member = scene.users["member"]
    other_idea = await make_idea(session, ws, title="Calendar sync")
    comment = await _comment(session, ws, member, other_idea, "Yes please, Outlook too")
    assert other_idea.comment_count == 1
    staff = await ctx_of(session, ws, scene.users["staff"])
    anonymous = await ctx_of(session, ws, None)

    await service.block_user(session, staff, user_id=member.id, reason="Spam", hide_content=True)
    assert scene.idea.moderation_state == ModerationState.hidden
    assert scene.idea.number not in await _numbers(session, anonymous)
    with pytest.raises(NotFound):
        await idea_service.get_idea(session, anonymous, scene.idea.number)
    assert comment.id not in await _thread_ids(session, ws, None, other_idea)
    assert other_idea.comment_count == 0
    with pytest.raises(Conflict):  # hidden content comes back by unblocking, not by approving
        await service.approve_idea(session, staff, idea=scene.idea)

    await service.unblock_user(session, staff, user_id=member.id)
    assert scene.idea.moderation_state == ModerationState.approved
    assert scene.idea.number in await _numbers(session, anonymous)
    assert comment.id in await _thread_ids(session, ws, None, other_idea)
    assert other_idea.comment_count == 1
    await service.ensure_can_participate(session, await ctx_of(session, ws, member))
    actions = [a for a, t in await audit_actions(session, ws) if t == member.id]
    assert actions == ["user.blocked", "user.unblocked"]


async def test_staff_and_yourself_cannot_be_blocked(session):
    scene = await build_scene(session)
    admin = await ctx_of(session, scene.workspace, scene.users["admin"])
    with pytest.raises(Conflict):
        await service.block_user(session, admin, user_id=scene.users["staff"].id)
    with pytest.raises(Invalid):
        await service.block_user(session, admin, user_id=scene.users["admin"].id)
    with pytest.raises(NotFound) as unknown:
        await service.block_user(session, admin, email="nobody@example.com")
    assert unknown.value.fields == {"email": "has no ideaflow account"}
    with pytest.raises(NotFound):
        await service.unblock_user(session, admin, user_id=scene.users["member"].id)


async def test_block_by_email(session):
    scene = await build_scene(session)
    admin = await ctx_of(session, scene.workspace, scene.users["admin"])
    customer = await make_user(session, email="Troll@Example.com")
    await service.block_user(session, admin, email="troll@example.com ")
    [row] = await service.list_blocks(session, admin)
    assert row.user.id == customer.id and row.blocked_by_name == "Ada Admin"


# ---------------------------------------------------------------- settings


async def test_settings_default_then_change_with_an_audit_row_of_the_changes_only(session):
    scene = await build_scene(session)
    admin = await ctx_of(session, scene.workspace, scene.users["admin"])
    assert await service.get_policy(session, admin) == service.Policy(False, False, True)
    policy = await service.update_policy(session, admin, premoderate_ideas=True, spam_signals=True)
    assert policy == service.Policy(True, False, True)
    await service.update_policy(session, admin, premoderate_ideas=True)  # no change, no row
    rows = [a for a, _ in await audit_actions(session, scene.workspace) if a.startswith("moderation")]
    assert rows == ["moderation_settings.updated"]
    staff = await ctx_of(session, scene.workspace, scene.users["staff"])
    with pytest.raises(Forbidden):
        await service.update_policy(session, staff, premoderate_comments=True)


async def test_deleting_an_unpublished_idea_announces_nothing(session):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    author = await make_user(session)
    idea = await make_idea(session, ws, author=author, title="Second thoughts about this")
    ctx = await ctx_of(session, ws, author)
    await idea_service.delete_idea(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    assert idea.deleted_at is not None
    assert await events(session, ws, "idea.deleted") == []
    # A published idea's removal is still announced.
    staff = await ctx_of(session, ws, scene.users["staff"])
    await idea_service.delete_idea(session, staff, await idea_service.get_idea(session, staff, scene.idea.number))
    assert [e.payload["idea_id"] for e in await events(session, ws, "idea.deleted")] == [scene.idea.id]
