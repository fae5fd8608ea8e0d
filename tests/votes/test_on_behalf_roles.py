"""Every route for votes on a customer's behalf, on the API and on the web, answers exactly as the role matrix
says for an anonymous visitor, a member, staff, an admin and staff of another workspace. Each cell records for
its own customer, so one cell cannot hide another's answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ideaflow.ideas import service as idea_service
from ideaflow.votes import service
from ideaflow.votes.models import Vote
from tests.factories import context
from tests.statuses.scene import PERSONAS, Cell, Scene, api_answers, build_scene, web_answers, web_client

STAFF_API = {"anonymous": 403, "member": 403, "other_staff": 403, "staff": 200, "admin": 200}
# On the web an anonymous visitor is asked to sign in: a 401 page for posts.
STAFF_WEB_POST = {"anonymous": 401, "member": 403, "other_staff": 403, "staff": 303, "admin": 303}


def _email(persona: str) -> str:
    return f"customer-of-{persona.replace('_', '-')}@example.org"


async def _recorded(session, scene: Scene, persona: str) -> int:
    """A vote recorded for this cell's own customer; returns the customer's user id."""
    ctx = await context(session, scene.workspace, scene.users["staff"])
    view = await idea_service.get_idea(session, ctx, scene.idea.number, with_voted=False)
    outcome = await service.record_on_behalf(session, ctx, view, email=_email(persona), source="meeting")
    return outcome.vote.user_id


async def _api_record(session, scene, persona):
    body = {"email": _email(persona), "source": "email"}
    return "PUT", f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/votes/on-behalf", body


async def _api_list(session, scene, persona):
    return "GET", f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/votes/on-behalf", None


async def _api_remove(session, scene, persona):
    user_id = await _recorded(session, scene, persona)
    return "DELETE", f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/votes/on-behalf/{user_id}", None


async def _web_record(session, scene, persona):
    return (
        "POST",
        f"/{scene.slug}/ideas/{scene.idea.number}/votes/on-behalf",
        {"email": _email(persona), "source": "other"},
    )


async def _web_remove(session, scene, persona):
    user_id = await _recorded(session, scene, persona)
    return "POST", f"/{scene.slug}/ideas/{scene.idea.number}/votes/on-behalf/{user_id}/remove", {}


API_CELLS = [
    Cell("record", _api_record, STAFF_API),
    Cell("list", _api_list, STAFF_API),
    Cell("remove", _api_remove, STAFF_API),
]
WEB_CELLS = [
    Cell("record", _web_record, STAFF_WEB_POST),
    Cell("remove", _web_remove, STAFF_WEB_POST),
]


async def _voters(session, scene: Scene) -> set[str]:
    from ideaflow.accounts.models import User

    rows = await session.scalars(
        select(User.email).join(Vote, Vote.user_id == User.id).where(Vote.idea_id == scene.idea.id)
    )
    return set(rows)


def _expected_voters(cell: Cell) -> set[str]:
    """Recording leaves a vote only where it was allowed; removing leaves one only where it was refused."""
    allowed = {p for p, code in cell.expected.items() if code in (200, 303)}
    if cell.name == "record":
        return {_email(p) for p in allowed}
    if cell.name == "remove":
        return {_email(p) for p in PERSONAS if p not in allowed}
    return set()


@pytest.mark.parametrize("cell", API_CELLS, ids=[c.name for c in API_CELLS])
async def test_api_role_matrix(session, client, cell: Cell):
    scene = await build_scene(session)
    assert await api_answers(session, client, cell, scene) == cell.expected
    assert await _voters(session, scene) == _expected_voters(cell)


@pytest.mark.parametrize("cell", WEB_CELLS, ids=[c.name for c in WEB_CELLS])
async def test_web_role_matrix(session, app, cell: Cell):
    scene = await build_scene(session)
    assert await web_answers(session, app, cell, scene) == cell.expected
    assert await _voters(session, scene) == _expected_voters(cell)


async def test_staff_of_another_workspace_cannot_see_the_list_on_the_idea_page(session, app):
    scene = await build_scene(session)
    await _recorded(session, scene, "staff")
    for persona in ("member", "other_staff", "anonymous"):
        client, _ = await web_client(app, scene, persona)
        async with client:
            page = (await client.get(f"/{scene.slug}/ideas/{scene.idea.number}")).text
        assert _email("staff") not in page and 'id="on-behalf"' not in page
