"""The moderation API: the queue, decisions, settings and blocks, with the shared error shape for every
refusal; and what customers get from the public API while content waits, is rejected or is hidden."""

from __future__ import annotations

from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.moderation import service
from tests.factories import make_idea, make_token, make_user
from tests.moderation.helpers import audit_actions, ctx_of, events, premoderate
from tests.statuses.scene import build_scene


async def test_queue_lists_pending_ideas_and_comments_oldest_first_with_why(session, client):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    author = await make_user(session, name="Pat Poster")
    first = await make_idea(session, ws, author=author, title="First waiting idea")
    links = " ".join(f"https://x{n}.example.com" for n in range(5))
    await premoderate(session, ws, ideas=False, comments=False)
    second = await make_idea(session, ws, title="Second waiting idea", body=links)
    await premoderate(session, ws)
    ctx = await ctx_of(session, ws, author)
    view = await idea_service.get_idea(session, ctx, scene.idea.number)
    comment = await comment_service.add_comment(session, ctx, view, body="A comment to review")

    response = await client.get(
        f"/api/v1/{ws.slug}/moderation/queue", headers=await make_token(session, scene.users["staff"])
    )
    assert response.status_code == 200
    body = response.json()
    assert [(i["number"], i["queued_because"]) for i in body["ideas"]] == [
        (first.number, "Pre-moderation"),
        (second.number, service.SIGNAL_LINKS),
    ]
    assert body["ideas"][0]["author"] == {"id": author.id, "name": "Pat Poster"}
    assert [(c["id"], c["idea_number"], c["body"]) for c in body["comments"]] == [
        (comment.id, scene.idea.number, "A comment to review")
    ]


async def test_approve_and_reject_through_the_api(session, client):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    customer = await make_user(session)
    customer_headers = await make_token(session, customer)
    created = await client.post(
        f"/api/v1/{ws.slug}/ideas",
        json={"board": "feature-requests", "title": "Offline mode for the app", "body": "Trains have no signal"},
        headers=customer_headers,
    )
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    # The author can read it; nobody else can, and it is in nobody's list.
    assert (await client.get(f"/api/v1/{ws.slug}/ideas/{number}", headers=customer_headers)).status_code == 200
    other = await make_token(session, scene.users["member"])
    missing = await client.get(f"/api/v1/{ws.slug}/ideas/{number}", headers=other)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    listed = await client.get(f"/api/v1/{ws.slug}/ideas", params={"q": "offline"}, headers=other)
    assert listed.json()["items"] == []

    staff = await make_token(session, scene.users["staff"])
    url = f"/api/v1/{ws.slug}/moderation/ideas/{number}"
    no_reason = await client.post(f"{url}/reject", json={"reason": ""}, headers=staff)
    assert no_reason.status_code == 422
    assert no_reason.json()["error"] == "invalid" and "reason" in no_reason.json()["fields"]
    blank = await client.post(f"{url}/reject", json={"reason": "   "}, headers=staff)
    assert blank.status_code == 422 and blank.json()["fields"] == {"reason": "is required: the author sees it"}

    rejected = await client.post(f"{url}/reject", json={"reason": "Already planned, see #1"}, headers=staff)
    assert rejected.status_code == 200
    assert rejected.json()["moderation_state"] == "rejected"
    assert rejected.json()["moderation_reason"] == "Already planned, see #1"
    again = await client.post(f"{url}/reject", json={"reason": "Twice"}, headers=staff)
    assert again.status_code == 409
    assert again.json() == {
        "error": "conflict",
        "detail": "Only ideas waiting for approval can be rejected.",
        "fields": {"idea": "is rejected, not pending"},
    }

    approved = await client.post(f"{url}/approve", headers=staff)
    assert approved.status_code == 200 and approved.json()["moderation_state"] == "approved"
    assert (await client.get(f"/api/v1/{ws.slug}/ideas/{number}", headers=other)).status_code == 200
    assert (await client.post(f"/api/v1/{ws.slug}/moderation/ideas/99999/approve", headers=staff)).status_code == 404


async def test_comment_decisions_through_the_api(session, client):
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws, ideas=False, comments=True)
    customer = await make_user(session)
    headers = await make_token(session, customer)
    posted = await client.post(
        f"/api/v1/{ws.slug}/ideas/{scene.idea.number}/comments", json={"body": "Me too, please"}, headers=headers
    )
    assert posted.status_code == 201
    comment_id = posted.json()["id"]
    public = await client.get(f"/api/v1/{ws.slug}/ideas/{scene.idea.number}/comments")
    assert public.json() == []
    mine = await client.get(f"/api/v1/{ws.slug}/ideas/{scene.idea.number}/comments", headers=headers)
    assert [c["id"] for c in mine.json()] == [comment_id]

    staff = await make_token(session, scene.users["staff"])
    url = f"/api/v1/{ws.slug}/moderation/comments/{comment_id}"
    assert (await client.post(f"{url}/reject", json={}, headers=staff)).json()["fields"] == {"reason": "Field required"}
    ok = await client.post(f"{url}/approve", headers=staff)
    assert ok.status_code == 200 and ok.json() == {
        "kind": "comment",
        "id": comment_id,
        "number": None,
        "moderation_state": "approved",
        "moderation_reason": None,
    }
    public = await client.get(f"/api/v1/{ws.slug}/ideas/{scene.idea.number}/comments")
    assert [c["id"] for c in public.json()] == [comment_id]
    gone = await client.post(f"/api/v1/{ws.slug}/moderation/comments/123456789/approve", headers=staff)
    assert gone.status_code == 404 and gone.json()["error"] == "not_found"


