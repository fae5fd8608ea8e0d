"""Every merge route, on the API and on the web, answers exactly as the role matrix says for an anonymous
visitor, a member, staff, an admin and staff of another workspace. Each cell gets fresh ideas, so one cell's
merge cannot change another's answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ideaflow.merges import service as merge_service
from tests.factories import make_idea, owner_context
from tests.statuses.scene import (
    PERSONAS,
    STAFF_WEB_GET,
    STAFF_WEB_POST,
    Cell,
    Prepare,
    Scene,
    api_answers,
    staff_api_ok,
    web_answers,
)

STAFF_API_OK = staff_api_ok(200)
EVERYONE = dict.fromkeys(PERSONAS, 200)


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
    assert await api_answers(session, client, cell) == cell.expected


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
    assert await web_answers(session, app, cell) == cell.expected
