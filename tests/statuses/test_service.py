"""Custom statuses: the six defaults of a new workspace, changing an idea's status with an official response
(timeline, audit row and event), editing responses with their history, and managing statuses (recategorise,
reorder, remove with a replacement or a 409)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaflow.audit.models import AuditEvent
from ideaflow.errors import Conflict, Forbidden, Invalid
from ideaflow.ideas import service as idea_service
from ideaflow.outbox.models import OutboxEvent
from ideaflow.statuses import service
from ideaflow.statuses.models import ResponseRevision, StatusCategory, TimelineEntry
from ideaflow.votes import service as vote_service
from ideaflow.workspaces.models import Role
from tests.factories import add_member, context, make_idea, make_user, make_workspace, owner_context


async def _events(session, workspace_id: int, type_: str) -> list[dict]:
    rows = await session.scalars(
        select(OutboxEvent.payload)
        .where(OutboxEvent.workspace_id == workspace_id, OutboxEvent.type == type_)
        .order_by(OutboxEvent.id)
    )
    return list(rows)


async def _audit(session, workspace_id: int, action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.workspace_id == workspace_id).order_by(AuditEvent.id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(await session.scalars(stmt))


async def test_a_new_workspace_starts_with_the_six_default_statuses_in_order(session):
    workspace = await make_workspace(session)
    statuses = await service.list_statuses(session, workspace_id=workspace.id)
    assert [(s.key, s.name, s.category) for s in statuses] == [
        ("open", "Open", "open"),
        ("under_review", "Under review", "open"),
        ("planned", "Planned", "active"),
        ("in_progress", "In progress", "active"),
        ("shipped", "Shipped", "done"),
        ("declined", "Declined", "closed"),
    ]
    idea = await make_idea(session, workspace)
    assert (idea.status, idea.status_category) == ("open", "open")


async def test_set_status_moves_the_idea_and_records_timeline_audit_and_event(session):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    idea = await make_idea(session, workspace)
    await service.set_status(
        session,
        workspace_id=workspace.id,
        idea=idea,
        status_key="planned",
        actor_id=staff.id,
        response="On the roadmap for **Q3**.",
    )
    assert (idea.status, idea.status_category) == ("planned", StatusCategory.active)
    pinned = await service.pinned_response(session, workspace_id=workspace.id, idea_id=idea.id)
    assert pinned.response.body_html == "<p>On the roadmap for <strong>Q3</strong>.</p>"
    [entry] = await service.timeline(session, workspace_id=workspace.id, idea_id=idea.id)
    assert (entry.kind, entry.entry.from_status, entry.entry.to_status, entry.actor_name) == (
        "status_changed",
        "open",
        "planned",
        staff.name,
    )
    assert entry.response.id == pinned.response.id
    [row] = await _audit(session, workspace.id, "idea.status_changed")
    assert (row.actor_id, row.target_type, row.target_id) == (staff.id, "idea", idea.id)
    assert row.before == {"status": "open"}
    assert row.after == {"status": "planned", "response_id": pinned.response.id, "source": "staff"}
    [event] = await _events(session, workspace.id, "idea.status_changed")
    assert event == {
        "idea_id": idea.id,
        "number": idea.number,
        "board_id": idea.board_id,
        "actor_id": staff.id,
        "from_status": "open",
        "to_status": "planned",
        "to_category": "active",
        "response_id": pinned.response.id,
        "source": "staff",
    }


async def test_the_same_status_without_a_response_changes_nothing(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    await service.set_status(session, workspace_id=workspace.id, idea=idea, status_key="open", actor_id=None)
    assert await service.timeline(session, workspace_id=workspace.id, idea_id=idea.id) == []
    assert await _events(session, workspace.id, "idea.status_changed") == []
    assert await _audit(session, workspace.id, "idea.status_changed") == []


async def test_the_same_status_with_a_response_posts_the_response_only(session):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    idea = await make_idea(session, workspace)
    await service.set_status(
        session, workspace_id=workspace.id, idea=idea, status_key="open", actor_id=staff.id, response="Thanks!"
    )
    assert idea.status == "open"
    [entry] = await service.timeline(session, workspace_id=workspace.id, idea_id=idea.id)
    assert entry.kind == "response_posted"
    assert await _events(session, workspace.id, "idea.status_changed") == []
    [event] = await _events(session, workspace.id, "idea.response_posted")
    assert event == {
        "idea_id": idea.id,
        "number": idea.number,
        "board_id": idea.board_id,
        "actor_id": staff.id,
        "response_id": entry.response.id,
    }


async def test_a_system_change_has_no_actor_and_names_its_source(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace)
    await service.set_status(
        session, workspace_id=workspace.id, idea=idea, status_key="shipped", actor_id=None, source="github"
    )
    [row] = await _audit(session, workspace.id, "idea.status_changed")
    assert row.actor_id is None and row.after["source"] == "github"
    [event] = await _events(session, workspace.id, "idea.status_changed")
    assert (event["actor_id"], event["source"], event["to_category"], event["response_id"]) == (
        None,
        "github",
        "done",
        None,
    )


async def test_an_unknown_status_is_refused_on_the_status_field(session):
    workspace = await make_workspace(session)
    other = await make_workspace(session)
    ctx = await owner_context(session, other)
    await service.create_status(session, ctx, name="Only elsewhere", colour="#112233", category="open")
    idea = await make_idea(session, workspace)
    for key in ("someday", "only_elsewhere", ""):
        with pytest.raises(Invalid) as refused:
            await service.set_status(session, workspace_id=workspace.id, idea=idea, status_key=key, actor_id=None)
        assert refused.value.fields == {"status": "is not a status of this workspace"}
    assert idea.status == "open"


async def test_editing_a_response_keeps_every_version(session):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    idea = await make_idea(session, workspace)
    answer = await service.post_response(
        session, workspace_id=workspace.id, idea=idea, actor_id=staff.id, body="Shipping in May."
    )
    await service.edit_response(
        session,
        workspace_id=workspace.id,
        idea=idea,
        response_id=answer.id,
        actor_id=staff.id,
        body="Shipping in June.",
    )
    current, revisions = await service.response_history(
        session, workspace_id=workspace.id, idea=idea, response_id=answer.id
    )
    assert current.body == "Shipping in June." and current.edit_count == 1
    assert [r.body for r, _ in revisions] == ["Shipping in June.", "Shipping in May."]
    [edit] = await _audit(session, workspace.id, "idea.response_edited")
    assert (edit.before, edit.after) == ({"body": "Shipping in May."}, {"body": "Shipping in June."})
    assert len(await _events(session, workspace.id, "idea.response_posted")) == 2
    kinds = [i.kind for i in await service.timeline(session, workspace_id=workspace.id, idea_id=idea.id)]
    assert kinds == ["response_posted", "response_edited"]
    # Revisions are rows of their own: nothing rewrote the first one.
    count = len(list(await session.scalars(select(ResponseRevision).where(ResponseRevision.response_id == answer.id))))
    assert count == 2


async def test_a_custom_status_takes_votes_according_to_its_category(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    beta = await service.create_status(session, ctx, name="In beta", colour="#0EA5E9", category="active")
    assert (beta.key, beta.colour) == ("in_beta", "#0ea5e9")
    idea = await make_idea(session, workspace)
    await service.set_status(session, workspace_id=workspace.id, idea=idea, status_key="in_beta", actor_id=None)
    voter = await make_user(session)
    voter_ctx = await context(session, workspace, voter)
    view = await idea_service.get_idea(session, voter_ctx, idea.number)
    assert (await vote_service.add_vote(session, voter_ctx, view)).vote_count == 1
    # Recategorising the status closes voting on every idea in it at once.
    await service.update_status(session, ctx, beta, category="done")
    view = await idea_service.get_idea(session, voter_ctx, idea.number)
    assert view.idea.status_category == "done"
    with pytest.raises(Conflict, match="Voting is closed"):
        await vote_service.remove_vote(session, voter_ctx, view)
    [row] = await _audit(session, workspace.id, "status.updated")
    assert (row.before, row.after) == ({"category": "active"}, {"category": "done"})


async def test_status_names_and_colours_are_validated(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    with pytest.raises(Invalid) as bad_colour:
        await service.create_status(session, ctx, name="Later", colour="red", category="open")
    assert bad_colour.value.fields == {"colour": "must be a colour like #2e8ae6"}
    with pytest.raises(Invalid) as bad_category:
        await service.create_status(session, ctx, name="Later", colour="#aabbcc", category="someday")
    assert bad_category.value.fields == {"category": "must be open, active, done or closed"}
    with pytest.raises(Conflict) as taken:
        await service.create_status(session, ctx, name="planned", colour="#aabbcc", category="open")
    assert "key" in taken.value.fields or "name" in taken.value.fields


async def test_only_admins_manage_statuses(session):
    workspace = await make_workspace(session)
    staff = await make_user(session)
    await add_member(session, workspace, staff, Role.staff)
    staff_ctx = await context(session, workspace, staff)
    with pytest.raises(Forbidden):
        await service.create_status(session, staff_ctx, name="Later", colour="#aabbcc", category="open")


async def test_removing_a_status_in_use_needs_a_replacement(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    ideas = [await make_idea(session, workspace) for _ in range(2)]
    for idea in ideas:
        await service.set_status(session, workspace_id=workspace.id, idea=idea, status_key="in_progress", actor_id=None)
    in_progress = await service.get_status(session, workspace_id=workspace.id, key="in_progress")
    with pytest.raises(Conflict) as refused:
        await service.delete_status(session, ctx, in_progress)
    assert refused.value.status_code == 409
    assert refused.value.fields == {"replacement": "choose where its ideas go"}
    assert "2 ideas use this status" in refused.value.message

    moved = await service.delete_status(session, ctx, in_progress, replacement="planned")
    assert moved == 2
    assert await service.get_status(session, workspace_id=workspace.id, key="in_progress") is None
    for idea in ideas:
        await session.refresh(idea)
        assert (idea.status, idea.status_category) == ("planned", "active")
        timeline = await service.timeline(session, workspace_id=workspace.id, idea_id=idea.id)
        last = timeline[-1].entry
        assert (last.from_status, last.to_status, last.source) == ("in_progress", "planned", "status_removed")
    [row] = await _audit(session, workspace.id, "status.deleted")
    assert row.after == {"replacement": "planned", "ideas_moved": 2}


async def test_an_unused_status_is_removed_without_a_replacement_but_the_last_open_one_stays(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    await service.delete_status(
        session, ctx, await service.get_status(session, workspace_id=workspace.id, key="declined")
    )
    await make_idea(session, workspace)
    await service.delete_status(
        session,
        ctx,
        await service.get_status(session, workspace_id=workspace.id, key="open"),
        replacement="under_review",
    )
    last_open = await service.get_status(session, workspace_id=workspace.id, key="under_review")
    with pytest.raises(Conflict, match="at least one status in the open category"):
        await service.update_status(session, ctx, last_open, category="active")
    with pytest.raises(Conflict, match="at least one status in the open category"):
        await service.delete_status(session, ctx, last_open, replacement="planned")
    # New ideas now start in the first remaining open status.
    assert (await make_idea(session, workspace)).status == "under_review"


async def test_reordering_lists_statuses_in_the_new_order(session):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    keys = [s.key for s in await service.list_statuses(session, workspace_id=workspace.id)]
    await service.reorder(session, ctx, list(reversed(keys)))
    assert [s.key for s in await service.list_statuses(session, workspace_id=workspace.id)] == list(reversed(keys))
    with pytest.raises(Invalid):
        await service.reorder(session, ctx, keys[:-1])
    shipped = await service.get_status(session, workspace_id=workspace.id, key="shipped")
    await service.move_status(session, ctx, shipped, direction=-1)
    order = [s.key for s in await service.list_statuses(session, workspace_id=workspace.id)]
    assert order[:3] == ["shipped", "declined", "in_progress"]


async def test_status_rows_belong_to_their_workspace(session):
    mine = await make_workspace(session)
    theirs = await make_workspace(session)
    ctx = await owner_context(session, theirs)
    await service.update_status(
        session, ctx, await service.get_for_change(session, ctx, "planned"), name="Roadmap", colour="#000000"
    )
    mine_planned = await service.get_status(session, workspace_id=mine.id, key="planned")
    assert (mine_planned.name, mine_planned.colour) == ("Planned", "#2e8ae6")
    entries = list(await session.scalars(select(TimelineEntry).where(TimelineEntry.workspace_id == mine.id)))
    assert entries == []
