"""Merge API: merge and unmerge (staff), the merge state anyone who sees the idea can read, the target search,
the shared error shape with field names, and the endpoints in the OpenAPI document."""

from __future__ import annotations

from ideaflow.ideas.models import Idea
from tests.factories import default_board, make_idea, make_token, make_user, make_workspace
from tests.merges.helpers import stored, vote
from tests.statuses.scene import api_headers, build_scene


async def _second_idea(session, scene) -> Idea:
    return await make_idea(session, scene.workspace, title="Night theme for the dashboard")


async def test_staff_merge_and_unmerge_through_the_api(session, client):
    scene = await build_scene(session)
    y = await _second_idea(session, scene)
    voter = await make_user(session)
    await vote(session, scene.workspace, voter, scene.idea)
    headers = await api_headers(session, scene, "staff")
    x_url = f"/api/v1/{scene.slug}/ideas/{scene.idea.number}"

    response = await client.post(f"{x_url}/merge", json={"into": y.number}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["number"] == scene.idea.number
    assert body["merged_into"] == {"number": y.number, "title": y.title}
    assert body["merged_into_final"] == {"number": y.number, "title": y.title}
    assert body["merged_at"] is not None and body["merged_ideas"] == []
    assert (await stored(session, y.id))[0] == 1

    target = (await client.get(f"/api/v1/{scene.slug}/ideas/{y.number}/merge")).json()
    assert [(m["number"], m["title"]) for m in target["merged_ideas"]] == [(scene.idea.number, scene.idea.title)]
    assert target["merged_into"] is None
    # Anyone who can see the idea reads its merge state; the merged idea itself is still readable.
    assert (await client.get(f"{x_url}/merge")).json()["merged_into"]["number"] == y.number
    assert (await client.get(x_url)).status_code == 200

    response = await client.post(f"{x_url}/unmerge", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["merged_into"] is None and response.json()["merged_at"] is None
    assert (await stored(session, scene.idea.id))[0] == 1 and (await stored(session, y.id))[0] == 0


async def test_a_merged_idea_refuses_votes_through_the_api(session, client):
    scene = await build_scene(session)
    y = await _second_idea(session, scene)
    staff = await api_headers(session, scene, "staff")
    await client.post(f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/merge", json={"into": y.number}, headers=staff)
    voter = await make_token(session, await make_user(session))
    response = await client.put(f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/vote", headers=voter)
    assert response.status_code == 409 and response.json()["error"] == "voting_closed"


async def test_api_errors_use_the_shared_shape_with_the_field(session, client):
    scene = await build_scene(session)
    y = await _second_idea(session, scene)
    foreign = await make_idea(session, await make_workspace(session))
    headers = await api_headers(session, scene, "staff")
    url = f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/merge"

    cases = [
        ({"into": scene.idea.number}, 422, "invalid", "must be another idea: an idea cannot be merged into itself"),
        ({"into": 99_999}, 422, "invalid", "must be the number of an existing idea (there is no #99999)"),
    ]
    for body, status, code, reason in cases:
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == status, response.text
        assert response.json()["error"] == code and response.json()["fields"] == {"into": reason}
        assert set(response.json()) == {"error", "detail", "fields"}
    # The number of an idea of another workspace is just an unknown number here.
    response = await client.post(url, json={"into": foreign.number + 10_000}, headers=headers)
    assert response.status_code == 422 and "into" in response.json()["fields"]

    for body in ({}, {"into": "soon"}, {"into": 0}, {"into": 5, "extra": 1}):
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert set(response.json()) == {"error", "detail", "fields"}
        assert response.json()["fields"], body

    await client.post(url, json={"into": y.number}, headers=headers)
    again = await client.post(url, json={"into": y.number}, headers=headers)
    assert again.status_code == 409 and again.json()["error"] == "already_merged"
    assert f"already merged into #{y.number}" in again.json()["detail"]
    back = await client.post(
        f"/api/v1/{scene.slug}/ideas/{y.number}/merge", json={"into": scene.idea.number}, headers=headers
    )
    assert back.status_code == 409 and back.json()["error"] == "merge_cycle"
    assert back.json()["fields"] == {"into": "would make a cycle"}
    not_merged = await client.post(f"/api/v1/{scene.slug}/ideas/{y.number}/unmerge", headers=headers)
    assert not_merged.status_code == 409 and not_merged.json()["error"] == "not_merged"
    missing = await client.post(f"/api/v1/{scene.slug}/ideas/424242/unmerge", headers=headers)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


async def test_merge_candidates_find_by_number_and_by_title_but_never_the_idea_itself(session, client):
    scene = await build_scene(session)
    y = await _second_idea(session, scene)
    other = await make_idea(session, scene.workspace, title="Dark mode for the mobile app")
    merged = await make_idea(session, scene.workspace, title="Dark mode everywhere")
    headers = await api_headers(session, scene, "staff")
    await client.post(f"/api/v1/{scene.slug}/ideas/{merged.number}/merge", json={"into": y.number}, headers=headers)
    url = f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/merge-candidates"

    by_words = (await client.get(url, params={"q": "dark mode"}, headers=headers)).json()
    assert [c["number"] for c in by_words] == [other.number]  # not itself, not the merged one
    board = await default_board(session, scene.workspace)
    assert by_words[0] == {
        "number": other.number,
        "title": other.title,
        "status": "open",
        "vote_count": 0,
        "board": board.slug,
    }
    by_number = (await client.get(url, params={"q": f"#{y.number}"}, headers=headers)).json()
    assert [c["number"] for c in by_number] == [y.number]
    assert (await client.get(url, params={"q": str(merged.number)}, headers=headers)).json() == []
    assert (await client.get(url, params={"q": str(scene.idea.number)}, headers=headers)).json() == []
    assert (await client.get(url, params={"q": ""}, headers=headers)).json() == []


async def test_merge_endpoints_are_in_the_openapi_document(client):
    document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    assert set(paths["/api/v1/{workspace}/ideas/{number}/merge"]) == {"get", "post"}
    assert "post" in paths["/api/v1/{workspace}/ideas/{number}/unmerge"]
    assert "get" in paths["/api/v1/{workspace}/ideas/{number}/merge-candidates"]
    body = paths["/api/v1/{workspace}/ideas/{number}/merge"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/MergeCreate")
