"""Votes staff record on a customer's behalf: a placeholder account for an unknown address, one vote however
often it is recorded, the same rules and counters as a person's own vote, provenance for staff only, an audit
row for every change, and the vote becoming the person's own when they vote themself."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ideaflow.accounts.models import User
from ideaflow.audit.models import AuditEvent
from ideaflow.errors import Conflict, Invalid
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea, IdeaStatus
from ideaflow.outbox.models import OutboxEvent
from ideaflow.votes import service
from ideaflow.votes.models import Vote
from tests.factories import context, default_board, make_idea, make_user
from tests.ranking.helpers import enable, stored, unvote, vote
from tests.statuses.scene import build_scene

NOTE = "Asked in ticket 4411: their whole team works at night"
LINK = "https://support.example.com/tickets/4411"


async def _staff_ctx(session, scene):
    return await context(session, scene.workspace, scene.users["staff"])


async def _record(session, scene, idea=None, **kwargs):
    ctx = await _staff_ctx(session, scene)
    view = await idea_service.get_idea(session, ctx, (idea or scene.idea).number, with_voted=False)
    fields = {"email": "carla@customer.example.org", "source": "support_ticket", "note": NOTE, "link": LINK}
    return await service.record_on_behalf(session, ctx, view, **(fields | kwargs))


async def _remove(session, scene, user_id: int):
    ctx = await _staff_ctx(session, scene)
    view = await idea_service.get_idea(session, ctx, scene.idea.number, with_voted=False)
    return await service.remove_on_behalf(session, ctx, view, user_id=user_id)


async def _fresh(session, idea) -> Idea:
    return await session.get(Idea, idea.id, populate_existing=True)


async def _rows(session, idea) -> list[Vote]:
    return list(
        await session.scalars(
            select(Vote).where(Vote.idea_id == idea.id).execution_options(populate_existing=True).order_by(Vote.id)
        )
    )


async def _audit(session, workspace) -> list[tuple[str, dict | None, dict | None]]:
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.workspace_id == workspace.id, AuditEvent.action.like("vote.%"))
        .order_by(AuditEvent.id)
    )
    return [(e.action, e.before, e.after) for e in rows]


async def test_recording_for_an_unknown_email_creates_a_placeholder_and_counts_one_vote(session):
    scene = await build_scene(session)
    outcome = await _record(session, scene, email="  Carla@Customer.example.org ", name="Carla Diaz")

    assert (outcome.result.changed, outcome.result.vote_count, outcome.placeholder_created) == (True, 1, True)
    carla = await session.scalar(select(User).where(User.email == "carla@customer.example.org"))
    assert (carla.name, carla.password_hash, carla.email_verified_at) == ("Carla Diaz", None, None)
    [row] = await _rows(session, scene.idea)
    assert (row.user_id, row.value, row.added_by_id) == (carla.id, 1, scene.users["staff"].id)
    assert (row.proxy_source, row.proxy_note, row.proxy_link) == ("support_ticket", NOTE, LINK)
    assert (await _fresh(session, scene.idea)).vote_count == 1
    assert outcome.vote.provenance == "added by Sam Staff from a support ticket"


async def test_a_placeholder_without_a_name_is_named_after_the_address(session):
    scene = await build_scene(session)
    outcome = await _record(session, scene, email="dana.smith@example.org")
    assert outcome.vote.name == "Dana Smith"


async def test_counters_and_scores_move_exactly_as_for_the_persons_own_vote(session):
    scene = await build_scene(session)
    own = await make_idea(session, scene.workspace, title="Export to PDF")
    proxied = await make_idea(session, scene.workspace, title="Export to Word")
    before = (await _fresh(session, proxied)).trending_score
    voter = await make_user(session)
    await vote(session, scene.workspace, own, voter)
    await _record(session, scene, idea=proxied)

    own_idea, proxied_idea = await _fresh(session, own), await _fresh(session, proxied)
    assert own_idea.vote_count == proxied_idea.vote_count == 1
    assert proxied_idea.trending_score > before
    own_scores, proxied_scores = await stored(session, own), await stored(session, proxied)
    assert proxied_scores.demand == pytest.approx(own_scores.demand) and proxied_scores.demand > 0
    assert proxied_scores.confidence == pytest.approx(own_scores.confidence)


async def test_recording_again_updates_the_provenance_and_never_counts_twice(session):
    scene = await build_scene(session)
    first = await _record(session, scene)
    again = await _record(session, scene, source="sales_call", note="Raised again on the renewal call", link="")
    same = await _record(session, scene, source="sales_call", note="Raised again on the renewal call", link="")

    assert (first.result.changed, again.result.changed, same.result.changed) == (True, True, False)
    assert (again.placeholder_created, same.result.vote_count) == (False, 1)
    [row] = await _rows(session, scene.idea)
    assert (row.proxy_source, row.proxy_note, row.proxy_link) == (
        "sales_call",
        "Raised again on the renewal call",
        None,
    )
    assert (await _fresh(session, scene.idea)).vote_count == 1
    audit = await _audit(session, scene.workspace)
    assert [a[0] for a in audit] == ["vote.added_on_behalf", "vote.added_on_behalf"]  # the no-op wrote nothing
    assert audit[1][1]["source"] == "support_ticket" and audit[1][2]["source"] == "sales_call"
    accounts = await session.scalar(select(func.count()).select_from(User).where(User.email.like("carla@%")))
    assert accounts == 1


async def test_an_existing_account_is_used_as_it_is(session):
    scene = await build_scene(session)
    member = scene.users["member"]
    outcome = await _record(session, scene, email=member.email.upper(), name="Somebody Else")
    await session.refresh(member)
    assert (outcome.placeholder_created, outcome.vote.user_id, member.name) == (False, member.id, "Mia Member")


async def test_a_persons_own_vote_is_never_overwritten_by_staff(session):
    scene = await build_scene(session)
    member = scene.users["member"]
    await vote(session, scene.workspace, scene.idea, member)
    with pytest.raises(Conflict) as refused:
        await _record(session, scene, email=member.email)
    assert refused.value.code == "own_vote" and "email" in refused.value.fields
    [row] = await _rows(session, scene.idea)
    assert row.added_by_id is None
    with pytest.raises(Conflict):
        await _remove(session, scene, member.id)
    assert (await _fresh(session, scene.idea)).vote_count == 1


async def test_when_the_person_votes_themself_the_vote_becomes_theirs_and_still_counts_once(session):
    scene = await build_scene(session)
    member = scene.users["member"]
    await _record(session, scene, email=member.email)
    result = await vote(session, scene.workspace, scene.idea, member)

    assert (result.voted, result.vote_count) == (True, 1)
    [row] = await _rows(session, scene.idea)
    assert (row.added_by_id, row.proxy_source, row.proxy_note, row.proxy_link) == (None, None, None, None)
    ctx = await _staff_ctx(session, scene)
    assert await service.list_on_behalf(session, ctx, scene.idea) == []
    with pytest.raises(Conflict):
        await _remove(session, scene, member.id)  # theirs to withdraw now
    withdrawn = await unvote(session, scene.workspace, scene.idea, member)
    assert (withdrawn.changed, withdrawn.vote_count) == (True, 0)


async def test_removing_a_recorded_vote_restores_the_counters_and_is_idempotent(session):
    scene = await build_scene(session)
    before = (await _fresh(session, scene.idea)).trending_score
    outcome = await _record(session, scene)
    removed = await _remove(session, scene, outcome.vote.user_id)
    again = await _remove(session, scene, outcome.vote.user_id)

    assert (removed.changed, removed.vote_count, again.changed) == (True, 0, False)
    idea = await _fresh(session, scene.idea)
    assert idea.vote_count == 0 and idea.trending_score == pytest.approx(before)
    assert await _rows(session, scene.idea) == []
    actions = [a for a, _, _ in await _audit(session, scene.workspace)]
    assert actions == ["vote.added_on_behalf", "vote.removed_on_behalf"]


async def test_every_change_writes_an_audit_row_naming_who_for_whom_and_why(session):
    scene = await build_scene(session)
    outcome = await _record(session, scene, importance=None)
    await _remove(session, scene, outcome.vote.user_id)
    rows = list(
        await session.scalars(
            select(AuditEvent).where(AuditEvent.workspace_id == scene.workspace.id).order_by(AuditEvent.id)
        )
    )
    added, removed = [r for r in rows if r.action.startswith("vote.")]
    staff_id = scene.users["staff"].id
    assert (added.actor_id, added.target_type, added.target_id) == (staff_id, "idea", scene.idea.id)
    assert added.before is None
    assert added.after["email"] == "carla@customer.example.org" and added.after["link"] == LINK
    assert added.after["note"] == NOTE and added.after["source"] == "support_ticket"
    assert (removed.action, removed.actor_id, removed.after) == ("vote.removed_on_behalf", staff_id, None)
    assert removed.before["user_id"] == outcome.vote.user_id and removed.before["source"] == "support_ticket"


async def test_the_vote_cast_event_names_the_customer_and_the_staff_member_but_carries_no_note(session):
    scene = await build_scene(session)
    outcome = await _record(session, scene)
    await _record(session, scene, note="updated note")  # provenance only: no event
    await _remove(session, scene, outcome.vote.user_id)
    events = list(
        await session.scalars(select(OutboxEvent).where(OutboxEvent.type.like("vote.%")).order_by(OutboxEvent.id))
    )
    assert [e.type for e in events] == ["vote.cast", "vote.withdrawn"]
    cast = events[0].payload
    carla = outcome.vote.user_id
    assert (cast["actor_id"], cast["on_behalf_of"], cast["added_by"]) == (carla, carla, scene.users["staff"].id)
    assert cast["idea_id"] == scene.idea.id and cast["value"] == 1
    assert NOTE not in str(cast) and LINK not in str(cast)
    assert events[1].payload["removed_by"] == scene.users["staff"].id


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("email", "not-an-address", "must be a valid email address"),
        ("email", "", "is required"),
        ("source", "carrier_pigeon", "must be one of support_ticket"),
        ("link", "javascript:alert(1)", "must be a web address starting with http:// or https://"),
        ("link", "ftp://files.example.com/x", "must be a web address"),
        ("link", "https://" + "a" * 500 + ".com", "must be at most 500 characters"),
        ("note", "x" * 2001, "must be at most 2000 characters"),
        ("importance", "critical", "is not asked for on this board"),
    ],
)
async def test_bad_input_names_the_field_and_records_nothing(session, field, value, reason):
    scene = await build_scene(session)
    with pytest.raises(Invalid) as refused:
        await _record(session, scene, **{field: value})
    assert list(refused.value.fields) == [field]
    assert refused.value.fields[field].startswith(reason)
    assert await _rows(session, scene.idea) == []


async def test_recording_for_your_own_address_is_refused(session):
    scene = await build_scene(session)
    with pytest.raises(Invalid) as refused:
        await _record(session, scene, email=scene.users["staff"].email)
    assert "email" in refused.value.fields


async def test_importance_is_recorded_where_the_board_asks_for_it(session):
    scene = await build_scene(session)
    await enable(session, scene.workspace, await default_board(session, scene.workspace), importance_enabled=True)
    outcome = await _record(session, scene, importance="critical")
    kept = await _record(session, scene, importance=None, note="no importance given this time")
    assert (outcome.vote.importance, kept.vote.importance) == ("critical", "critical")
    [row] = await _rows(session, scene.idea)
    assert row.importance == "critical"


async def test_closed_and_merged_ideas_refuse_votes_on_behalf(session):
    scene = await build_scene(session)
    scene.idea.status, scene.idea.status_category = IdeaStatus.declined, "closed"
    await session.flush()
    with pytest.raises(Conflict) as closed:
        await _record(session, scene)
    assert closed.value.code == "voting_closed"

    duplicate = await make_idea(session, scene.workspace, title="Night theme")
    duplicate.merged_into_id, duplicate.status_category = scene.idea.id, "open"
    await session.flush()
    with pytest.raises(Conflict) as merged:
        await _record(session, scene, idea=duplicate)
    assert merged.value.code == "voting_closed" and "merged" in merged.value.message
    assert await _rows(session, scene.idea) == [] and await _rows(session, duplicate) == []


async def test_only_staff_record_list_or_remove(session):
    scene = await build_scene(session)
    member_ctx = await context(session, scene.workspace, scene.users["member"])
    view = await idea_service.get_idea(session, member_ctx, scene.idea.number, with_voted=False)
    from ideaflow.errors import Forbidden

    with pytest.raises(Forbidden):
        await service.record_on_behalf(session, member_ctx, view, email="x@example.org", source="email")
    with pytest.raises(Forbidden):
        await service.list_on_behalf(session, member_ctx, scene.idea)
    with pytest.raises(Forbidden):
        await service.remove_on_behalf(session, member_ctx, view, user_id=scene.users["member"].id)


async def test_a_blocked_customer_cannot_be_given_a_vote_and_a_blocked_voter_cannot_vote(session):
    from ideaflow.errors import Forbidden
    from ideaflow.moderation import service as moderation_service
    from tests.factories import owner_context

    scene = await build_scene(session)
    member = scene.users["member"]
    await moderation_service.block_user(
        session, await owner_context(session, scene.workspace), user_id=member.id, reason="Spam"
    )
    with pytest.raises(Forbidden) as refused:
        await _record(session, scene, email=member.email)
    assert (refused.value.code, list(refused.value.fields)) == ("blocked", ["email"])
    with pytest.raises(Forbidden):
        await vote(session, scene.workspace, scene.idea, member)
    with pytest.raises(Forbidden):
        await unvote(session, scene.workspace, scene.idea, member)
    assert await _rows(session, scene.idea) == []
