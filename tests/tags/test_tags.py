"""Tags: staff define them and put them on ideas; anyone filters the board and the API by tag (name or id);
customers pick existing tags on the submission form only where the board allows it."""

from __future__ import annotations

import pytest

from ideaflow.boards import service as board_service
from ideaflow.errors import Conflict, Invalid
from ideaflow.tags import service as tag_service
from tests.factories import context, default_board, make_idea, owner_context
from tests.statuses.scene import api_headers, build_scene, web_client


async def _tags(session, scene, *names):
    ctx = await owner_context(session, scene.workspace)
    return [await tag_service.create_tag(session, ctx, name=n, colour="#336699") for n in names]


async def test_tag_names_are_unique_per_workspace_whatever_their_case(session):
    scene = await build_scene(session)
    await _tags(session, scene, "Mobile")
    ctx = await owner_context(session, scene.workspace)
    with pytest.raises(Conflict) as taken:
        await tag_service.create_tag(session, ctx, name="mobile", colour="#000000")
    assert taken.value.fields == {"name": "is already used"}
    with pytest.raises(Invalid) as bad:
        await tag_service.create_tag(session, ctx, name="Web", colour="#12345")
    assert bad.value.fields == {"colour": "must be a colour like #2e8ae6"}
    other = await owner_context(session, scene.other)
    assert (await tag_service.create_tag(session, other, name="Mobile", colour="#000000")).name == "Mobile"


async def test_staff_tag_ideas_and_anyone_filters_the_api_by_name_or_id(session, client):
    scene = await build_scene(session)
    mobile, api = await _tags(session, scene, "Mobile", "API")
    second = await make_idea(session, scene.workspace, title="Offline charts on phones")
    staff = await api_headers(session, scene, "staff")
    base = f"/api/v1/{scene.slug}"
    for number, tag in ((scene.idea.number, mobile), (second.number, mobile), (second.number, api)):
        response = await client.put(f"{base}/ideas/{number}/tags/{tag.id}", headers=staff)
        assert response.status_code == 200
    again = await client.put(f"{base}/ideas/{second.number}/tags/{api.id}", headers=staff)
    assert [t["name"] for t in again.json()] == ["API", "Mobile"]

    async def numbers(**params):
        response = await client.get(f"{base}/ideas", params={"sort": "new", **params})
        assert response.status_code == 200, response.text
        return [i["number"] for i in response.json()["items"]]

    assert await numbers(tag="mobile") == [second.number, scene.idea.number]
    assert await numbers(tag=str(api.id)) == [second.number]
    missing = await client.get(f"{base}/ideas", params={"tag": "nope"})
    assert missing.status_code == 422 and missing.json()["fields"] == {"tag": "is not a tag of this workspace"}
    item = (await client.get(f"{base}/ideas/{second.number}")).json()
    assert [(t["name"], t["colour"]) for t in item["tags"]] == [("API", "#336699"), ("Mobile", "#336699")]
    removed = await client.delete(f"{base}/ideas/{second.number}/tags/{mobile.id}", headers=staff)
    assert [t["name"] for t in removed.json()] == ["API"]
    assert await numbers(tag="Mobile") == [scene.idea.number]


