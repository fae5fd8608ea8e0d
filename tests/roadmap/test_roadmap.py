"""The roadmap: ideas fall into Planned, In progress and Shipped by their status; staff choose which boards and
statuses appear; private boards show to members only; the page costs the same queries however many ideas."""

from __future__ import annotations

import re

import pytest

from ideaflow.roadmap import service
from ideaflow.statuses import service as status_service
from tests.changelog.helpers import idea_in, make_world
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, context, make_board, make_token
from tests.test_query_counts import counting


def _columns(html: str) -> dict[str, list[str]]:
    """Card titles per column, read from the page."""
    found = {}
    for key, body in re.findall(r'roadmap__col--(\w+)".*?(<header.*?</section>)', html, re.S):
        found[key] = re.findall(r'class="roadmap-card__title" href="[^"]+">([^<]+)</a>', body)
    return found


async def test_ideas_land_in_the_column_of_their_status(session, client):
    world = await make_world(session)
    for key, title in [
        ("open", "Undecided"),
        ("under_review", "Being looked at"),
        ("planned", "Next quarter"),
        ("in_progress", "Building now"),
        ("shipped", "Out already"),
        ("declined", "Not doing"),
    ]:
        await idea_in(session, world, key, title=title)
    page = await client.get(f"/{world.workspace.slug}/roadmap")
    assert page.status_code == 200
    assert _columns(page.text) == {
        "planned": ["Next quarter"],
        "in_progress": ["Building now"],
        "shipped": ["Out already"],
    }
    assert (
        '<link rel="alternate" type="application/atom+xml" title="Acme roadmap" '
        f'href="/{world.workspace.slug}/roadmap/feed.atom">' in page.text
    )


async def test_a_later_active_status_joins_in_progress_and_keeps_its_badge(session, client):
    world = await make_world(session)
    owner = await context(session, world.workspace, world.owner)
    await status_service.create_status(session, owner, name="Beta", colour="#8b5cf6", category="active")
    await idea_in(session, world, "beta", title="Try it early")
    roadmap = await service.build(session, await context(session, world.workspace, None))
    in_progress = next(c for c in roadmap.columns if c.key == "in_progress")
    assert [s.key for s in in_progress.statuses] == ["in_progress", "beta"]
    assert [v.idea.title for v in in_progress.items] == ["Try it early"]
    page = await client.get(f"/{world.workspace.slug}/roadmap")
    assert re.search(r'data-status="beta">(<svg[^>]*>.*?</svg>)?Beta</span>', page.text)


async def test_private_boards_show_to_members_only(session, client):
    world = await make_world(session)
    await idea_in(session, world, "planned", title="Public plan")
    await idea_in(session, world, "planned", board=world.private, title="Secret plan")
    anonymous = await client.get(f"/{world.workspace.slug}/roadmap")
    assert _columns(anonymous.text)["planned"] == ["Public plan"]
    api = await client.get(f"/api/v1/{world.workspace.slug}/roadmap", headers=await make_token(session, world.member))
    # Equal votes: the newer idea first.
    assert [i["title"] for i in api.json()["columns"][0]["ideas"]] == ["Secret plan", "Public plan"]
    outsider = await client.get(
        f"/api/v1/{world.workspace.slug}/roadmap", headers=await make_token(session, world.outsider_staff)
    )
    assert [i["title"] for i in outsider.json()["columns"][0]["ideas"]] == ["Public plan"]


async def test_cards_are_ordered_by_votes_and_shipped_by_recency(session):
    world = await make_world(session)
    from ideaflow.ideas import service as idea_service
    from ideaflow.votes import service as vote_service

    low = await idea_in(session, world, "planned", title="Few votes")
    high = await idea_in(session, world, "planned", title="Many votes")
    member = await context(session, world.workspace, world.member)
    staff = await context(session, world.workspace, world.staff)
    await vote_service.add_vote(session, member, await idea_service.get_idea(session, member, high.number))
    await vote_service.add_vote(session, staff, await idea_service.get_idea(session, staff, high.number))
    first_shipped = await idea_in(session, world, "shipped", title="Shipped first")
    await idea_in(session, world, "shipped", title="Shipped last")
    roadmap = await service.build(session, member)
    planned, _, shipped = roadmap.columns
    assert [(v.idea.title, v.idea.vote_count, v.voted) for v in planned.items] == [
        ("Many votes", 2, True),
        ("Few votes", 0, False),
    ]
    assert [v.idea.title for v in shipped.items] == ["Shipped last", "Shipped first"]
    assert low.id and first_shipped.id


