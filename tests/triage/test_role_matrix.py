"""Every route of the triage inbox, on the API and on the web, answers exactly as the role matrix says for an
anonymous visitor, a member, staff, an admin and staff of another workspace. Actions get a fresh idea per cell."""

from __future__ import annotations

import pytest

from tests.factories import make_idea
from tests.statuses.scene import PERSONAS, Scene, api_headers, build_scene, web_client

DENIED_API = {"anonymous": 403, "member": 403, "other_staff": 403}
STAFF_API = lambda ok: {**DENIED_API, "staff": ok, "admin": ok}  # noqa: E731
DENIED_WEB_GET = {"anonymous": 303, "member": 403, "other_staff": 403}
STAFF_WEB_GET = {**DENIED_WEB_GET, "staff": 200, "admin": 200}
STAFF_WEB_POST = {"anonymous": 401, "member": 403, "other_staff": 403, "staff": 303, "admin": 303}


async def _fresh_idea(session, scene: Scene, persona: str) -> int:
    return (await make_idea(session, scene.workspace, title=f"Triage me, {persona}")).number


API_GETS = ["/api/v1/{ws}/triage", "/api/v1/{ws}/triage?view=pending", "/api/v1/{ws}/triage/counts"]


@pytest.mark.parametrize("path", API_GETS)
async def test_api_reads_are_for_staff(session, client, path):
    scene = await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        response = await client.get(path.format(ws=scene.slug), headers=await api_headers(session, scene, persona))
        answers[persona] = response.status_code
    assert answers == STAFF_API(200)


async def test_api_actions_are_for_staff(session, client):
    scene = await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        number = await _fresh_idea(session, scene, persona)
        response = await client.post(
            f"/api/v1/{scene.slug}/triage/actions",
            json={"action": "answer", "ideas": [number], "status": "planned"},
            headers=await api_headers(session, scene, persona),
        )
        answers[persona] = response.status_code
    assert answers == STAFF_API(200)


WEB_GETS = ["/{ws}/admin/triage", "/{ws}/admin/triage?view=pending", "/{ws}/admin/triage/count",
            "/{ws}/admin/triage/targets?q=dark"]  # fmt: skip


@pytest.mark.parametrize("path", WEB_GETS)
async def test_web_pages_are_for_staff(session, app, path):
    scene = await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        client, _ = await web_client(app, scene, persona)
        async with client:
            answers[persona] = (await client.get(path.format(ws=scene.slug))).status_code
    assert answers == STAFF_WEB_GET


async def test_web_actions_are_for_staff(session, app):
    scene = await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        number = await _fresh_idea(session, scene, persona)
        client, csrf = await web_client(app, scene, persona)
        async with client:
            response = await client.post(
                f"/{scene.slug}/admin/triage/actions",
                data={"csrf_token": csrf, "action": "answer", "ideas": [str(number)], "status": "planned"},
            )
        answers[persona] = response.status_code
    assert answers == STAFF_WEB_POST
