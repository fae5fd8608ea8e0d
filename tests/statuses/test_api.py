"""Statuses through the API: listing, managing (admins), changing an idea's status with a response (staff),
the timeline, the pinned response and its revisions, and ideas showing their status's name and colour."""

from __future__ import annotations

from tests.statuses.scene import api_headers, build_scene


async def test_anyone_who_sees_the_workspace_lists_its_statuses(session, client):
    scene = await build_scene(session)
    response = await client.get(f"/api/v1/{scene.slug}/statuses")
    assert response.status_code == 200
    body = response.json()
    assert [s["key"] for s in body] == ["open", "under_review", "planned", "in_progress", "shipped", "declined"]
    assert body[2] == {
        "key": "planned",
        "name": "Planned",
        "colour": "#2e8ae6",
        "category": "active",
        "position": 3,
        "accepts_votes": True,
    }


async def test_admin_creates_renames_reorders_and_removes_a_status(session, client):
    scene = await build_scene(session)
    admin = await api_headers(session, scene, "admin")
    base = f"/api/v1/{scene.slug}/statuses"
    created = await client.post(
        base, json={"name": "Needs design", "colour": "#AA33CC", "category": "open"}, headers=admin
    )
    assert created.status_code == 201, created.text
    assert (created.json()["key"], created.json()["colour"], created.json()["position"]) == (
        "needs_design",
        "#aa33cc",
        7,
    )
    renamed = await client.patch(f"{base}/needs_design", json={"name": "Design review"}, headers=admin)
    assert renamed.json()["name"] == "Design review"
    keys = [s["key"] for s in (await client.get(base)).json()]
    reordered = await client.put(f"{base}/order", json={"keys": [keys[-1], *keys[:-1]]}, headers=admin)
    assert [s["key"] for s in reordered.json()] == ["needs_design", *keys[:-1]]
    bad = await client.put(f"{base}/order", json={"keys": keys[:2]}, headers=admin)
    assert bad.status_code == 422 and bad.json()["fields"] == {
        "keys": "must list every status of this workspace exactly once"
    }
    assert (await client.delete(f"{base}/needs_design", headers=admin)).status_code == 204
    assert "needs_design" not in [s["key"] for s in (await client.get(base)).json()]


async def test_bad_status_input_names_the_field(session, client):
    scene = await build_scene(session)
    admin = await api_headers(session, scene, "admin")
    base = f"/api/v1/{scene.slug}/statuses"
    bad_colour = await client.post(base, json={"name": "X", "colour": "blue", "category": "open"}, headers=admin)
    assert bad_colour.status_code == 422 and "colour" in bad_colour.json()["fields"]
    bad_category = await client.patch(f"{base}/planned", json={"category": "later"}, headers=admin)
    assert bad_category.status_code == 422 and "category" in bad_category.json()["fields"]
    missing = await client.patch(f"{base}/nope", json={"name": "X"}, headers=admin)
    assert missing.status_code == 404


async def test_removing_a_status_in_use_is_a_409_until_a_replacement_is_named(session, client):
    scene = await build_scene(session)
    staff, admin = await api_headers(session, scene, "staff"), await api_headers(session, scene, "admin")
    number = scene.idea.number
    await client.post(f"/api/v1/{scene.slug}/ideas/{number}/status", json={"status": "declined"}, headers=staff)
    refused = await client.delete(f"/api/v1/{scene.slug}/statuses/declined", headers=admin)
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "conflict",
        "detail": "1 idea uses this status: choose a status to move them to.",
        "fields": {"replacement": "choose where its ideas go"},
    }
    unknown = await client.delete(f"/api/v1/{scene.slug}/statuses/declined?replacement=nope", headers=admin)
    assert unknown.status_code == 422 and unknown.json()["fields"] == {
        "replacement": "is not a status of this workspace"
    }
    moved = await client.delete(f"/api/v1/{scene.slug}/statuses/declined?replacement=open", headers=admin)
    assert moved.status_code == 204
    idea = (await client.get(f"/api/v1/{scene.slug}/ideas/{number}")).json()
    assert idea["status"] == "open"


