"""The inbox page: what staff see (rows, waited time, counts, response times, the keyboard's dialogs), actions
through htmx (the list swapped with the nav count out of band) and without JavaScript (a redirect back with a
notice), errors beside the form used, the merge-target search and the nav link's count."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ideaflow.tags import service as tag_service
from tests.factories import make_idea, owner_context
from tests.statuses.scene import build_scene, web_client

HTMX = {"HX-Request": "true"}


async def test_staff_see_the_untriaged_ideas_oldest_first_with_how_long_they_waited(session, app):
    scene = await build_scene(session)
    scene.idea.created_at = datetime.now(UTC) - timedelta(days=3, hours=2)
    newer = await make_idea(session, scene.workspace, title="Slack notifications")
    await session.flush()
    staff, _ = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.get(f"/{scene.slug}/admin/triage")
    page = response.text
    assert response.status_code == 200
    assert page.index("Dark mode for the dashboard") < page.index("Slack notifications")
    assert re.search(r'<time datetime="[^"]+">3 days</time>', page)
    assert 'id="inbox-count">2<' in page
    assert "median first response" in page and "90th percentile" in page
    # The nav link carries the count already: no second request for it on this page.
    nav = page[page.index('id="triage-nav"') :].split("</a>")[0]
    assert 'aria-current="page"' in nav and ">2<" in nav and "load," not in nav
    assert '<script src="/static/js/triage.js"' in page
    for dialog in ("dlg-answer", "dlg-tag", "dlg-merge", "dlg-help"):
        assert f'id="{dialog}"' in page
    # Without JavaScript every row still has its own form.
    assert page.count('name="form" value="row"') == 2
    assert f'href="/{scene.slug}/ideas/{newer.number}#staff-panel-title">Respond' in page


async def test_other_pages_load_the_nav_count_with_htmx_and_the_count_endpoint_answers(session, app):
    scene = await build_scene(session)
    staff, _ = await web_client(app, scene, "staff")
    async with staff:
        portal = (await staff.get(f"/{scene.slug}")).text
        nav = portal[portal.index('id="triage-nav"') :].split("</a>")[0]
        assert f'hx-get="/{scene.slug}/admin/triage/count"' in nav and "load, every 60s" in nav
        count = await staff.get(f"/{scene.slug}/admin/triage/count", headers=HTMX)
    assert count.status_code == 200 and count.headers["cache-control"] == "no-store"
    assert count.text.lstrip().startswith('<a id="triage-nav"')
    assert "1 untriaged" in count.text and "load," not in count.text
    member, _ = await web_client(app, scene, "member")
    async with member:
        assert 'id="triage-nav"' not in (await member.get(f"/{scene.slug}")).text


async def test_an_htmx_action_swaps_the_list_and_updates_the_nav_count_out_of_band(session, app):
    scene = await build_scene(session)
    other = await make_idea(session, scene.workspace, title="Slack notifications")
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/admin/triage/actions",
            data={
                "csrf_token": csrf,
                "form": "answer",
                "action": "answer",
                "ideas": [str(scene.idea.number)],
                "status": "planned",
                "response": "Coming in **June**.",
            },
            headers=HTMX,
        )
    body = response.text
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="inbox"')
    assert "Dark mode for the dashboard" not in body and other.title in body
    assert 'id="inbox-count">1<' in body
    assert re.search(r'<a id="triage-nav"[^>]*hx-swap-oob="true" aria-current="page"', body)
    assert f"Idea #{scene.idea.number} set to Planned with a response." in body
    await session.refresh(scene.idea)
    assert scene.idea.status == "planned" and scene.idea.first_response_at is not None


async def test_bulk_actions_without_javascript_redirect_back_with_a_notice(session, app):
    scene = await build_scene(session)
    tag = await tag_service.create_tag(
        session, await owner_context(session, scene.workspace), name="Mobile", colour="#336699"
    )
    second = await make_idea(session, scene.workspace, title="Slack notifications")
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/admin/triage/actions",
            data={
                "csrf_token": csrf,
                "form": "bulk",
                "ideas": [str(scene.idea.number), str(second.number)],
                "status": "",
                "tag": str(tag.id),
                "target": "",
                "action": "tag",
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/{scene.slug}/admin/triage?done=tagged&count=2"
        page = (await staff.get(response.headers["location"])).text
    assert "Done: 2 ideas tagged." in page
    assert page.count(">Mobile</span>") >= 2


async def test_a_bad_action_shows_its_reason_beside_the_form_used(session, app):
    scene = await build_scene(session)
    staff, csrf = await web_client(app, scene, "staff")
    path = f"/{scene.slug}/admin/triage/actions"
    data = {"csrf_token": csrf, "form": "merge", "action": "merge", "ideas": [str(scene.idea.number)], "target": ""}
    async with staff:
        htmx = await staff.post(path, data=data, headers=HTMX)
        plain = await staff.post(path, data={**data, "form": "bulk"})
        unknown = await staff.post(path, data={**data, "target": "", "ideas": ["123456"], "action": "answer",
                                                "status": "planned"}, headers=HTMX)  # fmt: skip
    assert htmx.status_code == 422
    assert htmx.headers["HX-Retarget"] == "#merge-error" and htmx.headers["HX-Reswap"] == "innerHTML"
    assert "target: choose the idea to merge into" in htmx.text and "<div" not in htmx.text
    assert plain.status_code == 422 and "choose the idea to merge into" in plain.text and "<html" in plain.text
    assert unknown.status_code == 404 and "#123456" in unknown.text
    await session.refresh(scene.idea)
    assert scene.idea.merged_into_id is None


async def test_the_merge_search_lists_targets_as_staff_type(session, app):
    scene = await build_scene(session)
    dup = await make_idea(session, scene.workspace, title="Dark theme please")
    staff, _ = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.get(
            f"/{scene.slug}/admin/triage/targets", params={"q": "dark", "ideas": [str(dup.number)]}, headers=HTMX
        )
        none = await staff.get(f"/{scene.slug}/admin/triage/targets", params={"q": "zebra"}, headers=HTMX)
    assert response.status_code == 200
    assert f'name="target" value="{scene.idea.number}" checked' in response.text
    assert "Dark theme please" not in response.text
    assert "No idea matches “zebra”." in none.text


async def test_ideas_awaiting_approval_have_their_own_tab_and_approve_moves_them_to_the_inbox(session, app):
    from ideaflow.ideas.models import ModerationState

    scene = await build_scene(session)
    held = await make_idea(session, scene.workspace, title="Held for moderation")
    held.moderation_state = ModerationState.pending
    await session.flush()
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        untriaged = (await staff.get(f"/{scene.slug}/admin/triage")).text
        assert "Held for moderation" not in untriaged
        pending = (await staff.get(f"/{scene.slug}/admin/triage?view=pending")).text
        assert "Held for moderation" in pending and "Dark mode for the dashboard" not in pending
        assert 'name="action" value="approve">Approve' in pending
        response = await staff.post(
            f"/{scene.slug}/admin/triage/actions",
            data={
                "csrf_token": csrf,
                "form": "row",
                "view": "pending",
                "action": "approve",
                "ideas": [str(held.number)],
            },
            headers=HTMX,
        )
    assert response.status_code == 200
    assert "Nothing awaits approval" in response.text
    assert f"Approved idea #{held.number}." in response.text
    assert re.search(r'<a id="triage-nav"[^>]*hx-swap-oob="true"[^>]*>.*?>2<', response.text, re.S)
