"""Atom feeds parse cleanly in feedparser (no bozo), carry the expected entries with stable ids and absolute
links, never show private boards, internal notes, removed comments or drafts, and answer 304 to readers whose
copy is current."""

from __future__ import annotations

import feedparser
import pytest

from ideaflow.changelog import service as changelog_service
from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.statuses import service as status_service
from tests.changelog.helpers import idea_in, make_world
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, context, make_idea


async def _feed(client, url: str, **kwargs):
    response = await client.get(url, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


async def test_the_board_feed_lists_new_ideas_newest_first(session, client):
    world = await make_world(session)
    await make_idea(session, world.workspace, title="First idea", body="Some **bold** text")
    await make_idea(session, world.workspace, title="Second idea")
    parsed = await _feed(client, f"/{world.workspace.slug}/boards/feature-requests/feed.atom")
    assert [e.title for e in parsed.entries] == ["Second idea", "First idea"]
    first = parsed.entries[1]
    assert first.link == f"http://testserver/{world.workspace.slug}/ideas/1"
    assert first.id.startswith("tag:testserver,") and first.id.endswith(f":{world.workspace.slug}/ideas/1")
    assert first.content[0].type == "text/html" and "<strong>bold</strong>" in first.content[0].value
    assert parsed.feed.title == "Feature requests · Acme"
    assert any(link.rel == "self" for link in parsed.feed.links)


async def test_hostile_text_is_escaped_and_the_feed_stays_valid(session, client):
    world = await make_world(session)
    await make_idea(session, world.workspace, title="<script>alert(1)</script> & \x0bmore", body="<b>raw</b> & text")
    response = await client.get(f"/{world.workspace.slug}/boards/feature-requests/feed.atom")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    assert parsed.entries[0].title == "<script>alert(1)</script> & more"
    assert b"<script>" not in response.content
    assert "<b>" not in parsed.entries[0].content[0].value  # raw HTML in Markdown is never passed on


async def test_private_boards_and_their_ideas_have_no_feed_even_for_members(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned", board=world.private, title="Secret")
    await web_sign_in(client, world.member.email, PASSWORD)  # feed readers send no cookies: feeds ignore them
    assert (await client.get(f"/{world.workspace.slug}/boards/internal/feed.atom")).status_code == 404
    assert (await client.get(f"/{world.workspace.slug}/ideas/{idea.number}/feed.atom")).status_code == 404
    roadmap = await _feed(client, f"/{world.workspace.slug}/roadmap/feed.atom")
    assert roadmap.entries == []


async def test_the_idea_feed_shows_status_changes_responses_and_comments_but_never_notes(session, client):
    world = await make_world(session)
    idea = await make_idea(session, world.workspace, title="Dark mode")
    staff = await context(session, world.workspace, world.staff)
    member = await context(session, world.workspace, world.member)
    view = await idea_service.get_idea(session, member, idea.number)
    await comment_service.add_comment(session, member, view, body="Please, my eyes")
    removed = await comment_service.add_comment(session, member, view, body="Posted by mistake")
    await comment_service.delete_comment(session, member, comment_id=removed.id)
    await comment_service.add_note(session, staff, view, body="Internal: customer X pays a lot")
    await status_service.set_status(
        session,
        workspace_id=world.workspace.id,
        idea=idea,
        status_key="planned",
        actor_id=world.staff.id,
        response="Coming in **Q3**.",
    )
    await status_service.post_response(
        session, workspace_id=world.workspace.id, idea=idea, actor_id=world.staff.id, body="Design is done."
    )
    response = await client.get(f"/{world.workspace.slug}/ideas/{idea.number}/feed.atom")
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0
    titles = [e.title for e in parsed.entries]
    assert sorted(titles) == sorted(
        ["Official response", "Status changed from Open to Planned", "Comment by Mia Member", "Dark mode"]
    )
    text = response.text
    assert "customer X" not in text and "Posted by mistake" not in text
    change = next(e for e in parsed.entries if e.title.startswith("Status changed"))
    assert "<strong>Q3</strong>" in change.content[0].value
    assert len({e.id for e in parsed.entries}) == 4


async def test_the_changelog_feed_lists_published_entries_only(session, client):
    world = await make_world(session)
    public_idea = await idea_in(session, world, "planned", title="Public idea")
    private_idea = await idea_in(session, world, "planned", board=world.private, title="Private idea")
    staff = await context(session, world.workspace, world.staff)
    await changelog_service.create_entry(
        session,
        staff,
        title="Big release",
        body="All the things",
        idea_numbers=[public_idea.number, private_idea.number],
        publish=True,
    )
    await changelog_service.create_entry(session, staff, title="Draft release")
    parsed = await _feed(client, f"/{world.workspace.slug}/changelog/feed.atom")
    assert [e.title for e in parsed.entries] == ["Big release"]
    content = parsed.entries[0].content[0].value
    assert "Public idea" in content and "Private idea" not in content
    assert parsed.entries[0].link == f"http://testserver/{world.workspace.slug}/changelog/big-release"
    assert parsed.entries[0].author == "Sam Staff"


async def test_the_roadmap_feed_follows_ideas_onto_the_roadmap(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "planned", title="Dark mode")
    await status_service.set_status(
        session, workspace_id=world.workspace.id, idea=idea, status_key="shipped", actor_id=world.staff.id
    )
    await idea_in(session, world, "declined", title="Not on the roadmap")
    parsed = await _feed(client, f"/{world.workspace.slug}/roadmap/feed.atom")
    assert [e.title for e in parsed.entries] == ["Shipped: Dark mode", "Planned: Dark mode"]
    assert len({e.id for e in parsed.entries}) == 2


async def test_a_current_copy_gets_304_and_a_change_gets_a_new_etag(session, client):
    world = await make_world(session)
    await make_idea(session, world.workspace, title="One")
    url = f"/{world.workspace.slug}/boards/feature-requests/feed.atom"
    first = await client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    since = await client.get(url, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    assert (await client.get(url, headers={"If-None-Match": '"stale"'})).status_code == 200
    await make_idea(session, world.workspace, title="Two")
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert (await client.get(url, headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/nope/roadmap/feed.atom",
        "/{ws}/boards/nope/feed.atom",
        "/{ws}/ideas/999/feed.atom",
        "/{ws}/ideas/99999999999/feed.atom",
    ],
)
async def test_missing_things_have_no_feed(session, client, path):
    world = await make_world(session)
    assert (await client.get(path.format(ws=world.workspace.slug))).status_code == 404


async def test_every_feed_is_valid_for_an_empty_workspace(session, client):
    world = await make_world(session)
    idea = await make_idea(session, world.workspace, title="Lonely")
    for path in ("boards/feature-requests", f"ideas/{idea.number}", "roadmap", "changelog"):
        await _feed(client, f"/{world.workspace.slug}/{path}/feed.atom")


async def test_shipping_through_the_changelog_shows_in_the_idea_feed(session, client):
    world = await make_world(session)
    idea = await idea_in(session, world, "in_progress", title="Dark mode")
    url = f"/{world.workspace.slug}/ideas/{idea.number}/feed.atom"
    before = await client.get(url)
    staff = await context(session, world.workspace, world.staff)
    await changelog_service.create_entry(session, staff, title="Dark mode", idea_numbers=[idea.number], publish=True)
    after = await client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    parsed = feedparser.parse(after.content)
    assert parsed.bozo == 0
    assert parsed.entries[0].title == "Status changed from In progress to Shipped"
    assert parsed.entries[0].tags[0].term == "shipped"


async def test_feeds_answer_head_requests_without_a_body(session, client):
    world = await make_world(session)
    response = await client.head(f"/{world.workspace.slug}/changelog/feed.atom")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8" and response.headers["etag"]
