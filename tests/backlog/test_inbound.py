"""Inbound tracker webhooks: signed state changes move the linked idea's status through the connection's mapping;
bad signatures, replays and stale Linear timestamps are refused; events about unknown items are ignored."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlalchemy import select

from ideaflow.backlog import service
from ideaflow.backlog.models import LinkState, TrackerLink
from ideaflow.ideas.models import Idea
from ideaflow.outbox.models import OutboxEvent
from tests.backlog import payloads
from tests.backlog.conftest import connect
from tests.factories import make_idea, make_workspace

LOCAL = "http://127.0.0.1:9"


async def _linked(session, kind: str, external_id: str, **extra):
    workspace = await make_workspace(session)
    connection = await connect(session, workspace, kind, LOCAL, **extra)
    idea = await make_idea(session, workspace)
    session.add(
        TrackerLink(
            workspace_id=workspace.id,
            idea_id=idea.id,
            connection_id=connection.id,
            link_state=LinkState.linked,
            marker=str(uuid.uuid4()),
            external_id=external_id,
            external_key=external_id,
        )
    )
    await session.flush()
    return workspace, connection, idea


def _url(workspace, connection) -> str:
    return f"/api/v1/{workspace.slug}/trackers/{connection.id}/webhook"


async def _status(session, idea) -> str:
    return await session.scalar(select(Idea.status).where(Idea.id == idea.id).execution_options(populate_existing=True))


async def _status_events(session, idea) -> list[dict]:
    rows = await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "idea.status_changed"))
    return [r.payload for r in rows if r.payload["idea_id"] == idea.id]


def _request(kind: str, secret: str, external_id: str, **kw):
    if kind == "github":
        return payloads.github_request(secret, payloads.github_issue_event("closed", int(external_id)), **kw)
    if kind == "jira":
        return payloads.jira_request(secret, payloads.jira_issue_updated(external_id, "PROD-1", to_status="Done"), **kw)
    return payloads.linear_request(
        secret, payloads.linear_issue_update(external_id, state="Done", state_type="completed"), **kw
    )


EXTERNAL = {"github": "12", "jira": "10001", "linear": "7b0c3d52-31b8-4a4e-9c43-5b7b7c1a2e10"}


@pytest.mark.parametrize("kind", ["github", "jira", "linear"])
async def test_signed_done_event_ships_the_idea_and_emits_the_status_change(session, client, kind):
    workspace, connection, idea = await _linked(session, kind, EXTERNAL[kind])
    body, headers = _request(kind, service.webhook_secret_of(connection), EXTERNAL[kind])
    response = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "updated"
    assert await _status(session, idea) == "shipped"
    [event] = await _status_events(session, idea)
    assert (event["from_status"], event["to_status"], event["actor_id"], event["source"]) == (
        "open",
        "shipped",
        None,
        kind,
    )
    link = (await session.scalars(select(TrackerLink).where(TrackerLink.idea_id == idea.id))).one()
    assert link.state == {"github": "closed", "jira": "Done", "linear": "Done"}[kind]
    assert link.synced_at is not None


@pytest.mark.parametrize("kind", ["github", "jira", "linear"])
async def test_a_bad_signature_is_refused_and_changes_nothing(session, client, kind):
    workspace, connection, idea = await _linked(session, kind, EXTERNAL[kind])
    body, headers = _request(kind, "not-the-secret", EXTERNAL[kind])
    response = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert await _status(session, idea) == "open"
    assert await _status_events(session, idea) == []


@pytest.mark.parametrize("kind", ["github", "jira", "linear"])
async def test_a_body_altered_after_signing_is_refused(session, client, kind):
    workspace, connection, idea = await _linked(session, kind, EXTERNAL[kind])
    body, headers = _request(kind, service.webhook_secret_of(connection), EXTERNAL[kind])
    tampered = body.replace(b'"', b'"', 1) + b" "
    response = await client.post(_url(workspace, connection), content=tampered, headers=headers)
    assert response.status_code == 401
    assert await _status(session, idea) == "open"


@pytest.mark.parametrize("kind", ["github", "jira", "linear"])
async def test_a_replayed_delivery_is_refused_with_409(session, client, kind):
    workspace, connection, idea = await _linked(session, kind, EXTERNAL[kind])
    body, headers = _request(kind, service.webhook_secret_of(connection), EXTERNAL[kind], delivery="delivery-1")
    assert (await client.post(_url(workspace, connection), content=body, headers=headers)).status_code == 200
    again = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["fields"] == {"delivery": "was already received"}
    assert len(await _status_events(session, idea)) == 1


async def test_a_stale_linear_timestamp_is_refused_even_when_signed(session, client):
    workspace, connection, idea = await _linked(session, "linear", EXTERNAL["linear"])
    stale = payloads.linear_issue_update(
        EXTERNAL["linear"], state="Done", state_type="completed", at_ms=int((time.time() - 120) * 1000)
    )
    body, headers = payloads.linear_request(service.webhook_secret_of(connection), stale)
    response = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert response.status_code == 401
    assert "timestamp" in response.json()["detail"]
    assert await _status(session, idea) == "open"


@pytest.mark.parametrize("kind", ["github", "jira", "linear"])
async def test_an_event_about_an_unlinked_item_is_accepted_and_ignored(session, client, kind):
    workspace, connection, idea = await _linked(session, kind, EXTERNAL[kind])
    other = {"github": "999", "jira": "55555", "linear": "0d0c1b2a-0000-4000-8000-000000000000"}[kind]
    body, headers = _request(kind, service.webhook_secret_of(connection), other)
    response = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert response.status_code == 202
    assert response.json()["outcome"] == "ignored"
    assert await _status(session, idea) == "open"


async def test_github_reopened_and_not_planned_follow_the_mapping(session, client):
    workspace, connection, idea = await _linked(
        session, "github", "12", mapping="closed:not_planned = declined\nclosed = shipped\nopen = planned"
    )
    secret = service.webhook_secret_of(connection)
    url = _url(workspace, connection)
    body, headers = payloads.github_request(
        secret, payloads.github_issue_event("closed", 12, state_reason="not_planned")
    )
    assert (await client.post(url, content=body, headers=headers)).status_code == 200
    assert await _status(session, idea) == "declined"
    body, headers = payloads.github_request(secret, payloads.github_issue_event("reopened", 12))
    assert (await client.post(url, content=body, headers=headers)).status_code == 200
    assert await _status(session, idea) == "planned"


async def test_a_state_without_mapping_is_recorded_but_changes_no_status(session, client):
    workspace, connection, idea = await _linked(session, "jira", "10001")
    body, headers = payloads.jira_request(
        service.webhook_secret_of(connection), payloads.jira_issue_updated("10001", "PROD-1", to_status="In Review")
    )
    response = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert response.status_code == 200 and response.json()["outcome"] == "unchanged"
    assert await _status(session, idea) == "open"
    link = (await session.scalars(select(TrackerLink).where(TrackerLink.idea_id == idea.id))).one()
    assert link.state == "In Review"


async def test_another_workspace_cannot_drive_a_connection(session, client):
    _, connection, idea = await _linked(session, "github", "12")
    other = await make_workspace(session)
    body, headers = _request("github", service.webhook_secret_of(connection), "12")
    response = await client.post(_url(other, connection), content=body, headers=headers)
    assert response.status_code == 404
    assert await _status(session, idea) == "open"


async def test_signed_webhook_passes_the_api_csrf_check_without_a_token(session, client):
    """Trackers send no cookies: the API's CSRF check (cookie sessions only) lets signed deliveries through."""
    workspace, connection, _ = await _linked(session, "github", "12")
    body, headers = _request("github", service.webhook_secret_of(connection), "12")
    assert "X-CSRF-Token" not in headers and "Cookie" not in headers
    response = await client.post(_url(workspace, connection), content=body, headers=headers)
    assert response.status_code == 200


async def test_signed_webhooks_count_per_connection_not_against_the_senders_write_budget(session, client, monkeypatch):
    from ideaflow.config import get_settings

    monkeypatch.setattr(get_settings(), "rate_limit_write_per_minute", 2)
    workspace, connection, _ = await _linked(session, "github", EXTERNAL["github"])
    answers = []
    for _ in range(4):
        body, headers = _request("github", service.webhook_secret_of(connection), "999")
        answers.append((await client.post(_url(workspace, connection), content=body, headers=headers)).status_code)
    assert answers == [202, 202, 202, 202]
    # Any other unsafe API call from the same address still counts against the budget.
    refused = [(await client.post(f"/api/v1/{workspace.slug}/ideas", json={})).status_code for _ in range(3)]
    assert refused[-1] == 429
