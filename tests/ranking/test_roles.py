"""Every staff route of ranking answers as the role matrix says, on the API and on the web, for an anonymous
visitor, a member, staff, an admin, and staff of another workspace."""

from __future__ import annotations

import pytest

from tests.ranking.scene import PERSONAS, api_headers, build_scene, web_client

DENIED_API = {"anonymous": 403, "member": 403, "other_staff": 403}
STAFF_API = {**DENIED_API, "staff": 200, "admin": 200}
ADMIN_API = {**DENIED_API, "staff": 403, "admin": 200}
DENIED_GET = {"anonymous": 303, "member": 403, "other_staff": 403}
STAFF_GET = {**DENIED_GET, "staff": 200, "admin": 200}
DENIED_POST = {"anonymous": 401, "member": 403, "other_staff": 403}
STAFF_POST = {**DENIED_POST, "staff": 200, "admin": 200}
ADMIN_POST = {**DENIED_POST, "staff": 403, "admin": 200}
ADMIN_POST_REDIRECT = {**DENIED_POST, "staff": 403, "admin": 303}

SETTINGS = {
    "importance_weights": {"nice_to_have": 1, "important": 2, "critical": 4},
    "segment_weights": {},
    "revenue_weight": 0.5,
    "revenue_reference": 1000,
    "priority_method": "rice",
    "scorecard": [],
}

API_CELLS = [
    ("GET", "/api/v1/{ws}/ranking?ranking=demand", None, STAFF_API),
    ("GET", "/api/v1/{ws}/ideas/{n}/score", None, STAFF_API),
    ("PUT", "/api/v1/{ws}/ideas/{n}/priority", {"impact": 1, "confidence": 50, "effort": 2}, STAFF_API),
    ("GET", "/api/v1/{ws}/ranking/settings", None, STAFF_API),
    ("PUT", "/api/v1/{ws}/ranking/settings", SETTINGS, ADMIN_API),
    ("PUT", "/api/v1/{ws}/boards/feature-requests/ranking-settings", {"importance_enabled": True}, ADMIN_API),
    ("GET", "/api/v1/{ws}/customers", None, STAFF_API),
    ("PUT", "/api/v1/{ws}/customers/{member_email}", {"segment": "smb"}, STAFF_API),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), API_CELLS, ids=[c[1] + " " + c[0] for c in API_CELLS])
async def test_api_role_matrix(session, client, method, path, body, expected):
    scene = await build_scene(session)
    url = path.format(ws=scene.slug, n=scene.idea.number, member_email=scene.users["member"].email)
    answers = {}
    for persona in PERSONAS:
        response = await client.request(method, url, json=body, headers=await api_headers(session, scene, persona))
        answers[persona] = response.status_code
    assert answers == expected


WEB_CELLS = [
    ("GET", "/{ws}/admin/ranking", None, STAFF_GET),
    ("GET", "/{ws}/admin/ideas/{n}/score", None, STAFF_GET),
    ("POST", "/{ws}/admin/ideas/{n}/score", {"impact": "1", "confidence": "50", "effort": "2"}, STAFF_POST),
    ("GET", "/{ws}/settings/ranking", None, STAFF_GET),
    ("POST", "/{ws}/settings/ranking", {"revenue_weight": "0.5", "revenue_reference": "1000"}, ADMIN_POST),
    ("POST", "/{ws}/settings/ranking/boards/feature-requests", {"importance_enabled": "on"}, ADMIN_POST_REDIRECT),
    ("GET", "/{ws}/settings/customers", None, STAFF_GET),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), WEB_CELLS, ids=[c[1] + " " + c[0] for c in WEB_CELLS])
async def test_web_role_matrix(session, app, method, path, body, expected):
    scene = await build_scene(session)
    url = path.format(ws=scene.slug, n=scene.idea.number)
    answers = {}
    for persona in PERSONAS:
        client, csrf = await web_client(app, scene, persona)
        try:
            if method == "GET":
                response = await client.get(url)
            else:
                response = await client.post(url, data={**(body or {}), "csrf_token": csrf})
        finally:
            await client.aclose()
        answers[persona] = response.status_code
    assert answers == expected
