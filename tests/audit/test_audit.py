"""The audit log: every staff action that exists writes one row (actor, action, target, before and after,
time); admins browse it with filters and keyset pages, read it through the API, and export it as a streamed
CSV; nobody else can."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from ideaflow.audit import service as audit
from ideaflow.audit.models import AuditEvent
from ideaflow.boards import service as board_service
from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.statuses import service as status_service
from ideaflow.tags import service as tag_service
from ideaflow.workspaces import service as workspace_service
from ideaflow.workspaces.models import Role
from tests.factories import context, make_user, owner_context
from tests.statuses.scene import api_headers, build_scene, web_client


async def _actions(session, workspace_id: int) -> list[str]:
    rows = await session.scalars(
        select(AuditEvent.action).where(AuditEvent.workspace_id == workspace_id).order_by(AuditEvent.id)
    )
    return list(rows)


async def test_every_staff_action_writes_one_row(session):
    scene = await build_scene(session)
    ws = scene.workspace
    owner = await owner_context(session, ws)
    staff = await context(session, ws, scene.users["staff"])
    start = len(await _actions(session, ws.id))
    view = await idea_service.get_idea(session, staff, scene.idea.number)
    await status_service.set_status(
        session, workspace_id=ws.id, idea=view.idea, status_key="planned", actor_id=staff.user.id, response="Yes"
    )
    pinned = await status_service.pinned_response(session, workspace_id=ws.id, idea_id=view.idea.id)
    await status_service.edit_response(
        session, workspace_id=ws.id, idea=view.idea, response_id=pinned.response.id, actor_id=staff.user.id, body="No"
    )
    await status_service.create_status(session, owner, name="Needs info", colour="#123456", category="open")
    tag = await tag_service.create_tag(session, staff, name="Mobile", colour="#123456")
    await tag_service.tag_idea(session, staff, view.idea, tag)
    board = await board_service.create_board(session, owner, name="Bugs", slug="bugs")
    await board_service.update_board(session, owner, board, is_open=False)
    newcomer = await make_user(session)
    await workspace_service.add_member(session, owner, email=newcomer.email, role=Role.member)
    await workspace_service.change_role(session, owner, user_id=newcomer.id, role=Role.staff)
    note = await comment_service.add_note(session, staff, view, body="Internal")
    await comment_service.delete_comment(session, staff, comment_id=note.id)
    await idea_service.delete_idea(session, staff, view)
    assert (await _actions(session, ws.id))[start:] == [
        "idea.status_changed",
        "idea.response_edited",
        "status.created",
        "tag.created",
        "idea.tagged",
        "board.created",
        "board.updated",
        "member.added",
        "member.role_changed",
        "note.deleted",
        "idea.deleted",
    ]
    role_change = await session.scalar(
        select(AuditEvent).where(AuditEvent.workspace_id == ws.id, AuditEvent.action == "member.role_changed")
    )
    assert (role_change.actor_id, role_change.target_type, role_change.target_id) == (
        owner.user.id,
        "user",
        newcomer.id,
    )
    assert (role_change.before, role_change.after) == ({"role": "member"}, {"role": "staff"})
    closed = await session.scalar(
        select(AuditEvent).where(AuditEvent.workspace_id == ws.id, AuditEvent.action == "board.updated")
    )
    assert (closed.before, closed.after) == ({"is_open": True}, {"is_open": False})


async def test_an_author_deleting_their_own_idea_is_not_a_staff_action(session):
    scene = await build_scene(session)
    member = await context(session, scene.workspace, scene.users["member"])
    before = await _actions(session, scene.workspace.id)
    await idea_service.delete_idea(session, member, await idea_service.get_idea(session, member, scene.idea.number))
    assert await _actions(session, scene.workspace.id) == before


async def _record_many(session, workspace_id: int, actor_id: int, n: int) -> None:
    for i in range(n):
        await audit.record(
            session,
            workspace_id=workspace_id,
            actor_id=actor_id if i % 2 else None,
            action="test.recorded" if i % 3 else "other.recorded",
            target_type="idea",
            target_id=i,
            before={"n": i},
            after={"n": i + 1},
        )


async def test_the_api_pages_and_filters_the_log(session, client):
    scene = await build_scene(session)
    admin = await api_headers(session, scene, "admin")
    await _record_many(session, scene.workspace.id, scene.users["staff"].id, 30)
    url = f"/api/v1/{scene.slug}/audit"
    seen, cursor = [], None
    while True:
        page = (
            await client.get(url, params={"limit": 7, **({"cursor": cursor} if cursor else {})}, headers=admin)
        ).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    every = (await client.get(url, params={"limit": 200}, headers=admin)).json()["items"]
    assert seen == [e["id"] for e in every] and len(set(seen)) == len(seen) >= 30
    assert seen == sorted(seen, reverse=True)
    mine = (
        await client.get(url, params={"actor": scene.users["staff"].id, "action": "test.recorded"}, headers=admin)
    ).json()
    assert mine["items"] and all(
        e["actor_name"] == "Sam Staff" and e["action"] == "test.recorded" for e in mine["items"]
    )
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert (await client.get(url, params={"since": tomorrow}, headers=admin)).json()["items"] == []
    bad = await client.get(url, params={"since": "last tuesday"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["fields"] == {"since": "use a date like 2026-11-23"}
    forged = await client.get(url, params={"cursor": "bm9wZQ"}, headers=admin)
    assert forged.status_code == 422 and "cursor" in forged.json()["fields"]


async def test_the_log_never_shows_another_workspaces_rows(session, client):
    scene = await build_scene(session)
    other_owner = await owner_context(session, scene.other)
    await tag_service.create_tag(session, other_owner, name="Elsewhere", colour="#000000")
    admin = await api_headers(session, scene, "admin")
    items = (await client.get(f"/api/v1/{scene.slug}/audit", params={"limit": 200}, headers=admin)).json()["items"]
    assert all(e["after"] != {"name": "Elsewhere", "colour": "#000000"} for e in items)


async def test_admins_browse_and_filter_the_log_page(session, app):
    scene = await build_scene(session)
    staff = await context(session, scene.workspace, scene.users["staff"])
    await status_service.set_status(
        session, workspace_id=scene.workspace.id, idea=scene.idea, status_key="shipped", actor_id=staff.user.id
    )
    await tag_service.create_tag(session, staff, name="Mobile", colour="#123456")
    admin, _ = await web_client(app, scene, "admin")
    async with admin:
        page = await admin.get(f"/{scene.slug}/admin/audit")
        filtered = await admin.get(f"/{scene.slug}/admin/audit", params={"action": "tag.created"})
        bad = await admin.get(f"/{scene.slug}/admin/audit", params={"until": "soon"})
    assert page.status_code == 200
    assert "idea.status_changed" in page.text and "Sam Staff" in page.text and "status: shipped" in page.text
    assert "tag.created" in filtered.text and "<code>idea.status_changed</code>" not in filtered.text
    assert bad.status_code == 422 and "use a date like 2026-11-23" in bad.text


async def test_the_csv_export_streams_every_row_and_defuses_formulas(session, app):
    scene = await build_scene(session)
    await _record_many(session, scene.workspace.id, scene.users["staff"].id, 1100)
    await audit.record(
        session,
        workspace_id=scene.workspace.id,
        actor_id=scene.users["staff"].id,
        action="=HYPERLINK(1)",
        target_type="idea",
        target_id=None,
        before=None,
        after={"title": "=cmd"},
    )
    admin, _ = await web_client(app, scene, "admin")
    async with admin:
        response = await admin.get(f"/{scene.slug}/admin/audit.csv")
        only = await admin.get(f"/{scene.slug}/admin/audit.csv", params={"action": "other.recorded"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == audit.CSV_HEADER
    body = rows[1:]
    total = await session.scalar(select(func.count()).where(AuditEvent.workspace_id == scene.workspace.id))
    assert len(body) == total > 1100  # more than two export batches
    assert [int(r[0]) for r in body] == sorted(int(r[0]) for r in body)
    assert body[-1][4] == "'=HYPERLINK(1)" and body[-1][3] == "Sam Staff"
    assert {r[4] for r in list(csv.reader(io.StringIO(only.text)))[1:]} == {"other.recorded"}
