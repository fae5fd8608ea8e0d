"""The idea page for triage: the pinned official response and the timeline for everyone, the staff status form
(with and without JavaScript), response edits with their history page, and the admins' status settings page."""

from __future__ import annotations

import re

from ideaflow.statuses import service as status_service
from tests.statuses.scene import build_scene, web_client


async def test_staff_change_the_status_with_a_response_without_javascript(session, app):
    scene = await build_scene(session)
    staff, csrf = await web_client(app, scene, "staff")
    page_url = f"/{scene.slug}/ideas/{scene.idea.number}"
    async with staff:
        form = (await staff.get(page_url)).text
        assert f'action="{page_url}/status"' in form
        response = await staff.post(
            f"{page_url}/status", data={"status": "planned", "response": "Planned for **June**.", "csrf_token": csrf}
        )
        assert response.status_code == 303 and response.headers["location"] == page_url
    anonymous, _ = await web_client(app, scene, "anonymous")
    async with anonymous:
        page = (await anonymous.get(page_url)).text
    pinned = page.index('class="official"')
    assert "Official response" in page and "<strong>June</strong>" in page[pinned:]
    assert "Sam Staff" in page[pinned : pinned + 800]
    assert re.search(r'data-status="planned">.*Planned</span>', page)
    assert "changed the status" in page and 'data-status="open"' in page
    # Customers never see the triage controls.
    assert "Update status" not in page


async def test_the_htmx_status_form_swaps_the_triage_block(session, app):
    scene = await build_scene(session)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/ideas/{scene.idea.number}/status",
            data={"status": "shipped", "response": "Live!", "csrf_token": csrf},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="triage"')
    assert "<html" not in response.text
    assert 'data-status="shipped"' in response.text and "Live!" in response.text
    # Shipped takes no votes: the vote button in the swapped block says so.
    assert "voting closed" in response.text


async def test_an_unknown_status_re_renders_the_form_with_the_message_and_the_typed_response(session, app):
    scene = await build_scene(session)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/ideas/{scene.idea.number}/status",
            data={"status": "someday", "response": "My careful answer", "csrf_token": csrf},
        )
    assert response.status_code == 422
    assert "is not a status of this workspace" in response.text
    assert "My careful answer" in response.text
    await session.refresh(scene.idea)
    assert scene.idea.status == "open"


async def test_an_edited_response_says_so_and_links_its_history(session, app):
    scene = await build_scene(session)
    answer = await status_service.post_response(
        session, workspace_id=scene.workspace.id, idea=scene.idea, actor_id=scene.users["staff"].id, body="First words"
    )
    staff, csrf = await web_client(app, scene, "staff")
    url = f"/{scene.slug}/ideas/{scene.idea.number}"
    async with staff:
        edited = await staff.post(f"{url}/responses/{answer.id}", data={"response": "Better words", "csrf_token": csrf})
        assert edited.status_code == 303
        page = (await staff.get(url)).text
        assert "Better words" in page and f"{url}/responses/{answer.id}" in page and "edited" in page
    anonymous, _ = await web_client(app, scene, "anonymous")
    async with anonymous:
        history = await anonymous.get(f"{url}/responses/{answer.id}")
    assert history.status_code == 200
    assert history.text.index("Better words") < history.text.index("First words")


async def test_admins_add_and_remove_statuses_on_the_settings_page(session, app):
    scene = await build_scene(session)
    await status_service.set_status(
        session, workspace_id=scene.workspace.id, idea=scene.idea, status_key="declined", actor_id=None
    )
    admin, csrf = await web_client(app, scene, "admin")
    base = f"/{scene.slug}/settings/statuses"
    async with admin:
        page = await admin.get(base)
        assert page.status_code == 200 and "Under review" in page.text and "1 idea" in page.text
        bad = await admin.post(base, data={"name": "", "colour": "#112233", "category": "open", "csrf_token": csrf})
        assert bad.status_code == 422 and "Name is required" in bad.text
        created = await admin.post(
            base, data={"name": "Needs info", "colour": "#112233", "category": "open", "csrf_token": csrf}
        )
        assert created.status_code == 303
        assert "Needs info" in (await admin.get(base)).text
        refused = await admin.post(f"{base}/declined/delete", data={"csrf_token": csrf})
        assert refused.status_code == 409
        assert "1 idea uses this status: choose a status to move them to." in refused.text
        moved = await admin.post(f"{base}/declined/delete", data={"replacement": "needs_info", "csrf_token": csrf})
        assert moved.status_code == 303
    await session.refresh(scene.idea)
    assert scene.idea.status == "needs_info"


async def test_the_board_status_filter_lists_the_workspace_statuses(session, app):
    scene = await build_scene(session)
    anonymous, _ = await web_client(app, scene, "anonymous")
    await status_service.set_status(
        session, workspace_id=scene.workspace.id, idea=scene.idea, status_key="in_progress", actor_id=None
    )
    async with anonymous:
        page = (await anonymous.get(f"/{scene.slug}", params={"status": "in_progress"})).text
        empty = (await anonymous.get(f"/{scene.slug}", params={"status": "shipped"})).text
        unknown = await anonymous.get(f"/{scene.slug}", params={"status": "someday"})
    assert '<option value="in_progress" selected>In progress</option>' in page
    assert scene.idea.title in page
    assert scene.idea.title not in empty and "No ideas are shipped" in empty
    assert unknown.status_code == 200 and scene.idea.title in unknown.text


async def test_the_idea_page_costs_the_same_queries_however_long_its_history(session, app, database):
    from ideaflow.comments import service as comment_service
    from ideaflow.ideas import service as idea_service
    from ideaflow.tags import service as tag_service
    from tests.factories import make_idea, owner_context
    from tests.test_query_counts import counting

    scene = await build_scene(session)
    ctx = await owner_context(session, scene.workspace)
    busy = await make_idea(session, scene.workspace, title="An idea with a long history")
    for n, key in enumerate(["under_review", "planned", "in_progress", "planned", "in_progress", "shipped"]):
        await status_service.set_status(
            session, workspace_id=scene.workspace.id, idea=busy, status_key=key, actor_id=ctx.user.id, response=f"R{n}"
        )
    view = await idea_service.get_idea(session, ctx, busy.number)
    for n in range(4):
        tag = await tag_service.create_tag(session, ctx, name=f"Tag {n}", colour="#123456")
        await tag_service.tag_idea(session, ctx, busy, tag)
        await comment_service.add_note(session, ctx, view, body=f"Note {n}")
    staff, _ = await web_client(app, scene, "staff")
    async with staff:
        counts = []
        for number in (scene.idea.number, busy.number):
            await staff.get(f"/{scene.slug}/ideas/{number}")
            with counting(database) as statements:
                page = await staff.get(f"/{scene.slug}/ideas/{number}")
            assert page.status_code == 200
            counts.append(len(statements))
    assert counts[0] == counts[1]
