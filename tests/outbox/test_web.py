"""The admins' page of failed deliveries: dead-lettered events of their workspace only, why they failed, and
a Retry button that gives them a fresh set of attempts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ideaflow import outbox
from ideaflow.outbox.models import OutboxEvent, OutboxStatus
from ideaflow.workspaces.models import Role
from tests.conftest import web_sign_in
from tests.factories import PASSWORD, add_member, make_user, make_workspace, owner_context


async def _dead_event(session, workspace_id: int, type: str = "idea.created", error: str = "SMTP said no") -> int:
    await outbox.emit(session, type=type, workspace_id=workspace_id, payload={"idea_id": 1})
    event = await session.scalar(select(OutboxEvent).order_by(OutboxEvent.id.desc()).limit(1))
    event.status = OutboxStatus.dead
    event.attempts = 8
    event.last_error = error
    await session.flush()
    return event.id


async def _signed_in_admin(session, client):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    csrf = await web_sign_in(client, ctx.user.email, PASSWORD)
    return workspace, csrf


async def test_admin_sees_the_workspaces_failed_events_with_the_reason(session, client):
    workspace, _ = await _signed_in_admin(session, client)
    mine = await _dead_event(session, workspace.id, "comment.created", "ideaflow.webhooks: HTTP 500 from receiver")
    other = await make_workspace(session)
    theirs = await _dead_event(session, other.id, "vote.cast", "secret other failure")

    page = await client.get(f"/{workspace.slug}/settings/events")
    assert page.status_code == 200
    assert "comment.created" in page.text and "HTTP 500 from receiver" in page.text
    assert f"#{mine}" in page.text and "1 event" in page.text
    assert "secret other failure" not in page.text and f"/events/{theirs}/retry" not in page.text


async def test_retry_puts_the_event_back_in_the_queue_and_off_the_list(session, client):
    workspace, csrf = await _signed_in_admin(session, client)
    event_id = await _dead_event(session, workspace.id)
    page = await client.get(f"/{workspace.slug}/settings/events")
    action = re.search(r'action="([^"]+/retry)"', page.text).group(1)
    assert action == f"/{workspace.slug}/settings/events/{event_id}/retry"

    response = await client.post(action, data={"csrf_token": csrf})
    assert response.status_code == 303
    event = await session.get(OutboxEvent, event_id)
    await session.refresh(event)
    assert event.status == OutboxStatus.pending and event.attempts == 0

    after = await client.get(response.headers["location"])
    assert "queued again" in after.text and "Nothing has failed" in after.text


async def test_retrying_another_workspaces_event_is_404_and_changes_nothing(session, client):
    workspace, csrf = await _signed_in_admin(session, client)
    other = await make_workspace(session)
    theirs = await _dead_event(session, other.id)
    response = await client.post(f"/{workspace.slug}/settings/events/{theirs}/retry", data={"csrf_token": csrf})
    assert response.status_code == 404
    event = await session.get(OutboxEvent, theirs)
    await session.refresh(event)
    assert event.status == OutboxStatus.dead


async def test_retry_without_the_csrf_token_is_refused(session, client):
    workspace, _ = await _signed_in_admin(session, client)
    event_id = await _dead_event(session, workspace.id)
    response = await client.post(f"/{workspace.slug}/settings/events/{event_id}/retry", data={})
    assert response.status_code == 403
    event = await session.get(OutboxEvent, event_id)
    await session.refresh(event)
    assert event.status == OutboxStatus.dead


async def test_anonymous_visitors_are_sent_to_sign_in(session, client):
    workspace = await make_workspace(session)
    response = await client.get(f"/{workspace.slug}/settings/events")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


@pytest.mark.parametrize("who", ["member", "staff", "other_admin"])
async def test_only_the_workspaces_admins_see_or_retry_failed_events(session, client, who):
    workspace = await make_workspace(session)
    event_id = await _dead_event(session, workspace.id)
    if who == "other_admin":
        user = (await owner_context(session, await make_workspace(session))).user
    else:
        user = await make_user(session)
        await add_member(session, workspace, user, Role(who))
    csrf = await web_sign_in(client, user.email, PASSWORD)

    assert (await client.get(f"/{workspace.slug}/settings/events")).status_code == 403
    response = await client.post(f"/{workspace.slug}/settings/events/{event_id}/retry", data={"csrf_token": csrf})
    assert response.status_code == 403
    event = await session.get(OutboxEvent, event_id)
    await session.refresh(event)
    assert event.status == OutboxStatus.dead


async def test_many_failed_events_are_paged(session, client):
    workspace, _ = await _signed_in_admin(session, client)
    ids = [await _dead_event(session, workspace.id, error=f"failure {n}") for n in range(52)]
    first = await client.get(f"/{workspace.slug}/settings/events")
    assert "52 events" in first.text
    assert f"#{ids[-1]}" in first.text and f"#{ids[1]} " not in first.text
    older = re.search(r'href="([^"]+before_id=\d+)"', first.text).group(1)
    second = await client.get(older.replace("&amp;", "&"))
    assert f"#{ids[0]} " in second.text and f"#{ids[-1]} " not in second.text
