"""Every merge route, on the API and on the web, answers exactly as the role matrix says for an anonymous
visitor, a member, staff, an admin and staff of another workspace. Each cell gets fresh ideas, so one cell's
merge cannot change another's answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from ideaflow.merges import service as merge_service
from tests.factories import make_idea, owner_context
from tests.statuses.scene import PERSONAS, Scene, api_headers, build_scene, web_client

Prepare = Callable[[object, Scene, str], Awaitable[tuple[str, str, dict | None]]]

DENIED_API = {"anonymous": 403, "member": 403, "other_staff": 403}
STAFF_API_OK = {**DENIED_API, "staff": 200, "admin": 200}
EVERYONE = dict.fromkeys(PERSONAS, 200)
DENIED_WEB_POST = {"anonymous": 401, "member": 403, "other_staff": 403}
STAFF_WEB_POST = {**DENIED_WEB_POST, "staff": 303, "admin": 303}
STAFF_WEB_GET = {"anonymous": 303, "member": 403, "other_staff": 403, "staff": 200, "admin": 200}


async def _pair(session, scene: Scene, persona: str, *, merged: bool):
    x = await make_idea(session, scene.workspace, title=f"Duplicate from {persona}")
    y = await make_idea(session, scene.workspace, title=f"Original for {persona}")
    if merged:
        ctx = await owner_context(session, scene.workspace)
        await merge_service.merge_ideas(session, ctx, source=x, target=y)
    return x, y


def _route(method: str, path: str, *, merged: bool, body: Callable | None = None) -> Prepare:
    async def prepare(session, scene: Scene, persona: str):
        x, y = await _pair(session, scene, persona, merged=merged)
        return method, path.format(ws=scene.slug, x=x.number), body(y) if body else None

    return prepare


@dataclass
class Cell:
    name: str
    prepare: Prepare
    expected: dict[str, int]


API_CELLS = [
    Cell(
        "merge",
        _route("POST", "/api/v1/{ws}/ideas/{x}/merge", merged=False, body=lambda y: {"into": y.number}),
        STAFF_API_OK,
    ),
    Cell("unmerge", _route("POST", "/api/v1/{ws}/ideas/{x}/unmerge", merged=True), STAFF_API_OK),
    Cell(
        "merge candidates",
        _route("GET", "/api/v1/{ws}/ideas/{x}/merge-candidates?q=original", merged=False),
        STAFF_API_OK,
    ),
    Cell("merge state (public)", _route("GET", "/api/v1/{ws}/ideas/{x}/merge", merged=True), EVERYONE),
]


@pytest.mark.parametrize("cell", API_CELLS, ids=[c.name for c in API_CELLS])
async def test_api_role_matrix(session, client, cell: Cell):
    scene = await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        method, path, body = await cell.prepare(session, scene, persona)
        response = await client.request(method, path, json=body, headers=await api_headers(session, scene, persona))
        answers[persona] = response.status_code
    assert answers == cell.expected


WEB_CELLS = [
    Cell(
        "merge",
        _route("POST", "/{ws}/ideas/{x}/merge", merged=False, body=lambda y: {"into": str(y.number)}),
        STAFF_WEB_POST,
    ),
    Cell("unmerge", _route("POST", "/{ws}/ideas/{x}/unmerge", merged=True, body=lambda y: {}), STAFF_WEB_POST),
    Cell(
        "merge candidates", _route("GET", "/{ws}/ideas/{x}/merge-candidates?into=original", merged=False), STAFF_WEB_GET
    ),
    # Public: where a merged idea went (staff included: the link is followed by anyone).
    Cell(
        "merged-into redirect", _route("GET", "/{ws}/ideas/{x}/merged-into", merged=True), dict.fromkeys(PERSONAS, 303)
    ),
]


@pytest.mark.parametrize("cell", WEB_CELLS, ids=[c.name for c in WEB_CELLS])
async def test_web_role_matrix(session, app, cell: Cell):
    scene = await build_scene(session)
    answers = {}
    for persona in PERSONAS:
        client, csrf = await web_client(app, scene, persona)
        try:
            method, path, body = await cell.prepare(session, scene, persona)
            if method == "GET":
                response = await client.get(path)
            else:
                response = await client.post(path, data={**(body or {}), "csrf_token": csrf})
        finally:
            await client.aclose()
        answers[persona] = response.status_code
    assert answers == cell.expected