async def test_settings_api_for_admins(session, client):
    scene = await build_scene(session)
    admin = await make_token(session, scene.users["admin"])
    url = f"/api/v1/{scene.slug}/moderation/settings"
    assert (await client.get(url, headers=admin)).json() == {
        "premoderate_ideas": False,
        "premoderate_comments": False,
        "spam_signals": True,
    }
    changed = await client.put(url, json={"premoderate_comments": True}, headers=admin)
    assert changed.json() == {"premoderate_ideas": False, "premoderate_comments": True, "spam_signals": True}
    bad = await client.put(url, json={"spam_signals": "maybe"}, headers=admin)
    assert bad.status_code == 422 and "spam_signals" in bad.json()["fields"]
    assert ("moderation_settings.updated", scene.workspace.id) in await audit_actions(session, scene.workspace)


async def test_block_and_unblock_through_the_api(session, client):
    scene = await build_scene(session)
    ws = scene.workspace
    staff = await make_token(session, scene.users["staff"])
    member = scene.users["member"]
    someone_elses = await make_idea(session, ws, title="Somebody else's idea")
    url = f"/api/v1/{ws.slug}/moderation/blocks"

    both = await client.post(url, json={"user_id": member.id, "email": member.email}, headers=staff)
    assert both.status_code == 422 and both.json()["error"] == "invalid"
    neither = await client.post(url, json={"reason": "x"}, headers=staff)
    assert neither.status_code == 422
    nobody = await client.post(url, json={"email": "ghost@example.com"}, headers=staff)
    assert nobody.status_code == 404 and nobody.json()["fields"] == {"email": "has no ideaflow account"}
    colleague = await client.post(url, json={"user_id": scene.users["admin"].id}, headers=staff)
    assert colleague.status_code == 409 and colleague.json()["fields"] == {"user": "is staff of this workspace"}

    blocked = await client.post(url, json={"user_id": member.id, "reason": "Spam", "hide_content": True}, headers=staff)
    assert blocked.status_code == 201, blocked.text
    assert blocked.json()["user"] == {"id": member.id, "name": "Mia Member"}
    assert blocked.json()["hide_content"] is True and blocked.json()["blocked_by"]["name"] == "Sam Staff"
    assert [b["user"]["id"] for b in (await client.get(url, headers=staff)).json()] == [member.id]

    member_headers = await make_token(session, member)
    refused = await client.post(
        f"/api/v1/{ws.slug}/ideas",
        json={"board": "feature-requests", "title": "Let me back in"},
        headers=member_headers,
    )
    assert refused.status_code == 403 and refused.json()["error"] == "blocked"
    comment = await client.post(
        f"/api/v1/{ws.slug}/ideas/{someone_elses.number}/comments", json={"body": "Hello?"}, headers=member_headers
    )
    assert comment.status_code == 403 and comment.json()["error"] == "blocked"
    # Their hidden idea is gone for customers.
    assert (await client.get(f"/api/v1/{ws.slug}/ideas/{scene.idea.number}")).status_code == 404

    assert (await client.delete(f"{url}/{member.id}", headers=staff)).status_code == 204
    assert (await client.get(f"/api/v1/{ws.slug}/ideas/{scene.idea.number}")).status_code == 200
    again = await client.delete(f"{url}/{member.id}", headers=staff)
    assert again.status_code == 404 and again.json()["fields"] == {"user_id": "is not blocked"}


async def test_no_created_events_for_content_that_waits(session, client):
    """Emails, webhooks and auto-follows all start from these events: none may exist before approval."""
    scene = await build_scene(session)
    ws = scene.workspace
    await premoderate(session, ws)
    customer = await make_user(session)
    headers = await make_token(session, customer)
    posted = await client.post(
        f"/api/v1/{ws.slug}/ideas", json={"board": "feature-requests", "title": "Waiting idea"}, headers=headers
    )
    assert posted.status_code == 201
    await client.post(
        f"/api/v1/{ws.slug}/ideas/{scene.idea.number}/comments", json={"body": "Waiting comment"}, headers=headers
    )
    assert [e.payload["idea_id"] for e in await events(session, ws, "idea.created")] == [scene.idea.id]
    assert await events(session, ws, "comment.created") == []
