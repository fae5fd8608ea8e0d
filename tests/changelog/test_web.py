"""Changelog pages: staff write and publish through plain forms (no JavaScript needed), mistakes come back next
to the field with the text kept, customers read published entries only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaflow.changelog import service
from ideaflow.changelog.models import ChangelogEntry
from ideaflow.ideas.models import Idea
from tests.changelog.helpers import events, idea_in, make_world
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, context


async def test_staff_publish_an_entry_from_the_form_and_its_ideas_ship(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned", title="Dark mode")
    other = await idea_in(session, world, "open", title="Emoji reactions")
    await web_sign_in(client, world.staff.email, PASSWORD)
    form = await client.get(f"/{world.workspace.slug}/changelog/new")
    assert form.status_code == 200
    assert f'name="ideas" value="{idea.number}"' in form.text  # planned ideas are offered as checkboxes
    assert f'name="ideas" value="{other.number}"' not in form.text
    response = await client.post(
        f"/{world.workspace.slug}/changelog",
        data={
            "title": "Dark mode is here",
            "body": "Switch it on in **settings**.",
            "ideas": str(idea.number),
            "idea_numbers": f"#{other.number}",
            "ship_status": "shipped",
            "action": "publish",
            "csrf_token": csrf_from(form.text),
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/{world.workspace.slug}/changelog/dark-mode-is-here"
    statuses = dict(
        (await session.execute(select(Idea.number, Idea.status).where(Idea.workspace_id == world.workspace.id))).all()
    )
    assert statuses[idea.number] == statuses[other.number] == "shipped"
    assert len(await events(session, "changelog.published", world.workspace.id)) == 1

    client.cookies.clear()
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "<strong>settings</strong>" in page.text and "Dark mode" in page.text and "Emoji reactions" in page.text
    listing = await client.get(f"/{world.workspace.slug}/changelog")
    assert "Dark mode is here" in listing.text
    assert f'href="/{world.workspace.slug}/changelog/feed.atom"' in listing.text


async def test_saving_a_draft_ships_nothing_and_publishing_it_later_does(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "in_progress")
    csrf = await web_sign_in(client, world.staff.email, PASSWORD)
    response = await client.post(
        f"/{world.workspace.slug}/changelog",
        data={"title": "Coming soon", "idea_numbers": str(idea.number), "action": "save", "csrf_token": csrf},
    )
    assert response.status_code == 303
    await session.refresh(idea)
    assert idea.status == "in_progress"
    listing = await client.get(f"/{world.workspace.slug}/changelog")
    assert "Drafts" in listing.text and "Coming soon" in listing.text
    published = await client.post(f"/{world.workspace.slug}/changelog/coming-soon/publish", data={"csrf_token": csrf})
    assert published.status_code == 303
    await session.refresh(idea)
    assert idea.status == "shipped"


async def test_a_mistake_is_shown_next_to_its_field_and_nothing_typed_is_lost(session, client):
    world = await make_world(session)
    csrf = await web_sign_in(client, world.staff.email, PASSWORD)
    response = await client.post(
        f"/{world.workspace.slug}/changelog",
        data={"title": "Big", "body": "A long, careful description", "idea_numbers": "12, x", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="f-ideas-error"' in response.text and "“x” is not an idea number" in response.text
    assert "A long, careful description" in response.text and 'value="12, x"' in response.text
    short = await client.post(
        f"/{world.workspace.slug}/changelog", data={"title": "ab", "body": "Kept", "csrf_token": csrf}
    )
    assert short.status_code == 422 and 'id="f-title-error"' in short.text and "Kept" in short.text
    assert (
        await session.scalar(select(ChangelogEntry.id).where(ChangelogEntry.workspace_id == world.workspace.id)) is None
    )


@pytest.mark.parametrize(
    ("who", "expected"), [("anonymous", 303), ("member", 403), ("outsider", 403), ("staff", 200), ("admin", 200)]
)
async def test_the_entry_form_is_for_staff_only(session, client, who, expected):
    world = await make_world(session)
    user = {"member": world.member, "outsider": world.outsider_staff, "staff": world.staff, "admin": world.admin}.get(
        who
    )
    if user:
        await web_sign_in(client, user.email, PASSWORD)
    response = await client.get(f"/{world.workspace.slug}/changelog/new")
    assert response.status_code == expected
    if expected == 303:
        assert response.headers["location"].startswith("/signin?next=")


async def test_members_cannot_publish_or_delete_through_the_forms(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned")
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Published", idea_numbers=[idea.number])
    csrf = await web_sign_in(client, world.member.email, PASSWORD)
    for action in ("publish", "delete", "edit"):
        response = await client.post(
            f"/{world.workspace.slug}/changelog/{entry.slug}/{action}", data={"csrf_token": csrf, "title": "Hacked"}
        )
        assert response.status_code == 403
    await session.refresh(entry)
    await session.refresh(idea)
    assert entry.published_at is None and entry.title == "Published" and idea.status == "planned"


async def test_a_draft_is_not_found_for_customers(session, client):
    world = await make_world(session)
    staff = await context(session, world.workspace, world.staff)
    entry = await service.create_entry(session, staff, title="Unannounced")
    assert (await client.get(f"/{world.workspace.slug}/changelog/{entry.slug}")).status_code == 404
    await web_sign_in(client, world.member.email, PASSWORD)
    assert (await client.get(f"/{world.workspace.slug}/changelog/{entry.slug}")).status_code == 404
    listing = await client.get(f"/{world.workspace.slug}/changelog")
    assert "Unannounced" not in listing.text and "No updates yet." in listing.text