async def test_staff_choose_the_boards_and_statuses_that_appear(session, client):
    world = await make_world(session)
    extra = await make_board(session, world.workspace, slug="mobile", name="Mobile")
    await idea_in(session, world, "planned", title="Web plan")
    await idea_in(session, world, "planned", board=extra, title="Mobile plan")
    await idea_in(session, world, "shipped", board=extra, title="Mobile shipped")
    await web_sign_in(client, world.staff.email, PASSWORD)
    form = await client.get(f"/{world.workspace.slug}/settings/roadmap")
    assert form.status_code == 200
    saved = await client.post(
        f"/{world.workspace.slug}/settings/roadmap",
        data={"boards": ["mobile"], "statuses": ["planned", "in_progress"], "csrf_token": csrf_from(form.text)},
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("/settings/roadmap?saved=1")
    client.cookies.clear()
    page = await client.get(f"/{world.workspace.slug}/roadmap")
    # The Shipped column is switched off: it is not shown at all.
    assert _columns(page.text) == {"planned": ["Mobile plan"], "in_progress": []}
    assert "Nothing here yet." in page.text


async def test_an_empty_choice_is_refused_next_to_the_field_and_keeps_the_ticks(session, client):
    world = await make_world(session)
    csrf = await web_sign_in(client, world.staff.email, PASSWORD)
    response = await client.post(
        f"/{world.workspace.slug}/settings/roadmap", data={"statuses": ["shipped"], "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert 'id="boards-error"' in response.text and "choose at least one board" in response.text
    assert re.search(r'name="statuses" value="shipped"\s+checked', response.text)
    assert not re.search(r'name="statuses" value="planned"\s+checked', response.text)


@pytest.mark.parametrize(
    ("who", "page", "api_get", "api_put"),
    [
        ("anonymous", 303, 401, 401),
        ("member", 403, 403, 403),
        ("outsider", 403, 403, 403),
        ("staff", 200, 200, 200),
        ("admin", 200, 200, 200),
    ],
)
async def test_roadmap_settings_are_for_staff_of_the_workspace(session, client, who, page, api_get, api_put):
    world = await make_world(session)
    user = {"member": world.member, "outsider": world.outsider_staff, "staff": world.staff, "admin": world.admin}.get(
        who
    )
    headers = await make_token(session, user) if user else {}
    if user:
        await web_sign_in(client, user.email, PASSWORD)
    assert (await client.get(f"/{world.workspace.slug}/settings/roadmap")).status_code == page
    url = f"/api/v1/{world.workspace.slug}/roadmap/settings"
    client.cookies.clear()
    got = await client.get(url, headers=headers)
    assert got.status_code == api_get
    put = await client.put(url, json={"boards": ["internal"], "statuses": ["shipped"]}, headers=headers)
    assert put.status_code == api_put
    if api_put == 200:
        assert put.json() == {"boards": ["internal"], "statuses": ["shipped"]}


async def test_api_settings_name_the_bad_field(session, client):
    world = await make_world(session)
    headers = await make_token(session, world.staff)
    url = f"/api/v1/{world.workspace.slug}/roadmap/settings"
    unknown = await client.put(url, json={"boards": ["nope"], "statuses": ["planned"]}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["fields"] == {
        "boards": "“nope” is not a board of this workspace"
    }
    closed = await client.put(url, json={"boards": ["feature-requests"], "statuses": ["declined"]}, headers=headers)
    assert closed.json()["fields"] == {"statuses": "“declined” is not an active or done status of this workspace"}
    defaults = await client.get(url, headers=headers)
    assert defaults.json() == {
        "boards": ["feature-requests", "internal"],
        "statuses": ["planned", "in_progress", "shipped"],
    }


async def test_another_workspaces_boards_cannot_be_chosen(session, client):
    world = await make_world(session)
    await make_board(session, world.other, slug="theirs", name="Theirs")
    headers = await make_token(session, world.staff)
    response = await client.put(
        f"/api/v1/{world.workspace.slug}/roadmap/settings",
        json={"boards": ["theirs"], "statuses": ["planned"]},
        headers=headers,
    )
    assert response.status_code == 422


async def _fill(session, world, count: int) -> None:
    keys = ["planned", "in_progress", "shipped"]
    for n in range(count):
        await idea_in(session, world, keys[n % 3], title=f"Idea {n}")


async def test_the_roadmap_page_costs_the_same_queries_for_6_and_60_ideas(database, session, client):
    small, large = await make_world(session), await make_world(session)
    await _fill(session, small, 6)
    await _fill(session, large, 60)
    await web_sign_in(client, small.member.email, PASSWORD)

    async def measure(world) -> list[str]:
        url = f"/{world.workspace.slug}/roadmap"
        assert (await client.get(url)).status_code == 200
        with counting(database) as statements:
            response = await client.get(url)
        assert response.status_code == 200
        return statements

    few, many = await measure(small), await measure(large)
    assert len(few) == len(many), "\n".join(many)
    assert len(many) <= 14, "\n".join(many)
