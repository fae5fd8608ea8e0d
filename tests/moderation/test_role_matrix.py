"""Every moderation route and member removal, on the API and on the web, answers exactly as the role matrix
says for an anonymous visitor, a member, staff, an admin and staff of another workspace. Each cell gets its
own fresh target (a pending idea, a pending comment, a person to block or remove), so one cell cannot hide
another's answer."""

from __future__ import annotations

import pytest

from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.moderation import service as moderation_service
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_idea, make_user, owner_context
from tests.moderation.helpers import ctx_of, premoderate
from tests.statuses.scene import (
    ADMIN_WEB_POST,
    STAFF_WEB_GET,
    STAFF_WEB_POST,
    Cell,
    Prepare,
    Scene,
    admin_api_ok,
    api_answers,
    fixed,
    staff_api_ok,
    web_answers,
)


async def _pending_idea(session, scene: Scene, persona: str) -> int:
    await premoderate(session, scene.workspace)
    idea = await make_idea(session, scene.workspace, title=f"Waiting idea for {persona.replace('_', ' ')}")
    return idea.number


async def _pending_comment(session, scene: Scene, persona: str) -> int:
    await premoderate(session, scene.workspace)
    ctx = await ctx_of(session, scene.workspace, await make_user(session))
    view = await idea_service.get_idea(session, ctx, scene.idea.number)
    return (await comment_service.add_comment(session, ctx, view, body=f"Waiting comment for {persona}")).id


async def _blocked_user(session, scene: Scene, persona: str) -> int:
    user = await make_user(session)
    await moderation_service.block_user(session, await owner_context(session, scene.workspace), user_id=user.id)
    return user.id


async def _new_member(session, scene: Scene, persona: str) -> int:
    user = await make_user(session)
    await add_member(session, scene.workspace, user, Role.member)
    return user.id


def _on(make, method: str, path: str, body: dict | None = None) -> Prepare:
    async def prepare(session, scene: Scene, persona: str):
        target = await make(session, scene, persona)
        return method, path.format(ws=scene.slug, t=target), body

    return prepare


async def _api_block(session, scene, persona):
    user = await make_user(session)
    return "POST", f"/api/v1/{scene.slug}/moderation/blocks", {"user_id": user.id, "reason": persona}


API_CELLS = [
    Cell("queue", fixed("GET", "/api/v1/{ws}/moderation/queue"), staff_api_ok(200)),
    Cell("approve idea", _on(_pending_idea, "POST", "/api/v1/{ws}/moderation/ideas/{t}/approve"), staff_api_ok(200)),
    Cell(
        "reject idea",
        _on(_pending_idea, "POST", "/api/v1/{ws}/moderation/ideas/{t}/reject", {"reason": "Duplicate"}),
        staff_api_ok(200),
    ),
    Cell(
        "approve comment",
        _on(_pending_comment, "POST", "/api/v1/{ws}/moderation/comments/{t}/approve"),
        staff_api_ok(200),
    ),
    Cell(
        "reject comment",
        _on(_pending_comment, "POST", "/api/v1/{ws}/moderation/comments/{t}/reject", {"reason": "Rude"}),
        staff_api_ok(200),
    ),
    Cell("read settings", fixed("GET", "/api/v1/{ws}/moderation/settings"), admin_api_ok(200)),
    Cell(
        "change settings",
        fixed("PUT", "/api/v1/{ws}/moderation/settings", {"premoderate_ideas": True}),
        admin_api_ok(200),
    ),
    Cell("list blocks", fixed("GET", "/api/v1/{ws}/moderation/blocks"), staff_api_ok(200)),
    Cell("block", _api_block, staff_api_ok(201)),
    Cell("unblock", _on(_blocked_user, "DELETE", "/api/v1/{ws}/moderation/blocks/{t}"), staff_api_ok(204)),
    Cell("remove member", _on(_new_member, "DELETE", "/api/v1/{ws}/members/{t}"), admin_api_ok(204)),
]


@pytest.mark.parametrize("cell", API_CELLS, ids=[c.name for c in API_CELLS])
async def test_api_role_matrix(session, client, cell: Cell):
    assert await api_answers(session, client, cell) == cell.expected


async def _web_block(session, scene, persona):
    user = await make_user(session)
    return "POST", f"/{scene.slug}/admin/moderation/blocked", {"user_id": str(user.id), "content": "keep"}


WEB_CELLS = [
    Cell("queue page", fixed("GET", "/{ws}/admin/moderation"), STAFF_WEB_GET),
    Cell("approve idea", _on(_pending_idea, "POST", "/{ws}/admin/moderation/ideas/{t}/approve", {}), STAFF_WEB_POST),
    Cell(
        "reject idea",
        _on(_pending_idea, "POST", "/{ws}/admin/moderation/ideas/{t}/reject", {"reason": "Spam"}),
        STAFF_WEB_POST,
    ),
    Cell(
        "approve comment",
        _on(_pending_comment, "POST", "/{ws}/admin/moderation/comments/{t}/approve", {}),
        STAFF_WEB_POST,
    ),
    Cell(
        "reject comment",
        _on(_pending_comment, "POST", "/{ws}/admin/moderation/comments/{t}/reject", {"reason": "Spam"}),
        STAFF_WEB_POST,
    ),
    Cell("settings", fixed("POST", "/{ws}/admin/moderation/settings", {"spam_signals": "on"}), ADMIN_WEB_POST),
    Cell("blocked page", fixed("GET", "/{ws}/admin/moderation/blocked"), STAFF_WEB_GET),
    Cell("block", _web_block, STAFF_WEB_POST),
    Cell("unblock", _on(_blocked_user, "POST", "/{ws}/admin/moderation/blocked/{t}/unblock", {}), STAFF_WEB_POST),
    Cell("remove member", _on(_new_member, "POST", "/{ws}/settings/members/{t}/remove", {}), ADMIN_WEB_POST),
]


@pytest.mark.parametrize("cell", WEB_CELLS, ids=[c.name for c in WEB_CELLS])
async def test_web_role_matrix(session, app, cell: Cell):
    assert await web_answers(session, app, cell) == cell.expected