async def test_staff_change_the_status_with_a_response_and_everyone_sees_the_timeline(session, client):
    scene = await build_scene(session)
    staff = await api_headers(session, scene, "staff")
    url = f"/api/v1/{scene.slug}/ideas/{scene.idea.number}"
    changed = await client.post(
        f"{url}/status", json={"status": "planned", "response": "Coming in *May*."}, headers=staff
    )
    assert changed.status_code == 200, changed.text
    idea = changed.json()
    assert idea["status"] == "planned"
    assert idea["status_detail"] == {"key": "planned", "name": "Planned", "colour": "#2e8ae6", "category": "active"}
    # Anonymous visitors read the timeline and the pinned response.
    timeline = (await client.get(f"{url}/timeline")).json()
    assert [(e["kind"], e["from_status"], e["to_status"], e["actor"]["name"]) for e in timeline] == [
        ("status_changed", "open", "planned", "Sam Staff")
    ]
    assert timeline[0]["response"]["body_html"] == "<p>Coming in <em>May</em>.</p>"
    pinned = (await client.get(f"{url}/response")).json()
    assert (pinned["body"], pinned["edited"], pinned["author"]["name"]) == ("Coming in *May*.", False, "Sam Staff")
    edited = await client.patch(f"{url}/responses/{pinned['id']}", json={"body": "Coming in June."}, headers=staff)
    assert edited.status_code == 200 and edited.json()["edited"] is True
    revisions = (await client.get(f"{url}/responses/{pinned['id']}/revisions")).json()
    assert [r["body"] for r in revisions] == ["Coming in June.", "Coming in *May*."]
    unknown = await client.post(f"{url}/status", json={"status": "someday"}, headers=staff)
    assert unknown.status_code == 422 and unknown.json()["fields"] == {"status": "is not a status of this workspace"}


async def test_a_response_of_another_idea_cannot_be_edited_through_this_one(session, client):
    scene = await build_scene(session)
    staff = await api_headers(session, scene, "staff")
    from tests.factories import make_idea

    other = await make_idea(session, scene.workspace, title="Another idea entirely")
    posted = await client.post(
        f"/api/v1/{scene.slug}/ideas/{other.number}/responses", json={"body": "Thanks"}, headers=staff
    )
    response_id = posted.json()["id"]
    wrong = await client.patch(
        f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/responses/{response_id}", json={"body": "X"}, headers=staff
    )
    assert wrong.status_code == 404


async def test_patching_an_idea_with_status_and_response_goes_through_the_timeline(session, client):
    scene = await build_scene(session)
    staff = await api_headers(session, scene, "staff")
    url = f"/api/v1/{scene.slug}/ideas/{scene.idea.number}"
    response = await client.patch(url, json={"status": "shipped", "response": "Live now."}, headers=staff)
    assert response.status_code == 200 and response.json()["status_detail"]["category"] == "done"
    timeline = (await client.get(f"{url}/timeline")).json()
    assert [(e["to_status"], e["response"]["body"]) for e in timeline] == [("shipped", "Live now.")]


async def test_status_filter_takes_custom_keys_and_refuses_unknown_ones(session, client):
    scene = await build_scene(session)
    admin, staff = await api_headers(session, scene, "admin"), await api_headers(session, scene, "staff")
    await client.post(
        f"/api/v1/{scene.slug}/statuses",
        json={"name": "In beta", "colour": "#00aa88", "category": "active"},
        headers=admin,
    )
    await client.post(
        f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/status", json={"status": "in_beta"}, headers=staff
    )
    listed = (await client.get(f"/api/v1/{scene.slug}/ideas", params={"status": "in_beta"})).json()["items"]
    assert [(i["number"], i["status_detail"]["name"]) for i in listed] == [(scene.idea.number, "In beta")]
    bad = await client.get(f"/api/v1/{scene.slug}/ideas", params={"status": "someday"})
    assert bad.status_code == 422 and bad.json()["fields"] == {"status": "is not a status of this workspace"}
