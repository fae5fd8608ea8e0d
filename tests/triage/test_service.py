"""The triage inbox: which ideas are untriaged and in what order, how long they have waited, the median and 90th
percentile of time to first response, and its actions on one or many ideas (all or none)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ideaflow.audit.models import AuditEvent
from ideaflow.errors import Conflict, Forbidden, Invalid, NotFound
from ideaflow.ideas.models import ModerationState
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from ideaflow.triage import service
from ideaflow.triage.service import InboxView
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_idea, make_user, make_workspace, owner_context

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def _staff_ctx(session, workspace):
    staff = await make_user(session, name="Sam Staff")
    await add_member(session, workspace, staff, Role.staff)
    return await context(session, workspace, staff)


async def _idea(session, workspace, title: str, *, created: datetime, answered: datetime | None = None):
    idea = await make_idea(session, workspace, title=title)
    idea.created_at = created
    idea.first_response_at = answered
    await session.flush()
    return idea


async def test_the_inbox_lists_open_unanswered_listed_ideas_oldest_first(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    newest = await _idea(session, workspace, "Newest idea here", created=NOW - timedelta(hours=1))
    oldest = await _idea(session, workspace, "Oldest idea here", created=NOW - timedelta(days=9))
    middle = await _idea(session, workspace, "Middle idea here", created=NOW - timedelta(days=3))
    answered = await _idea(
        session, workspace, "Answered already", created=NOW - timedelta(days=5), answered=NOW - timedelta(days=4)
    )
    deleted = await _idea(session, workspace, "Deleted one here", created=NOW - timedelta(days=8))
    deleted.deleted_at = NOW
    merged = await _idea(session, workspace, "Merged one here", created=NOW - timedelta(days=8))
    merged.merged_into_id = oldest.id
    pending = await _idea(session, workspace, "Pending approval", created=NOW - timedelta(days=7))
    pending.moderation_state = ModerationState.pending
    closed = await _idea(session, workspace, "Declined by import", created=NOW - timedelta(days=7))
    closed.status, closed.status_category = "declined", "closed"
    other_workspace = await make_workspace(session)
    await _idea(session, other_workspace, "Someone else's idea", created=NOW - timedelta(days=30))
    await session.flush()

    inbox = await service.inbox(session, ctx, now=NOW)

    assert [r.idea.title for r in inbox.rows] == [oldest.title, middle.title, newest.title]
    assert (inbox.counts.untriaged, inbox.counts.awaiting_approval, inbox.total) == (3, 1, 3)
    assert answered.title not in [r.idea.title for r in inbox.rows]
    waits = [service.waited_words(r.waited(NOW)) for r in inbox.rows]
    assert waits == ["1 week", "3 days", "1 hour"]

    waiting = await service.inbox(session, ctx, view=InboxView.pending, now=NOW)
    assert [r.idea.title for r in waiting.rows] == ["Pending approval"]


async def test_answering_an_idea_takes_it_out_of_the_inbox_and_stamps_the_first_response_once(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    first = await make_idea(session, workspace, title="Export to CSV please")
    second = await make_idea(session, workspace, title="Slack integration")
    third = await make_idea(session, workspace, title="Single sign-on")

    await status_service.post_response(
        session, workspace_id=workspace.id, idea=first, actor_id=ctx.user.id, body="Thanks, looking into it."
    )
    stamped = first.first_response_at
    assert stamped is not None
    await status_service.set_status(
        session, workspace_id=workspace.id, idea=first, status_key="planned", actor_id=ctx.user.id
    )
    assert first.first_response_at == stamped  # the first answer stays the first
    # An integration moving an idea answers it too (customers see the change).
    await status_service.set_status(
        session, workspace_id=workspace.id, idea=second, status_key="in_progress", actor_id=None, source="github"
    )
    assert second.first_response_at is not None

    inbox = await service.inbox(session, ctx)
    assert [r.idea.id for r in inbox.rows] == [third.id]
    assert inbox.counts.untriaged == 1


async def test_median_and_p90_of_time_to_first_response_over_the_last_30_days(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    # Answered in the window after 1, 2, 3, 4 and 10 hours; one answered 40 days ago after 100 hours is left out.
    for n, hours in enumerate([3, 1, 10, 2, 4]):
        answered = NOW - timedelta(days=n + 1)
        await _idea(
            session, workspace, f"Answered idea {n}", created=answered - timedelta(hours=hours), answered=answered
        )
    old = NOW - timedelta(days=40)
    await _idea(session, workspace, "Answered long ago", created=old - timedelta(hours=100), answered=old)

    times = await service.response_times(session, ctx, now=NOW)

    # Sorted: 1, 2, 3, 4, 10 hours. Median: the third, 3 h. p90: position 0.9 * 4 = 3.6, between 4 h and
    # 10 h: 4 + 0.6 * 6 = 7.6 h = 7 h 36 min.
    assert times.answered == 5
    assert times.median == timedelta(hours=3)
    assert times.p90 == timedelta(hours=7, minutes=36)
    assert service.duration_words(times.median) == "3 h"
    assert service.duration_words(times.p90) == "7 h 36 min"


async def test_with_an_even_count_the_median_lies_between_the_two_middle_values(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    for n, minutes in enumerate([30, 90]):
        answered = NOW - timedelta(days=n + 1)
        await _idea(
            session, workspace, f"Answered idea {n}", created=answered - timedelta(minutes=minutes), answered=answered
        )
    times = await service.response_times(session, ctx, now=NOW)
    # Median: (30 + 90) / 2 = 60 min; p90: 30 + 0.9 * 60 = 84 min.
    assert (times.median, times.p90) == (timedelta(minutes=60), timedelta(minutes=84))


async def test_no_answer_in_the_window_means_no_response_times(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    await make_idea(session, workspace, title="Nobody answered")
    times = await service.response_times(session, ctx, now=NOW)
    assert (times.answered, times.median, times.p90) == (0, None, None)
    assert service.duration_words(times.median) == "—"


async def test_bulk_answer_sets_the_status_and_response_on_every_selected_idea(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    ideas = [await make_idea(session, workspace, title=f"Bulk idea number {n}") for n in range(3)]
    outcome = await service.apply(
        session,
        ctx,
        action="answer",
        numbers=[ideas[0].number, ideas[2].number],
        status="declined",
        response="Out of scope for now.",
    )
    assert outcome.message == "2 ideas set to Declined with a response."
    assert [i.status for i in ideas] == ["declined", "open", "declined"]
    for idea in (ideas[0], ideas[2]):
        pinned = await status_service.pinned_response(session, workspace_id=workspace.id, idea_id=idea.id)
        assert pinned.response.body == "Out of scope for now."
    audit = await session.scalars(
        select(AuditEvent.target_id).where(
            AuditEvent.workspace_id == workspace.id, AuditEvent.action == "idea.status_changed"
        )
    )
    assert sorted(audit) == sorted([ideas[0].id, ideas[2].id])
    assert [r.idea.id for r in (await service.inbox(session, ctx)).rows] == [ideas[1].id]


async def test_a_response_alone_keeps_the_status_and_answers_the_idea(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    idea = await make_idea(session, workspace, title="Respond without a status")
    outcome = await service.apply(session, ctx, action="answer", numbers=[idea.number], response="Good idea!")
    assert outcome.message == f"Responded to idea #{idea.number}."
    assert idea.status == "open" and idea.first_response_at is not None


async def test_tagging_from_the_inbox_tags_each_idea_and_keeps_them_untriaged(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    tag = await tag_service.create_tag(
        session, await owner_context(session, workspace), name="Mobile", colour="#336699"
    )
    ideas = [await make_idea(session, workspace, title=f"Tag me please {n}") for n in range(2)]
    outcome = await service.apply(session, ctx, action="tag", numbers=[i.number for i in ideas], tag_id=tag.id)
    assert outcome.message == "Tagged 2 ideas “Mobile”."
    inbox = await service.inbox(session, ctx)
    assert [[t.name for t in r.tags] for r in inbox.rows] == [["Mobile"], ["Mobile"]]


async def test_bad_actions_name_the_field_and_change_nothing(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    idea = await make_idea(session, workspace, title="Stays as it is")
    other_workspace = await make_workspace(session)
    foreign_tag = await tag_service.create_tag(
        session, await owner_context(session, other_workspace), name="Theirs", colour="#111111"
    )
    cases = [
        (dict(action="answer", numbers=[idea.number]), "status"),
        (dict(action="answer", numbers=[idea.number], status="nope"), "status"),
        (dict(action="tag", numbers=[idea.number], tag_id=foreign_tag.id), "tag"),
        (dict(action="tag", numbers=[idea.number], tag_id=None), "tag"),
        (dict(action="merge", numbers=[idea.number], target=idea.number), "target"),
        (dict(action="merge", numbers=[idea.number], target=None), "target"),
        (dict(action="answer", numbers=[idea.number], status="open"), "status"),
        (dict(action="shout", numbers=[idea.number]), "action"),
    ]
    for kwargs, field in cases:
        with pytest.raises(Invalid) as caught:
            await service.apply(session, ctx, **kwargs)
        assert field in caught.value.fields, kwargs
    with pytest.raises(NotFound):
        await service.apply(session, ctx, action="answer", numbers=[idea.number, 9999], status="planned")
    assert idea.status == "open" and idea.first_response_at is None
    for values in ([], ["abc"], ["0"], [str(n) for n in range(1, 102)]):
        with pytest.raises(Invalid) as caught:
            service.clean_numbers(values)
        assert "ideas" in caught.value.fields
    assert service.clean_numbers(["#3", "3", " 5 "]) == [3, 5]


async def test_members_cannot_read_or_act_on_the_inbox(session):
    workspace = await make_workspace(session)
    member = await make_user(session)
    await add_member(session, workspace, member, Role.member)
    ctx = await context(session, workspace, member)
    idea = await make_idea(session, workspace, title="Not for members")
    with pytest.raises(Forbidden):
        await service.inbox(session, ctx)
    with pytest.raises(Forbidden):
        await service.apply(session, ctx, action="answer", numbers=[idea.number], status="planned")


async def test_merge_targets_come_from_search_or_a_number_and_leave_out_the_ideas_being_merged(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    dark = await make_idea(session, workspace, title="Dark mode for the dashboard")
    night = await make_idea(session, workspace, title="Dark theme for reports")
    await make_idea(session, workspace, title="Export to CSV")
    found = await service.search_targets(session, ctx, query="dark", exclude=[night.number])
    assert [r.idea.number for r in found] == [dark.number]
    by_number = await service.search_targets(session, ctx, query=f"#{night.number}", exclude=[dark.number])
    assert [r.idea.title for r in by_number] == ["Dark theme for reports"]
    assert await service.search_targets(session, ctx, query=f"{dark.number}", exclude=[dark.number]) == []
    assert await service.search_targets(session, ctx, query="  ", exclude=[]) == []


def test_waited_and_duration_words():
    assert service.waited_words(timedelta(seconds=20)) == "just now"
    assert service.waited_words(timedelta(minutes=1)) == "1 minute"
    assert service.waited_words(timedelta(days=2, hours=5)) == "2 days"
    assert service.waited_words(timedelta(days=15)) == "2 weeks"
    assert service.duration_words(timedelta(seconds=30)) == "under a minute"
    assert service.duration_words(timedelta(minutes=45)) == "45 min"
    assert service.duration_words(timedelta(days=2)) == "2 d"
    assert service.duration_words(timedelta(days=2, hours=3, minutes=10)) == "2 d 3 h"


async def test_bulk_merge_moves_each_selected_idea_into_the_target_and_out_of_the_inbox(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    target = await make_idea(session, workspace, title="Dark mode everywhere")
    dup_one = await make_idea(session, workspace, title="Dark theme for reports")
    dup_two = await make_idea(session, workspace, title="Night mode please")
    outcome = await service.apply(
        session, ctx, action="merge", numbers=[dup_one.number, dup_two.number], target=target.number
    )
    assert outcome.message == f"Merged 2 ideas into #{target.number}."
    assert (dup_one.merged_into_id, dup_two.merged_into_id) == (target.id, target.id)
    assert [r.idea.id for r in (await service.inbox(session, ctx)).rows] == [target.id]
    merged = await session.scalars(
        select(AuditEvent.target_id).where(AuditEvent.workspace_id == workspace.id, AuditEvent.action == "idea.merged")
    )
    assert sorted(merged) == sorted([dup_one.id, dup_two.id])
    # Merging again is refused with the reason, on the field that chose the target.
    with pytest.raises(Conflict) as caught:
        await service.apply(session, ctx, action="merge", numbers=[target.number], target=dup_one.number)
    assert "target" in caught.value.fields


async def test_approving_from_the_inbox_publishes_waiting_ideas_into_the_untriaged_list(session):
    workspace = await make_workspace(session)
    ctx = await _staff_ctx(session, workspace)
    waiting = await make_idea(session, workspace, title="Held by the spam filter")
    waiting.moderation_state = ModerationState.pending
    await session.flush()
    before = await service.inbox(session, ctx, view=InboxView.pending)
    assert [r.idea.id for r in before.rows] == [waiting.id] and before.counts.untriaged == 0
    outcome = await service.apply(session, ctx, action="approve", numbers=[waiting.number])
    assert outcome.message == f"Approved idea #{waiting.number}."
    after = await service.inbox(session, ctx)
    assert [r.idea.id for r in after.rows] == [waiting.id]
    assert (after.counts.untriaged, after.counts.awaiting_approval) == (1, 0)
