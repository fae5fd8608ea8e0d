"""Publishing a changelog entry ships the ideas it links (once), through the status service, so that voters and
followers hear of it; drafts stay hidden from customers."""

from __future__ import annotations

import pytest

from ideaflow.changelog import service
from ideaflow.errors import Conflict, Invalid, NotFound
from ideaflow.statuses import service as status_service
from ideaflow.statuses.models import StatusCategory
from tests.changelog.helpers import events, idea_in, make_world
from tests.factories import context


async def test_publishing_ships_every_linked_idea_and_announces_it(session):
    world = await make_world(session)
    planned = await idea_in(session, world, "planned", title="Dark mode")
    building = await idea_in(session, world, "in_progress", title="CSV export")
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(
        session,
        staff,
        title="November release",
        body="**Dark mode** is here.",
        idea_numbers=[planned.number, building.number],
    )
    assert entry.published_at is None
    assert (planned.status, building.status) == ("planned", "in_progress")  # a draft ships nothing

    shipped = await service.publish_entry(session, staff, entry)

    assert {i.number for i in shipped} == {planned.number, building.number}
    assert entry.published_at is not None
    assert (planned.status, building.status) == ("shipped", "shipped")
    changes = [
        e for e in await events(session, "idea.status_changed", world.workspace.id) if e["source"] == "changelog"
    ]
    assert sorted((e["number"], e["from_status"], e["to_status"], e["to_category"]) for e in changes) == sorted(
        [(planned.number, "planned", "shipped", "done"), (building.number, "in_progress", "shipped", "done")]
    )
    assert all(e["actor_id"] == world.staff.id for e in changes)
    assert await events(session, "changelog.published", world.workspace.id) == [
        {"entry_id": entry.id, "idea_ids": sorted([planned.id, building.id]), "actor_id": world.staff.id}
    ]


async def test_publishing_twice_ships_nothing_and_notifies_no_one_again(session):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned")
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Release", idea_numbers=[idea.number], publish=True)
    first_published_at = entry.published_at
    status_events = len(await events(session, "idea.status_changed", world.workspace.id))

    assert await service.publish_entry(session, staff, entry) == []

    assert entry.published_at == first_published_at
    assert len(await events(session, "idea.status_changed", world.workspace.id)) == status_events
    assert len(await events(session, "changelog.published", world.workspace.id)) == 1


async def test_staff_choose_which_done_status_the_ideas_move_to(session):
    world = await make_world(session)
    owner = await context(session, world.workspace, world.owner)
    await status_service.create_status(session, owner, name="Released in beta", colour="#17a964", category="done")
    idea = await idea_in(session, world, "in_progress")
    entry = await service.create_entry(
        session, owner, title="Beta", idea_numbers=[idea.number], ship_status="released_in_beta", publish=True
    )
    assert idea.status == "released_in_beta"
    assert entry.ship_status == "released_in_beta"


async def test_a_status_outside_the_done_category_is_refused(session):
    world = await make_world(session)
    staff = await context(session, world.workspace, world.staff)
    with pytest.raises(Invalid) as caught:
        await service.create_entry(session, staff, title="Release", ship_status="planned")
    assert caught.value.fields == {"ship_status": "must be one of this workspace's done statuses"}


async def test_publishing_without_any_done_status_is_refused_and_the_entry_stays_a_draft(session):
    world = await make_world(session)
    owner = await context(session, world.workspace, world.owner)
    shipped = await status_service.get_status(session, workspace_id=world.workspace.id, key="shipped")
    await status_service.update_status(session, owner, shipped, category=StatusCategory.active)
    entry = await service.create_entry(session, owner, title="Release")
    with pytest.raises(Conflict):
        await service.publish_entry(session, owner, entry)
    assert entry.published_at is None


async def test_unknown_idea_numbers_are_named_in_the_error(session):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned")
    staff = await context(session, world.workspace, world.staff)
    with pytest.raises(Invalid) as caught:
        await service.create_entry(session, staff, title="Release", idea_numbers=[idea.number, 404, 405])
    assert caught.value.fields == {"ideas": "#404, #405 are not ideas here"}


async def test_ideas_of_another_workspace_cannot_be_linked(session):
    world = await make_world(session)
    foreign = await idea_in(session, world, "planned")
    outsider = await context(session, world.other, world.outsider_staff)
    with pytest.raises(Invalid):
        await service.create_entry(session, outsider, title="Release", idea_numbers=[foreign.number + 1000])
    staff_other = outsider
    entry = await service.create_entry(session, staff_other, title="Other release", publish=True)
    assert foreign.status == "planned"
    staff = await context(session, world.workspace, world.staff)
    with pytest.raises(NotFound):
        await service.get_entry(session, staff, entry_id=entry.id)


async def test_ideas_linked_to_a_published_entry_ship_when_linked(session):
    world = await make_world(session)
    first = await idea_in(session, world, "planned")
    late = await idea_in(session, world, "in_progress")
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Release", idea_numbers=[first.number], publish=True)
    await service.update_entry(session, staff, entry, idea_numbers=[first.number, late.number])
    assert late.status == "shipped"
    changes = await events(session, "idea.status_changed", world.workspace.id)
    assert [e["number"] for e in changes if e["source"] == "changelog"].count(first.number) == 1


async def test_unlinking_leaves_the_idea_where_it_is(session):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned")
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Release", idea_numbers=[idea.number], publish=True)
    await service.update_entry(session, staff, entry, idea_numbers=[])
    view = await service.get_entry(session, staff, entry_id=entry.id)
    assert view.ideas == [] and idea.status == "shipped"


async def test_drafts_are_hidden_from_everyone_but_staff(session):
    world = await make_world(session)
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Secret plans")
    for viewer in (None, world.member, world.outsider_staff):
        ctx = await context(session, world.workspace, viewer)
        with pytest.raises(NotFound):
            await service.get_entry(session, ctx, slug=entry.slug)
        page = await service.list_entries(session, ctx, with_drafts=True)
        assert page.items == [] and page.drafts == []
    page = await service.list_entries(session, staff, with_drafts=True)
    assert [v.entry.title for v in page.drafts] == ["Secret plans"]


async def test_slugs_are_unique_inside_a_workspace(session):
    world = await make_world(session)
    staff = await context(session, world.workspace, world.staff)
    slugs = [(await service.create_entry(session, staff, title=t)).slug for t in ("Dark mode!", "Dark mode", "New")]
    assert slugs == ["dark-mode", "dark-mode-2", "new-update"]
