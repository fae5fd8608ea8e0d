"""Merge pages: the staff merge form without JavaScript and with htmx (the #triage swap and the banner out of
band), the search-as-you-type results, unmerge from either idea, the redirect of a merged idea's page for
customers (and ?stay=1 to read its comments), and the banners."""

from __future__ import annotations

import re

from sqlalchemy import select

from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.merges import service as merge_service
from tests.factories import context, make_idea, owner_context
from tests.merges.helpers import stored, vote, votes_on
from tests.statuses.scene import build_scene, web_client


async def merged_into(session, idea: Idea) -> int | None:
    return await session.scalar(select(Idea.merged_into_id).where(Idea.id == idea.id))


async def _pair(session):
    scene = await build_scene(session)
    y = await make_idea(session, scene.workspace, title="Night theme for every page")
    return scene, scene.idea, y


async def _merge(session, scene, x, y):
    ctx = await owner_context(session, scene.workspace)
    await merge_service.merge_ideas(session, ctx, source=x, target=y)


async def test_staff_merge_without_javascript_and_the_page_shows_it(session, app):
    scene, x, y = await _pair(session)
    await vote(session, scene.workspace, scene.users["member"], x)
    staff, csrf = await web_client(app, scene, "staff")
    x_url = f"/{scene.slug}/ideas/{x.number}"
    async with staff:
        page = (await staff.get(x_url)).text
        assert f'action="{x_url}/merge"' in page and 'name="into"' in page
        response = await staff.post(f"{x_url}/merge", data={"into": f"#{y.number}", "csrf_token": csrf})
        assert response.status_code == 303 and response.headers["location"] == x_url
        # Staff stay on the merged idea: it says where it went and offers the unmerge button.
        page = (await staff.get(x_url)).text
    assert f'Merged into <a href="/{scene.slug}/ideas/{y.number}">#{y.number} Night theme for every page</a>' in page
    assert f'action="{x_url}/unmerge"' in page and f"Unmerge #{x.number}" in page
    assert 'name="into"' not in page  # a merged idea offers no merge form
    assert await votes_on(session, y.id) == {scene.users["member"].id: x.id}


async def test_a_refused_merge_without_javascript_shows_the_message_next_to_the_field(session, app):
    scene, x, _ = await _pair(session)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/ideas/{x.number}/merge", data={"into": "dashboard", "csrf_token": csrf}
        )
    assert response.status_code == 422
    assert "<html" in response.text
    assert 'id="f-merge-into-error"' in response.text
    assert "The idea to merge into must be an idea number, e.g. 42" in response.text
    assert 'aria-invalid="true" aria-describedby="f-merge-into-error"' in response.text
    assert 'value="dashboard"' in response.text  # what staff typed stays in the field
    assert await merged_into(session, x) is None


async def test_the_htmx_merge_swaps_the_triage_block_and_the_banner_out_of_band(session, app):
    scene, x, y = await _pair(session)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/ideas/{x.number}/merge",
            data={"pick": str(y.number), "into": "night", "csrf_token": csrf},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 200, response.text
    assert response.text.lstrip().startswith('<div id="triage"')
    assert "<html" not in response.text
    assert f"Unmerge #{x.number}" in response.text
    banner = re.search(
        r'<div id="merge-banner"[^>]*hx-swap-oob="outerHTML"[^>]*>(.*?)</div>\s*</div>', response.text, re.S
    )
    assert banner and f"#{y.number} Night theme for every page" in banner.group(1)
    assert await merged_into(session, x) == y.id


