"""ETag / 304 on the idea lists (JSON list, board page, portal): a current copy is answered 304 with no body,
and every change a list shows gives it a new ETag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ideaflow.config import get_settings
from ideaflow.ideas import service as idea_service
from ideaflow.kit import http_cache
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from ideaflow.votes import service as vote_service
from tests.conftest import web_sign_in
from tests.factories import (
    PASSWORD,
    context,
    make_board,
    make_idea,
    make_token,
    make_user,
    make_workspace,
    owner_context,
)


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    """Changes count as settled at once (production waits a few seconds), and the minute stays put."""
    monkeypatch.setattr(get_settings(), "list_etag_settle_seconds", 0)
    monkeypatch.setattr(http_cache, "minute", lambda now=None: datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


async def _scene(session):
    workspace = await make_workspace(session)
    idea = await make_idea(session, workspace, title="Dark mode please")
    return workspace, idea


def _json_url(workspace) -> str:
    return f"/api/v1/{workspace.slug}/ideas?board=feature-requests&sort=top&limit=20"


async def _etag(client, url: str, headers=None) -> str:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"]


async def test_a_current_copy_of_the_json_list_is_answered_304_with_no_body(session, client):
    workspace, _ = await _scene(session)
    first = await client.get(_json_url(workspace))
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "private, no-cache"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in first.headers["vary"].split(",")}

    again = await client.get(_json_url(workspace), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "private, no-cache"
    assert "Cookie" in again.headers["vary"]
    # Any of several tags, weak or strong, and the wildcard all match.
    listed = await client.get(_json_url(workspace), headers={"If-None-Match": f'"other", {etag.removeprefix("W/")}'})
    assert listed.status_code == 304
    assert (await client.get(_json_url(workspace), headers={"If-None-Match": '"stale"'})).status_code == 200


async def test_votes_comments_edits_and_status_changes_each_change_the_etag(session, client):
    workspace, idea = await _scene(session)
    url = _json_url(workspace)
    voter = await make_user(session)
    seen = [await _etag(client, url)]

    ctx = await context(session, workspace, voter)
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    seen.append(await _etag(client, url))

    from ideaflow.comments import service as comment_service

    await comment_service.add_comment(
        session, ctx, await idea_service.get_idea(session, ctx, idea.number), body="Yes, at night it hurts"
    )
    seen.append(await _etag(client, url))

    owner = await owner_context(session, workspace)
    view = await idea_service.get_idea(session, owner, idea.number)
    await idea_service.update_idea(session, owner, view, title="Dark mode, please")
    seen.append(await _etag(client, url))

    await idea_service.update_idea(session, owner, view, status="planned")
    seen.append(await _etag(client, url))

    await vote_service.remove_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    seen.append(await _etag(client, url))

    await make_idea(session, workspace, title="Export to CSV")
    seen.append(await _etag(client, url))
    assert len(set(seen)) == len(seen)


async def test_renaming_a_status_or_a_tag_changes_the_etag(session, client):
    workspace, _ = await _scene(session)
    url = _json_url(workspace)
    owner = await owner_context(session, workspace)
    tag = await tag_service.create_tag(session, owner, name="mobile", colour="#336699")
    before_rename = await _etag(client, url)
    await tag_service.update_tag(session, owner, tag, name="ios")
    after_tag = await _etag(client, url)
    status = await status_service.get_for_change(session, owner, "open")
    await status_service.update_status(session, owner, status, name="New")
    after_status = await _etag(client, url)
    assert len({before_rename, after_tag, after_status}) == 3


async def test_the_etag_depends_on_the_viewer_and_the_query(session, client):
    workspace, _ = await _scene(session)
    url = _json_url(workspace)
    member = await make_user(session)
    anonymous = await _etag(client, url)
    signed_in = await _etag(client, url, headers=await make_token(session, member))
    other = await _etag(client, url, headers=await make_token(session, await make_user(session)))
    newest = await _etag(client, url.replace("sort=top", "sort=new"))
    assert len({anonymous, signed_in, other, newest}) == 4
    # A copy fetched by one viewer is never confirmed to another.
    response = await client.get(url, headers={"If-None-Match": signed_in})
    assert response.status_code == 200


async def test_a_list_that_just_changed_gets_no_etag_until_it_settles(session, client, monkeypatch):
    workspace, _ = await _scene(session)
    monkeypatch.setattr(get_settings(), "list_etag_settle_seconds", 60)
    response = await client.get(_json_url(workspace))
    assert response.status_code == 200 and "etag" not in response.headers
    assert response.headers["cache-control"] == "private, no-cache"
    later = datetime.now(UTC) + timedelta(seconds=61)
    assert http_cache.is_settled(datetime.now(UTC), now=later)
    assert not http_cache.is_settled(datetime.now(UTC))


async def test_the_board_page_answers_304_and_changes_with_the_session_and_the_ideas(session, client):
    workspace, idea = await _scene(session)
    url = f"/{workspace.slug}/boards/feature-requests"
    page = await client.get(url)
    etag = page.headers["etag"]
    assert "Dark mode please" in page.text
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["vary"].startswith("Authorization, Cookie, HX-Request, HX-Target")

    # The htmx fragment of the same list is a different representation.
    fragment = await client.get(url, headers={"HX-Request": "true", "HX-Target": "idea-list"})
    assert fragment.headers["etag"] != etag

    # Signing in changes the page (the header, the CSRF token it embeds).
    user = await make_user(session, name="Ada")
    await web_sign_in(client, user.email, PASSWORD)
    signed_in = await client.get(url, headers={"If-None-Match": etag})
    assert signed_in.status_code == 200 and "Ada" in signed_in.text
    signed_in_etag = signed_in.headers["etag"]

    ctx = await context(session, workspace, user)
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    after_vote = await client.get(url, headers={"If-None-Match": signed_in_etag})
    assert after_vote.status_code == 200
    assert after_vote.headers["etag"] != signed_in_etag


async def test_the_portal_answers_304_until_an_idea_on_any_board_changes(session, client):
    workspace, idea = await _scene(session)
    url = f"/{workspace.slug}"
    etag = (await client.get(url)).headers["etag"]
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 304
    voter = await make_user(session)
    ctx = await context(session, workspace, voter)
    await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


async def test_a_minute_later_the_html_page_changes_its_etag(session, client, monkeypatch):
    """The page says "3 minutes ago": its ETag cannot outlive the minute."""
    workspace, _ = await _scene(session)
    url = f"/{workspace.slug}/boards/feature-requests"
    etag = (await client.get(url)).headers["etag"]
    monkeypatch.setattr(http_cache, "minute", lambda now=None: datetime(2026, 11, 23, 12, 1, tzinfo=UTC))
    assert (await client.get(url, headers={"If-None-Match": etag})).status_code == 200


async def test_moving_an_idea_to_another_board_changes_the_etag_of_the_board_it_left(session, client):
    workspace, idea = await _scene(session)
    owner = await owner_context(session, workspace)
    await make_idea(session, workspace, title="A newer idea that stays")
    await make_board(session, workspace, slug="later", name="Later")
    url = _json_url(workspace)
    etag = await _etag(client, url)
    view = await idea_service.get_idea(session, owner, idea.number)
    await idea_service.update_idea(session, owner, view, board_slug="later")
    response = await client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert [item["number"] for item in response.json()["items"]] == [idea.number + 1]
