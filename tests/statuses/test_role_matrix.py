"""Every staff route of triage (statuses, official responses, tags, internal notes, the audit log), on the API
and on the web, answers exactly as the role matrix says for an anonymous visitor, a member, staff, an admin and
staff of another workspace. Each cell gets its own fresh target, so one cell cannot hide another's answer."""

from __future__ import annotations

import pytest

from ideaflow.ideas import service as idea_service
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from tests.factories import owner_context
from tests.statuses.scene import (
    ADMIN_WEB_GET,
    ADMIN_WEB_POST,
    STAFF_WEB_GET,
    STAFF_WEB_POST,
    Cell,
    Scene,
    admin_api_ok,
    api_answers,
    fixed,
    staff_api_ok,
    web_answers,
)


async def _response_id(session, scene: Scene) -> int:
    answer = await status_service.post_response(
        session, workspace_id=scene.workspace.id, idea=scene.idea, actor_id=scene.users["staff"].id, body="We hear you."
    )
    return answer.id


async def _tag(session, scene: Scene, persona: str) -> int:
    ctx = await owner_context(session, scene.workspace)
    tag = await tag_service.create_tag(session, ctx, name=f"Tag for {persona}", colour="#336699")
    return tag.id


async def _tagged(session, scene: Scene, persona: str) -> int:
    tag_id = await _tag(session, scene, persona)
    ctx = await owner_context(session, scene.workspace)
    await tag_service.tag_idea(session, ctx, scene.idea, await tag_service.get_tag(session, ctx, tag_id))
    return tag_id


async def _status(session, scene: Scene, persona: str) -> str:
    ctx = await owner_context(session, scene.workspace)
    created = await status_service.create_status(
        session, ctx, name=f"Spare {persona.replace('_', ' ')}", colour="#123456", category="active"
    )
    return created.key


async def _note_id(session, scene: Scene) -> int:
    from ideaflow.comments import service as comment_service

    ctx = await owner_context(session, scene.workspace)
    view = await idea_service.get_idea(session, ctx, scene.idea.number)
    return (await comment_service.add_note(session, ctx, view, body="Check with sales")).id


async def _api_edit_response(session, scene, persona):
    rid = await _response_id(session, scene)
    return "PATCH", f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/responses/{rid}", {"body": f"Edited by {persona}"}


async def _api_create_tag(session, scene, persona):
    return "POST", f"/api/v1/{scene.slug}/tags", {"name": f"New {persona}", "colour": "#aa3300"}


async def _api_update_tag(session, scene, persona):
    return "PATCH", f"/api/v1/{scene.slug}/tags/{await _tag(session, scene, persona)}", {"colour": "#000000"}


async def _api_delete_tag(session, scene, persona):
    return "DELETE", f"/api/v1/{scene.slug}/tags/{await _tag(session, scene, persona)}", None


async def _api_tag_idea(session, scene, persona):
    tag_id = await _tag(session, scene, persona)
    return "PUT", f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/tags/{tag_id}", None


async def _api_untag_idea(session, scene, persona):
    tag_id = await _tagged(session, scene, persona)
    return "DELETE", f"/api/v1/{scene.slug}/ideas/{scene.idea.number}/tags/{tag_id}", None


async def _api_create_status(session, scene, persona):
    return (
        "POST",
        f"/api/v1/{scene.slug}/statuses",
        {"name": f"Made by {persona}", "colour": "#445566", "category": "open"},
    )


async def _api_update_status(session, scene, persona):
    return "PATCH", f"/api/v1/{scene.slug}/statuses/{await _status(session, scene, persona)}", {"name": f"R {persona}"}


async def _api_delete_status(session, scene, persona):
    return "DELETE", f"/api/v1/{scene.slug}/statuses/{await _status(session, scene, persona)}", None


async def _api_reorder(session, scene, persona):
    statuses = await status_service.list_statuses(session, workspace_id=scene.workspace.id)
    return "PUT", f"/api/v1/{scene.slug}/statuses/order", {"keys": [s.key for s in reversed(statuses)]}


API_CELLS = [
    Cell(
        "change status",
        fixed("POST", "/api/v1/{ws}/ideas/{n}/status", {"status": "planned", "response": "Soon"}),
        staff_api_ok(200),
    ),
    Cell("post response", fixed("POST", "/api/v1/{ws}/ideas/{n}/responses", {"body": "Thanks!"}), staff_api_ok(201)),
    Cell("edit response", _api_edit_response, staff_api_ok(200)),
    Cell("list notes", fixed("GET", "/api/v1/{ws}/ideas/{n}/notes"), staff_api_ok(200)),
    Cell("add note", fixed("POST", "/api/v1/{ws}/ideas/{n}/notes", {"body": "Big customer"}), staff_api_ok(201)),
    Cell("create tag", _api_create_tag, staff_api_ok(201)),
    Cell("update tag", _api_update_tag, staff_api_ok(200)),
    Cell("delete tag", _api_delete_tag, staff_api_ok(204)),
    Cell("tag idea", _api_tag_idea, staff_api_ok(200)),
    Cell("untag idea", _api_untag_idea, staff_api_ok(200)),
    Cell("create status", _api_create_status, admin_api_ok(201)),
    Cell("update status", _api_update_status, admin_api_ok(200)),
    Cell("delete status", _api_delete_status, admin_api_ok(204)),
    Cell("reorder statuses", _api_reorder, admin_api_ok(200)),
    Cell("audit log", fixed("GET", "/api/v1/{ws}/audit"), admin_api_ok(200)),
]


