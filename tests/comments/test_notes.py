"""Internal notes: staff write and read them on the idea page and through the API; they are visually distinct;
and they never reach anyone else: not the HTML pages, not the comments API, not the comment count, and not the
outbox (a note emits `note.created`, never `comment.created`)."""

from __future__ import annotations

from sqlalchemy import select

from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.outbox.models import OutboxEvent
from tests.factories import context
from tests.statuses.scene import api_headers, build_scene, web_client

SECRET = "Acme Bank is about to churn over this"


async def _scene_with_note(session):
    scene = await build_scene(session)
    ctx = await context(session, scene.workspace, scene.users["staff"])
    view = await idea_service.get_idea(session, ctx, scene.idea.number)
    note = await comment_service.add_note(session, ctx, view, body=SECRET)
    return scene, note


async def test_a_note_emits_note_created_and_never_comment_created(session):
    scene, note = await _scene_with_note(session)
    events = (
        await session.execute(
            select(OutboxEvent.type, OutboxEvent.payload).where(OutboxEvent.workspace_id == scene.workspace.id)
        )
    ).all()
    types = [t for t, _ in events]
    assert "comment.created" not in types
    [payload] = [p for t, p in events if t == "note.created"]
    assert payload == {
        "comment_id": note.id,
        "idea_id": scene.idea.id,
        "number": scene.idea.number,
        "actor_id": scene.users["staff"].id,
    }
    assert SECRET not in str(payload)
    await session.refresh(scene.idea)
    assert scene.idea.comment_count == 0


async def test_only_staff_see_notes_on_the_idea_page(session, app):
    scene, note = await _scene_with_note(session)
    url = f"/{scene.slug}/ideas/{scene.idea.number}"
    for persona in ("anonymous", "member", "other_staff"):
        client, _ = await web_client(app, scene, persona)
        async with client:
            page = await client.get(url)
            assert page.status_code == 200
            assert SECRET not in page.text and "Internal notes" not in page.text, persona
            # The note's own URLs do not exist for them either.
            assert (await client.get(f"/{scene.slug}/comments/{note.id}/edit")).status_code in (303, 404)
    staff, _ = await web_client(app, scene, "staff")
    async with staff:
        page = (await staff.get(url)).text
    notes = page[page.index('id="notes"') :]
    assert SECRET in notes and "Staff only" in notes and 'class="note"' in notes
    assert SECRET not in page[: page.index('id="notes"')]


async def test_notes_stay_out_of_the_comments_api_and_the_count(session, client):
    scene, note = await _scene_with_note(session)
    url = f"/api/v1/{scene.slug}/ideas/{scene.idea.number}"
    for persona in ("anonymous", "member", "staff", "admin"):
        headers = await api_headers(session, scene, persona)
        comments = await client.get(f"{url}/comments", headers=headers)
        assert comments.status_code == 200 and SECRET not in comments.text
        idea = (await client.get(url, headers=headers)).json()
        assert idea["comment_count"] == 0 and SECRET not in str(idea)
        listing = await client.get(f"/api/v1/{scene.slug}/ideas", headers=headers)
        assert SECRET not in listing.text
    member = await api_headers(session, scene, "member")
    assert (await client.get(f"{url}/notes", headers=member)).status_code == 403
    assert (
        await client.patch(f"/api/v1/{scene.slug}/comments/{note.id}", json={"body": "x"}, headers=member)
    ).status_code == 404
    assert (await client.delete(f"/api/v1/{scene.slug}/comments/{note.id}", headers=member)).status_code == 404
    staff = await api_headers(session, scene, "staff")
    notes = (await client.get(f"{url}/notes", headers=staff)).json()
    assert [(n["body"], n["internal"]) for n in notes] == [(SECRET, True)]


async def test_a_public_reply_cannot_hang_off_a_note(session, client):
    scene, note = await _scene_with_note(session)
    staff = await api_headers(session, scene, "staff")
    reply = await client.post(
        f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/comments",
        json={"body": "Replying in public", "parent_id": note.id},
        headers=staff,
    )
    assert reply.status_code == 422 and reply.json()["fields"] == {"parent_id": "is not a comment on this idea"}


async def test_staff_add_and_remove_notes_from_the_page_with_htmx(session, app):
    scene = await build_scene(session)
    staff, csrf = await web_client(app, scene, "staff")
    url = f"/{scene.slug}/ideas/{scene.idea.number}"
    async with staff:
        added = await staff.post(
            f"{url}/notes", data={"body": "Ask **sales**", "csrf_token": csrf}, headers={"HX-Request": "true"}
        )
        assert added.status_code == 200
        assert added.text.lstrip().startswith('<section id="notes"') and "<strong>sales</strong>" in added.text
        empty = await staff.post(
            f"{url}/notes", data={"body": "  ", "csrf_token": csrf}, headers={"HX-Request": "true"}
        )
        assert empty.status_code == 422 and "is required" in empty.text
        [note] = await comment_service.notes(
            session,
            await context(session, scene.workspace, scene.users["staff"]),
            await idea_service.get_idea(
                session, await context(session, scene.workspace, scene.users["staff"]), scene.idea.number
            ),
        )
        removed = await staff.post(f"/{scene.slug}/comments/{note.comment.id}/delete", data={"csrf_token": csrf})
        assert removed.status_code == 303
        assert "Ask <strong>sales</strong>" not in (await staff.get(url)).text
    await session.refresh(scene.idea)
    assert scene.idea.comment_count == 0
