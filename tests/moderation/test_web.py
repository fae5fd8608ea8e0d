"""The moderation pages (queue with htmx and without, settings, blocked users), the idea page's notices and
staff controls, and every customer channel keeping unpublished content out: HTML pages, the API, search,
Atom feeds and the embedded widget."""

from __future__ import annotations

import feedparser
import httpx
import pytest

from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.moderation import service
from ideaflow.moderation.models import ModerationState
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, make_idea, make_user, owner_context
from tests.moderation.helpers import audit_actions, ctx_of, premoderate
from tests.statuses.scene import _Client, build_scene, web_client
from tests.widget.helpers import make_widget_workspace

HX = {"HX-Request": "true"}


async def _signed_in(app, user):
    """A client signed in as any user (not one of the scene's personas), and its CSRF token."""
    client = _Client(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    return client, await web_sign_in(client, user.email, PASSWORD)


async def test_queue_page_approves_in_place_with_htmx_and_by_plain_form(session, app):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    first = await make_idea(session, ws, author=await make_user(session, name="Fay First"), title="First queued idea")
    second = await make_idea(session, ws, title="Second queued idea")
    client, csrf = await web_client(app, scene, "staff")
    async with client:
        page = await client.get(f"/{ws.slug}/admin/moderation")
        assert page.status_code == 200
        text = page.text
        assert text.index("First queued idea") < text.index("Second queued idea")
        assert "Fay First" in text and "Pre-moderation" in text
        assert f'action="/{ws.slug}/admin/moderation/ideas/{first.number}/approve"' in text
        assert 'name="premoderate_ideas"' not in text  # the settings are for admins

        swapped = await client.post(
            f"/{ws.slug}/admin/moderation/ideas/{first.number}/approve", data={"csrf_token": csrf}, headers=HX
        )
        assert swapped.status_code == 200
        assert swapped.text.lstrip().startswith('<div id="moderation-queue"')
        assert "<html" not in swapped.text
        assert "Approved idea #" in swapped.text and "First queued idea" not in swapped.text
        assert "Second queued idea" in swapped.text

        plain = await client.post(
            f"/{ws.slug}/admin/moderation/ideas/{second.number}/approve", data={"csrf_token": csrf}
        )
        assert plain.status_code == 303 and plain.headers["location"] == f"/{ws.slug}/admin/moderation"
        assert "Nothing waiting for approval" in (await client.get(f"/{ws.slug}/admin/moderation")).text
    await session.refresh(second)
    assert second.moderation_state == ModerationState.approved


async def test_rejecting_asks_for_a_reason_with_and_without_javascript(session, app):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    idea = await make_idea(session, ws, title="An idea to turn down")
    url = f"/{ws.slug}/admin/moderation/ideas/{idea.number}/reject"
    client, csrf = await web_client(app, scene, "staff")
    async with client:
        plain = await client.post(url, data={"csrf_token": csrf, "reason": ""})
        assert plain.status_code == 422
        assert "Reason is required: the author sees it" in plain.text and "<html" in plain.text
        fragment = await client.post(url, data={"csrf_token": csrf, "reason": ""}, headers=HX)
        assert fragment.status_code == 422 and "<html" not in fragment.text
        assert 'aria-invalid="true"' in fragment.text
        done = await client.post(url, data={"csrf_token": csrf, "reason": "Please search before posting"})
        assert done.status_code == 303
    await session.refresh(idea)
    assert idea.moderation_state == ModerationState.rejected


async def test_the_author_sees_waiting_then_the_reason_and_others_see_nothing(session, app):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    author = await make_user(session)
    idea = await make_idea(session, ws, author=author, title="Bulk edit for tags")
    url = f"/{ws.slug}/ideas/{idea.number}"
    client, _ = await _signed_in(app, author)
    async with client:
        page = await client.get(url)
        assert page.status_code == 200 and "Waiting for approval" in page.text
        staff = await ctx_of(session, ws, scene.users["staff"])
        await service.reject_idea(session, staff, idea=idea, reason="Duplicate of #1")
        page = await client.get(url)
        assert "Not published:" in page.text and "Duplicate of #1" in page.text
    other, _ = await web_client(app, scene, "member")
    async with other:
        assert (await other.get(url)).status_code == 404
    anonymous, _ = await web_client(app, scene, "anonymous")
    async with anonymous:
        assert (await anonymous.get(url)).status_code == 404


async def test_staff_approve_from_the_idea_page(session, app):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    idea = await make_idea(session, ws, title="Approve me from the page")
    client, csrf = await web_client(app, scene, "staff")
    async with client:
        page = await client.get(f"/{ws.slug}/ideas/{idea.number}")
        assert "Customers cannot see this idea until it is approved" in page.text
        assert f'action="/{ws.slug}/admin/moderation/ideas/{idea.number}/approve"' in page.text
        refused = await client.post(
            f"/{ws.slug}/admin/moderation/ideas/{idea.number}/reject",
            data={"csrf_token": csrf, "reason": "", "next": "idea"},
        )
        assert refused.status_code == 422 and "is required: the author sees it" in refused.text
        done = await client.post(
            f"/{ws.slug}/admin/moderation/ideas/{idea.number}/approve", data={"csrf_token": csrf, "next": "idea"}
        )
        assert done.status_code == 303 and done.headers["location"] == f"/{ws.slug}/ideas/{idea.number}"
        page = await client.get(f"/{ws.slug}/ideas/{idea.number}")
        assert "Waiting for approval" not in page.text and 'id="moderation"' not in page.text


async def test_admin_changes_the_settings_on_the_queue_page(session, app):
    scene = await build_scene(session)
    client, csrf = await web_client(app, scene, "admin")
    async with client:
        page = await client.get(f"/{scene.slug}/admin/moderation")
        assert 'name="premoderate_ideas"' in page.text and 'name="spam_signals" aria-describedby' in page.text
        saved = await client.post(
            f"/{scene.slug}/admin/moderation/settings",
            data={"csrf_token": csrf, "premoderate_comments": "on"},
        )
        assert saved.status_code == 303
    admin = await owner_context(session, scene.workspace)
    assert await service.get_policy(session, admin) == service.Policy(False, True, False)


async def test_block_from_the_blocked_page_and_from_a_queue_item_then_unblock(session, app):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    spammer = await make_user(session, name="Sid Spammer")
    await make_idea(session, ws, author=spammer, title="Cheap pills")
    troll = await make_user(session, name="Tom Troll", email="tom@example.com")
    client, csrf = await web_client(app, scene, "staff")
    async with client:
        queue = await client.get(f"/{ws.slug}/admin/moderation")
        assert f'name="user_id" value="{spammer.id}"' in queue.text
        from_queue = await client.post(
            f"/{ws.slug}/admin/moderation/blocked",
            data={"csrf_token": csrf, "user_id": str(spammer.id), "content": "keep", "next": "queue"},
        )
        assert from_queue.status_code == 303 and from_queue.headers["location"] == f"/{ws.slug}/admin/moderation"
        assert "Author blocked" in (await client.get(f"/{ws.slug}/admin/moderation")).text

        missing = await client.post(
            f"/{ws.slug}/admin/moderation/blocked", data={"csrf_token": csrf, "email": "", "content": "hide"}
        )
        assert missing.status_code == 422 and "Their account&#39;s email is required" in missing.text
        no_choice = await client.post(
            f"/{ws.slug}/admin/moderation/blocked", data={"csrf_token": csrf, "email": "tom@example.com"}
        )
        assert no_choice.status_code == 422 and "choose whether to hide or keep" in no_choice.text
        by_email = await client.post(
            f"/{ws.slug}/admin/moderation/blocked",
            data={"csrf_token": csrf, "email": "tom@example.com", "content": "hide", "reason": "Insults"},
        )
        assert by_email.status_code == 303
        listing = await client.get(f"/{ws.slug}/admin/moderation/blocked")
        assert "Tom Troll" in listing.text and "Sid Spammer" in listing.text and "Insults" in listing.text
        unblocked = await client.post(
            f"/{ws.slug}/admin/moderation/blocked/{troll.id}/unblock", data={"csrf_token": csrf}
        )
        assert unblocked.status_code == 303
        assert "Tom Troll" not in (await client.get(f"/{ws.slug}/admin/moderation/blocked")).text
    actions = [a for a, _ in await audit_actions(session, ws) if a.startswith("user.")]
    assert actions == ["user.blocked", "user.blocked", "user.unblocked"]


async def test_a_blocked_user_gets_a_clear_message_on_the_comment_form(session, app):
    scene = await build_scene(session)
    ws = scene.workspace
    other_idea = await make_idea(session, ws, title="Somebody else's idea")
    staff = await ctx_of(session, ws, scene.users["staff"])
    await service.block_user(session, staff, user_id=scene.users["member"].id)
    client, csrf = await web_client(app, scene, "member")
    async with client:
        response = await client.post(
            f"/{ws.slug}/ideas/{other_idea.number}/comments", data={"csrf_token": csrf, "body": "Hi"}
        )
        assert response.status_code == 403 and "You have been blocked in this workspace" in response.text


# ---------------------------------------------------------------- every channel keeps unpublished content out


@pytest.mark.parametrize("state", ["pending", "rejected", "hidden"])
async def test_unpublished_ideas_reach_no_customer_channel(session, app, client, state):
    scene = await build_scene(session)
    ws = scene.workspace
    author = await make_user(session)
    if state == "hidden":
        idea = await make_idea(session, ws, author=author, title="Quokka secret roadmap")
        await service.block_user(session, await owner_context(session, ws), user_id=author.id, hide_content=True)
    else:
        await premoderate(session, ws)
        idea = await make_idea(session, ws, author=author, title="Quokka secret roadmap")
        if state == "rejected":
            await service.reject_idea(session, await owner_context(session, ws), idea=idea, reason="No")
    assert idea.moderation_state == state
    urls = [
        f"/{ws.slug}",
        f"/{ws.slug}/boards/feature-requests",
        f"/{ws.slug}/boards/feature-requests?q=quokka",
        f"/api/v1/{ws.slug}/ideas",
        f"/api/v1/{ws.slug}/ideas?q=quokka",
        f"/api/v1/{ws.slug}/ideas/similar?title=quokka",
    ]
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert "Quokka" not in response.text, url
    for url in (f"/{ws.slug}/ideas/{idea.number}", f"/api/v1/{ws.slug}/ideas/{idea.number}"):
        assert (await client.get(url)).status_code == 404, url
    feed = feedparser.parse((await client.get(f"/{ws.slug}/boards/feature-requests/feed.atom")).content)
    assert "Quokka secret roadmap" not in [e.title for e in feed.entries]
    assert (await client.get(f"/{ws.slug}/ideas/{idea.number}/feed.atom")).status_code == 404


async def test_the_widget_shows_no_unpublished_idea(session, client):
    setup = await make_widget_workspace(session)
    await premoderate(session, setup.workspace)
    idea = await make_idea(session, setup.workspace, title="Wombat waiting room")
    page = await client.get(f"/embed/{setup.workspace.slug}?sort=new")
    assert page.status_code == 200 and "Wombat" not in page.text
    assert (await client.get(f"/embed/{setup.workspace.slug}/ideas/{idea.number}")).status_code == 404


async def test_unpublished_comments_stay_out_of_the_idea_feed_and_the_page(session, app, client):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws, ideas=False, comments=True)
    customer = await make_user(session)
    ctx = await ctx_of(session, ws, customer)
    view = await idea_service.get_idea(session, ctx, scene.idea.number)
    await comment_service.add_comment(session, ctx, view, body="Platypus comment waiting")
    feed = await client.get(f"/{ws.slug}/ideas/{scene.idea.number}/feed.atom")
    assert feed.status_code == 200 and "Platypus" not in feed.text
    page = await client.get(f"/{ws.slug}/ideas/{scene.idea.number}")
    assert "Platypus" not in page.text and "0 comments" in page.text
    mine, _ = await _signed_in(app, customer)
    async with mine:
        assert "Platypus comment waiting" in (await mine.get(f"/{ws.slug}/ideas/{scene.idea.number}")).text


async def test_the_queue_page_costs_the_same_queries_for_2_and_12_waiting_items(database, session, app):
    from tests.test_query_counts import counting

    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)

    async def fill(n: int) -> None:
        for i in range(n):
            author = await make_user(session)
            idea = await make_idea(session, ws, author=author, title=f"Queued idea number {i} {n}")
            ctx = await ctx_of(session, ws, author)
            view = await idea_service.get_idea(session, ctx, idea.number)
            await comment_service.add_comment(session, ctx, view, body=f"Queued comment {i} {n}")

    client, _ = await web_client(app, scene, "admin")
    async with client:
        await fill(1)
        assert (await client.get(f"/{ws.slug}/admin/moderation")).status_code == 200
        with counting(database) as few:
            await client.get(f"/{ws.slug}/admin/moderation")
        await fill(5)
        with counting(database) as many:
            page = await client.get(f"/{ws.slug}/admin/moderation")
    assert page.text.count('id="queued-idea-') == 6 and page.text.count('id="queued-comment-') == 6
    assert len(few) == len(many), "\n".join(many)