@pytest.mark.parametrize("cell", API_CELLS, ids=[c.name for c in API_CELLS])
async def test_api_role_matrix(session, client, cell: Cell):
    assert await api_answers(session, client, cell) == cell.expected


async def _web_edit_response(session, scene, persona):
    rid = await _response_id(session, scene)
    return "POST", f"/{scene.slug}/ideas/{scene.idea.number}/responses/{rid}", {"response": f"Edited by {persona}"}


async def _web_tag_idea(session, scene, persona):
    return "POST", f"/{scene.slug}/ideas/{scene.idea.number}/tags", {"tag": str(await _tag(session, scene, persona))}


async def _web_untag_idea(session, scene, persona):
    tag_id = await _tagged(session, scene, persona)
    return "POST", f"/{scene.slug}/ideas/{scene.idea.number}/tags/{tag_id}/remove", {}


async def _web_create_tag(session, scene, persona):
    return "POST", f"/{scene.slug}/settings/tags", {"name": f"Web {persona}", "colour": "#225588"}


async def _web_update_tag(session, scene, persona):
    return "POST", f"/{scene.slug}/settings/tags/{await _tag(session, scene, persona)}", {"colour": "#000000"}


async def _web_delete_tag(session, scene, persona):
    return "POST", f"/{scene.slug}/settings/tags/{await _tag(session, scene, persona)}/delete", {}


async def _web_create_status(session, scene, persona):
    return (
        "POST",
        f"/{scene.slug}/settings/statuses",
        {"name": f"Web {persona}", "colour": "#225588", "category": "done"},
    )


async def _web_update_status(session, scene, persona):
    key = await _status(session, scene, persona)
    return "POST", f"/{scene.slug}/settings/statuses/{key}", {"name": f"Renamed {persona}"}


async def _web_move_status(session, scene, persona):
    return "POST", f"/{scene.slug}/settings/statuses/{await _status(session, scene, persona)}/move", {"direction": "up"}


async def _web_delete_status(session, scene, persona):
    return "POST", f"/{scene.slug}/settings/statuses/{await _status(session, scene, persona)}/delete", {}


async def _web_delete_note(session, scene, persona):
    return "POST", f"/{scene.slug}/comments/{await _note_id(session, scene)}/delete", {}


WEB_CELLS = [
    Cell(
        "change status",
        fixed("POST", "/{ws}/ideas/{n}/status", {"status": "planned", "response": "Soon"}),
        STAFF_WEB_POST,
    ),
    Cell("edit response", _web_edit_response, STAFF_WEB_POST),
    Cell("add note", fixed("POST", "/{ws}/ideas/{n}/notes", {"body": "Ask the sales team"}), STAFF_WEB_POST),
    # Notes do not exist for anyone but staff: removing one is a 404, not a 403, for everyone else.
    Cell(
        "delete note",
        _web_delete_note,
        {"anonymous": 401, "member": 404, "other_staff": 404, "staff": 303, "admin": 303},
    ),
    Cell("tag idea", _web_tag_idea, STAFF_WEB_POST),
    Cell("untag idea", _web_untag_idea, STAFF_WEB_POST),
    Cell("tags page", fixed("GET", "/{ws}/settings/tags"), STAFF_WEB_GET),
    Cell("create tag", _web_create_tag, STAFF_WEB_POST),
    Cell("update tag", _web_update_tag, STAFF_WEB_POST),
    Cell("delete tag", _web_delete_tag, STAFF_WEB_POST),
    Cell("board tagging setting", fixed("POST", "/{ws}/settings/tags/boards", {}), ADMIN_WEB_POST),
    Cell("statuses page", fixed("GET", "/{ws}/settings/statuses"), ADMIN_WEB_GET),
    Cell("create status", _web_create_status, ADMIN_WEB_POST),
    Cell("update status", _web_update_status, ADMIN_WEB_POST),
    Cell("move status", _web_move_status, ADMIN_WEB_POST),
    Cell("delete status", _web_delete_status, ADMIN_WEB_POST),
    Cell("audit page", fixed("GET", "/{ws}/admin/audit"), ADMIN_WEB_GET),
    Cell("audit csv", fixed("GET", "/{ws}/admin/audit.csv"), ADMIN_WEB_GET),
]


@pytest.mark.parametrize("cell", WEB_CELLS, ids=[c.name for c in WEB_CELLS])
async def test_web_role_matrix(session, app, cell: Cell):
    assert await web_answers(session, app, cell) == cell.expected