async def test_a_tag_of_another_workspace_cannot_be_used(session, client):
    scene = await build_scene(session)
    other_ctx = await owner_context(session, scene.other)
    foreign = await tag_service.create_tag(session, other_ctx, name="Foreign", colour="#000000")
    staff = await api_headers(session, scene, "staff")
    response = await client.put(f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/tags/{foreign.id}", headers=staff)
    assert response.status_code == 404
    filtered = await client.get(f"/api/v1/{scene.slug}/ideas", params={"tag": str(foreign.id)})
    assert filtered.status_code == 422


async def test_the_board_page_filters_by_tag_and_shows_tags_on_cards(session, app):
    scene = await build_scene(session)
    [mobile] = await _tags(session, scene, "Mobile")
    other = await make_idea(session, scene.workspace, title="Untagged idea about exports")
    ctx = await owner_context(session, scene.workspace)
    await tag_service.tag_idea(session, ctx, scene.idea, mobile)
    anonymous, _ = await web_client(app, scene, "anonymous")
    async with anonymous:
        board = await anonymous.get(f"/{scene.slug}/boards/feature-requests", params={"tag": "Mobile"})
        everything = (await anonymous.get(f"/{scene.slug}")).text
    assert board.status_code == 200
    assert scene.idea.title in board.text and other.title not in board.text
    assert '<option value="Mobile" selected>Mobile</option>' in board.text
    assert 'class="tag-chip"' in everything and "?tag=Mobile" in everything


async def test_staff_tag_from_the_idea_page_with_htmx(session, app):
    scene = await build_scene(session)
    [mobile] = await _tags(session, scene, "Mobile")
    staff, csrf = await web_client(app, scene, "staff")
    url = f"/{scene.slug}/ideas/{scene.idea.number}"
    async with staff:
        added = await staff.post(
            f"{url}/tags", data={"tag": str(mobile.id), "csrf_token": csrf}, headers={"HX-Request": "true"}
        )
        assert added.status_code == 200 and added.text.lstrip().startswith('<div id="triage"')
        assert f"{url}/tags/{mobile.id}/remove" in added.text
        unknown = await staff.post(f"{url}/tags", data={"tag": "999999", "csrf_token": csrf})
        assert unknown.status_code == 422 and "is not a tag of this workspace" in unknown.text
        removed = await staff.post(f"{url}/tags/{mobile.id}/remove", data={"csrf_token": csrf})
        assert removed.status_code == 303
    tags = await tag_service.tags_by_idea(session, workspace_id=scene.workspace.id, idea_ids=[scene.idea.id])
    assert tags == {}


async def test_customers_pick_tags_only_where_the_board_allows_it(session, app, client):
    scene = await build_scene(session)
    [mobile] = await _tags(session, scene, "Mobile")
    member, csrf = await web_client(app, scene, "member")
    board_url = f"/{scene.slug}/boards/feature-requests"
    async with member:
        closed_form = (await member.get(f"{board_url}/new")).text
        assert 'name="tags"' not in closed_form
        refused = await member.post(
            f"{board_url}/ideas", data={"title": "Tagged idea", "tags": str(mobile.id), "csrf_token": csrf}
        )
        assert refused.status_code == 422 and "this board does not let you pick tags" in refused.text
        assert "Tagged idea" in refused.text  # nothing typed is lost

        ctx = await owner_context(session, scene.workspace)
        await board_service.update_board(
            session, ctx, await default_board(session, scene.workspace), customers_can_tag=True
        )
        open_form = (await member.get(f"{board_url}/new")).text
        assert f'name="tags" value="{mobile.id}"' in open_form
        created = await member.post(
            f"{board_url}/ideas", data={"title": "Tagged idea", "tags": str(mobile.id), "csrf_token": csrf}
        )
        assert created.status_code == 303
        forged = await member.post(
            f"{board_url}/ideas", data={"title": "Forged tag idea", "tags": "abc", "csrf_token": csrf}
        )
        assert forged.status_code == 422
    number = int(created.headers["location"].rsplit("/", 1)[1])
    item = (await client.get(f"/api/v1/{scene.slug}/ideas/{number}")).json()
    assert [t["name"] for t in item["tags"]] == ["Mobile"]
    # Through the API, the same rule on the `tags` field.
    headers = await api_headers(session, scene, "member")
    unknown = await client.post(
        f"/api/v1/{scene.slug}/ideas",
        json={"board": "feature-requests", "title": "Other", "tags": [424242]},
        headers=headers,
    )
    assert unknown.status_code == 422 and unknown.json()["fields"] == {
        "tags": "includes a tag this workspace does not have"
    }


async def test_removing_a_tag_takes_it_off_its_ideas(session):
    scene = await build_scene(session)
    [mobile] = await _tags(session, scene, "Mobile")
    ctx = await owner_context(session, scene.workspace)
    await tag_service.tag_idea(session, ctx, scene.idea, mobile)
    await tag_service.delete_tag(session, ctx, mobile)
    viewer = await context(session, scene.workspace, None)
    assert await tag_service.list_tags(session, workspace_id=scene.workspace.id) == []
    assert await tag_service.tags_by_idea(session, workspace_id=viewer.workspace.id, idea_ids=[scene.idea.id]) == {}
