"""Ranking API: the ranked list with cursors, score breakdowns, settings, customers, and the pairwise survey."""

from __future__ import annotations

from ideaflow.workspaces.models import Role
from tests.factories import add_member, default_board, make_idea, make_token, make_user, make_workspace
from tests.ranking.helpers import vote


async def test_ranked_list_pages_with_a_cursor_and_rejects_unknown_rankings(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    headers = await make_token(session, owner)
    ideas = [await make_idea(session, workspace) for _ in range(5)]
    for n, idea in enumerate(ideas):
        for _ in range(n):
            await vote(session, workspace, idea, await make_user(session))
    url = f"/api/v1/{workspace.slug}/ranking"
    first = (await client.get(url, params={"ranking": "confidence", "limit": 3}, headers=headers)).json()
    assert [i["number"] for i in first["items"]] == [ideas[4].number, ideas[3].number, ideas[2].number]
    assert first["items"][0]["votes"] == 4 and first["items"][0]["demand"] == 4.0
    rest = (
        await client.get(
            url, params={"ranking": "confidence", "limit": 3, "cursor": first["next_cursor"]}, headers=headers
        )
    ).json()
    assert [i["number"] for i in rest["items"]] == [ideas[1].number, ideas[0].number]
    assert rest["next_cursor"] is None
    bad = await client.get(url, params={"ranking": "loudest"}, headers=headers)
    assert bad.status_code == 422 and "ranking" in bad.json()["fields"]
    forged = await client.get(url, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=headers)
    assert forged.status_code == 422 and forged.json()["fields"] == {"cursor": "is not a cursor this server issued"}


async def test_priority_and_score_breakdown(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    headers = await make_token(session, owner)
    idea = await make_idea(session, workspace)
    for _ in range(4):
        await vote(session, workspace, idea, await make_user(session))
    url = f"/api/v1/{workspace.slug}/ideas/{idea.number}"
    saved = await client.put(f"{url}/priority", json={"impact": 3, "confidence": 50, "effort": 2}, headers=headers)
    assert saved.status_code == 200
    body = saved.json()
    assert body["priority"] == 3.0  # 4 x 3 x 0.5 / 2
    assert body["inputs"] == {"impact": 3.0, "confidence": 50.0, "effort": 2.0, "factors": {}}
    bad = await client.put(f"{url}/priority", json={"effort": 0}, headers=headers)
    assert bad.status_code == 422 and "effort" in bad.json()["fields"]
    assert (await client.get(f"{url}/score", headers=headers)).json()["demand_by_segment"] == {"No segment": 4.0}


async def test_customers_by_email_or_id_and_only_people_of_the_workspace(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    headers = await make_token(session, owner)
    customer = await make_user(session, email="Customer@Example.com")
    await add_member(session, workspace, customer, Role.member)
    stranger = await make_user(session)
    base = f"/api/v1/{workspace.slug}/customers"

    by_email = await client.put(
        f"{base}/customer@example.com", json={"segment": "Enterprise", "monthly_revenue": 1200.5}, headers=headers
    )
    assert by_email.status_code == 200
    assert by_email.json()["monthly_revenue"] == 1200.5 and by_email.json()["source"] == "api"
    by_id = await client.put(f"{base}/{customer.id}", json={"segment": "SMB"}, headers=headers)
    assert by_id.json()["segment"] == "SMB" and by_id.json()["monthly_revenue"] is None
    assert (await client.put(f"{base}/{stranger.id}", json={}, headers=headers)).status_code == 404
    negative = await client.put(f"{base}/{customer.id}", json={"monthly_revenue": -5}, headers=headers)
    assert negative.status_code == 422 and "monthly_revenue" in negative.json()["fields"]
    listed = (await client.get(base, headers=headers)).json()
    assert [(c["email"], c["segment"]) for c in listed["items"]] == [("customer@example.com", "SMB")]


async def test_board_options_and_settings_round_trip(session, client):
    owner = await make_user(session)
    workspace = await make_workspace(session, owner=owner)
    headers = await make_token(session, owner)
    board = await default_board(session, workspace)
    url = f"/api/v1/{workspace.slug}/boards/{board.slug}/ranking-settings"
    put = await client.put(url, json={"importance_enabled": True, "downvotes_enabled": True}, headers=headers)
    assert put.json() == {"importance_enabled": True, "downvotes_enabled": True, "pairwise_enabled": True}
    assert (await client.get(url, headers=headers)).json() == put.json()
    settings = {
        "trending_half_life_hours": 48,
        "segment_weights": {"Enterprise": 3},
        "priority_method": "scorecard",
        "scorecard": [{"name": "Revenue impact", "weight": 2}],
    }
    saved = await client.put(f"/api/v1/{workspace.slug}/ranking/settings", json=settings, headers=headers)
    assert saved.status_code == 200
    body = saved.json()
    assert body["scorecard"] == [{"key": "revenue_impact", "name": "Revenue impact", "weight": 2.0}]
    assert (body["trending_half_life_hours"], body["custom_half_life"]) == (48.0, True)


async def test_the_survey_over_the_api(session, client):
    workspace = await make_workspace(session)
    board = await default_board(session, workspace)
    a, b = await make_idea(session, workspace), await make_idea(session, workspace)
    judge = await make_user(session)
    headers = await make_token(session, judge)
    base = f"/api/v1/{workspace.slug}/boards/{board.slug}"

    pair = (await client.get(f"{base}/pairs/next", headers=headers)).json()
    assert {pair["left"]["id"], pair["right"]["id"]} == {a.id, b.id}
    answer = {"left_idea_id": pair["left"]["id"], "right_idea_id": pair["right"]["id"], "outcome": "tie"}
    created = await client.post(f"{base}/comparisons", json=answer, headers=headers)
    assert created.status_code == 201 and created.json()["outcome"] == "tie"
    assert (await client.post(f"{base}/comparisons", json=answer, headers=headers)).status_code == 409
    assert (await client.get(f"{base}/pairs/next", headers=headers)).json() is None
    assert (await client.get(f"{base}/pairs/next")).status_code == 401
    results = (await client.get(f"{base}/pairwise")).json()
    assert results == {"items": [], "comparisons": 0, "fitted_at": None, "converged": False}  # fit runs after commit

    # A board whose admins turn the survey off no longer offers it.
    owner = await make_user(session)
    await add_member(session, workspace, owner, Role.admin)
    off = await client.put(
        f"{base}/ranking-settings", json={"pairwise_enabled": False}, headers=await make_token(session, owner)
    )
    assert off.status_code == 200
    assert (await client.get(f"{base}/pairs/next", headers=headers)).status_code == 404
    assert (await client.get(f"{base}/pairwise")).status_code == 404
