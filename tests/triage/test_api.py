"""The triage inbox API: the inbox with counts and response times (oldest first), the counts alone, and actions
on one or many ideas, with the shared error shape for bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ideaflow.tags import service as tag_service
from tests.factories import make_idea, owner_context
from tests.statuses.scene import api_headers, build_scene


async def test_the_inbox_lists_untriaged_ideas_oldest_first_with_response_times(session, client):
    scene = await build_scene(session)
    now = datetime.now(UTC)
    scene.idea.created_at = now - timedelta(days=2)
    newer = await make_idea(session, scene.workspace, title="Slack notifications")
    answered = await make_idea(session, scene.workspace, title="Answered in two hours")
    answered.created_at = now - timedelta(hours=5)
    answered.first_response_at = now - timedelta(hours=3)
    await session.flush()
    headers = await api_headers(session, scene, "staff")

    response = await client.get(f"/api/v1/{scene.slug}/triage", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert [i["title"] for i in body["items"]] == ["Dark mode for the dashboard", newer.title]
    first = body["items"][0]
    assert first["number"] == scene.idea.number and first["author"]["name"] == "Mia Member"
    assert 2 * 86_400 <= first["waited_seconds"] < 2 * 86_400 + 60
    assert first["url"].endswith(f"/{scene.slug}/ideas/{scene.idea.number}")
    assert (body["view"], body["total"], body["untriaged"], body["awaiting_approval"]) == ("untriaged", 2, 2, 0)
    assert body["response_times"] == {
        "window_days": 30,
        "answered": 1,
        "median_seconds": 7_200,
        "p90_seconds": 7_200,
    }
    counts = await client.get(f"/api/v1/{scene.slug}/triage/counts", headers=headers)
    assert counts.json() == {"untriaged": 2, "awaiting_approval": 0}
    limited = await client.get(f"/api/v1/{scene.slug}/triage", params={"limit": 1}, headers=headers)
    assert [i["number"] for i in limited.json()["items"]] == [scene.idea.number] and limited.json()["total"] == 2


async def test_a_bulk_action_answers_every_idea_and_returns_the_new_count(session, client):
    scene = await build_scene(session)
    second = await make_idea(session, scene.workspace, title="Slack notifications")
    third = await make_idea(session, scene.workspace, title="Single sign-on")
    tag = await tag_service.create_tag(
        session, await owner_context(session, scene.workspace), name="Later", colour="#123456"
    )
    headers = await api_headers(session, scene, "admin")
    path = f"/api/v1/{scene.slug}/triage/actions"

    tagged = await client.post(
        path, json={"action": "tag", "ideas": [second.number], "tag_id": tag.id}, headers=headers
    )
    assert tagged.status_code == 200 and tagged.json()["untriaged"] == 3

    response = await client.post(
        path,
        json={"action": "answer", "ideas": [scene.idea.number, third.number], "status": "under_review"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json() == {
        "action": "answer",
        "ideas": [scene.idea.number, third.number],
        "message": "2 ideas set to Under review.",
        "untriaged": 1,
    }
    inbox = (await client.get(f"/api/v1/{scene.slug}/triage", headers=headers)).json()
    assert [(i["number"], [t["name"] for t in i["tags"]]) for i in inbox["items"]] == [(second.number, ["Later"])]


async def test_bad_actions_answer_with_the_field_and_reason(session, client):
    scene = await build_scene(session)
    headers = await api_headers(session, scene, "staff")
    path = f"/api/v1/{scene.slug}/triage/actions"
    n = scene.idea.number
    no_status = await client.post(path, json={"action": "answer", "ideas": [n]}, headers=headers)
    assert no_status.status_code == 422
    assert no_status.json()["fields"] == {"status": "choose a status or write a response"}
    unknown_status = await client.post(path, json={"action": "answer", "ideas": [n], "status": "nah"}, headers=headers)
    assert unknown_status.json()["fields"] == {"status": "is not a status of this workspace"}
    into_itself = await client.post(path, json={"action": "merge", "ideas": [n], "target": n}, headers=headers)
    assert into_itself.json()["fields"] == {"target": "an idea cannot be merged into itself"}
    empty = await client.post(path, json={"action": "answer", "ideas": [], "status": "planned"}, headers=headers)
    assert empty.status_code == 422 and "ideas" in empty.json()["fields"]
    missing = await client.post(
        path, json={"action": "answer", "ideas": [n, 4242], "status": "planned"}, headers=headers
    )
    assert missing.status_code == 404 and missing.json()["fields"] == {"ideas": "#4242 does not exist"}
    await session.refresh(scene.idea)
    assert scene.idea.status == "open"
    bad_view = await client.get(f"/api/v1/{scene.slug}/triage", params={"view": "all"}, headers=headers)
    assert bad_view.status_code == 422


async def test_the_inbox_is_in_the_openapi_document(client):
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert {"get"} <= set(paths["/api/v1/{workspace}/triage"])
    assert {"get"} <= set(paths["/api/v1/{workspace}/triage/counts"])
    assert {"post"} <= set(paths["/api/v1/{workspace}/triage/actions"])