async def test_the_htmx_merge_refused_swaps_the_block_with_the_error(session, app):
    scene, x, _ = await _pair(session)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(
            f"/{scene.slug}/ideas/{x.number}/merge",
            data={"into": str(x.number), "csrf_token": csrf},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<div id="triage"')
    assert "The idea to merge into must be another idea" in response.text


async def test_search_as_you_type_lists_matching_ideas_as_picks(session, app):
    scene, x, y = await _pair(session)
    z = await make_idea(session, scene.workspace, title="Dark mode for the mobile app")
    staff, _ = await web_client(app, scene, "staff")
    url = f"/{scene.slug}/ideas/{x.number}/merge-candidates"
    async with staff:
        page = (await staff.get(f"/{scene.slug}/ideas/{x.number}")).text
        by_words = await staff.get(url, params={"into": "dark mode"}, headers={"HX-Request": "true"})
        by_number = await staff.get(url, params={"into": f"#{y.number}"}, headers={"HX-Request": "true"})
        nothing = await staff.get(url, params={"into": "zebra"}, headers={"HX-Request": "true"})
    assert f'hx-get="{url}"' in page and 'hx-target="#merge-candidates"' in page
    assert by_words.status_code == 200 and "<html" not in by_words.text
    assert re.findall(r'name="pick" value="(\d+)"', by_words.text) == [str(z.number)]
    assert "Dark mode for the mobile app" in by_words.text
    assert re.findall(r'name="pick" value="(\d+)"', by_number.text) == [str(y.number)]
    assert "No other idea matches “zebra”" in nothing.text


async def test_customers_are_redirected_to_the_target_and_can_stay_to_read_comments(session, app):
    scene, x, y = await _pair(session)
    member_ctx = await context(session, scene.workspace, scene.users["member"])
    view = await idea_service.get_idea(session, member_ctx, x.number)
    await comment_service.add_comment(session, member_ctx, view, body="Please also cover the **charts**.")
    await _merge(session, scene, x, y)
    x_url, y_url = f"/{scene.slug}/ideas/{x.number}", f"/{scene.slug}/ideas/{y.number}"
    for persona in ("anonymous", "member"):
        client, _ = await web_client(app, scene, persona)
        async with client:
            first = await client.get(x_url)
            assert first.status_code == 303 and first.headers["location"] == f"{x_url}/merged-into"
            second = await client.get(first.headers["location"])
            assert second.status_code == 303 and second.headers["location"] == y_url
            target = (await client.get(y_url)).text
            stay = await client.get(f"{x_url}?stay=1")
        assert f'href="{x_url}?stay=1"' in target and "merged into this one" in target
        assert stay.status_code == 200
        assert "<strong>charts</strong>" in stay.text and "Merged into" in stay.text
        assert "Unmerge" not in stay.text and 'name="into"' not in stay.text


async def test_a_chain_redirects_to_its_end(session, app):
    scene, x, y = await _pair(session)
    z = await make_idea(session, scene.workspace, title="Theme settings")
    await _merge(session, scene, x, y)
    await _merge(session, scene, y, z)
    client, _ = await web_client(app, scene, "anonymous")
    async with client:
        response = await client.get(f"/{scene.slug}/ideas/{x.number}", follow_redirects=True)
    assert response.status_code == 200 and str(response.url).endswith(f"/ideas/{z.number}")


async def test_unmerge_without_javascript_from_the_merged_idea(session, app):
    scene, x, y = await _pair(session)
    await vote(session, scene.workspace, scene.users["member"], x)
    await _merge(session, scene, x, y)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        response = await staff.post(f"/{scene.slug}/ideas/{x.number}/unmerge", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["location"] == f"/{scene.slug}/ideas/{x.number}"
    assert await merged_into(session, x) is None
    assert (await stored(session, x.id))[0] == 1 and (await stored(session, y.id))[0] == 0


async def test_unmerge_with_htmx_from_the_target_page_swaps_the_targets_block(session, app):
    scene, x, y = await _pair(session)
    await _merge(session, scene, x, y)
    staff, csrf = await web_client(app, scene, "staff")
    async with staff:
        page = (await staff.get(f"/{scene.slug}/ideas/{y.number}")).text
        assert f'action="/{scene.slug}/ideas/{x.number}/unmerge"' in page and 'name="back"' in page
        response = await staff.post(
            f"/{scene.slug}/ideas/{x.number}/unmerge",
            data={"back": str(y.number), "csrf_token": csrf},
            headers={"HX-Request": "true"},
        )
        not_merged = await staff.post(
            f"/{scene.slug}/ideas/{x.number}/unmerge", data={"csrf_token": csrf}, headers={"HX-Request": "true"}
        )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="triage"')
    assert f"#{x.number} was unmerged" in response.text
    assert f'action="/{scene.slug}/ideas/{y.number}/merge"' in response.text  # Y's own form
    assert "merged into this one" not in response.text
    assert not_merged.status_code == 409 and "is not merged into another idea" in not_merged.text


async def test_the_merged_idea_banner_is_not_shown_on_ordinary_ideas(session, app):
    scene, x, _ = await _pair(session)
    client, _ = await web_client(app, scene, "member")
    async with client:
        page = (await client.get(f"/{scene.slug}/ideas/{x.number}")).text
    assert "Merged into" not in page and "merged into this one" not in page
