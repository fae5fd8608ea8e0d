"""The whole loop: staff push the top ideas to GitHub, Jira and Linear stand-ins (which accept them under the
official schemas) through the outbox worker; a signed "closed" event from GitHub then ships an idea, and its
voters are told."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from ideaflow.backlog import handlers as backlog_handlers
from ideaflow.backlog import service
from ideaflow.backlog.models import LinkState, TrackerLink
from ideaflow.ideas import service as idea_service
from ideaflow.ideas.models import Idea
from ideaflow.main import create_app
from ideaflow.notifications import handlers as notification_handlers
from ideaflow.notifications.models import Notification
from ideaflow.outbox import Registry
from ideaflow.outbox import service as outbox_service
from ideaflow.outbox.models import OutboxEvent, OutboxStatus
from ideaflow.outbox.worker import OutboxWorker, WorkerOptions
from ideaflow.votes import service as vote_service
from tests.backlog import payloads
from tests.backlog.conftest import connect
from tests.factories import context, make_idea, make_token, make_user, make_workspace


async def _run_outbox(database) -> None:
    """Deliver every pending event with the real worker, backlog and notification handlers on this database."""
    registry = Registry()
    registry.register("backlog.push_requested", backlog_handlers.on_push_requested)
    for type_ in ("idea.status_changed", "vote.cast", "idea.created"):
        registry.register(type_, notification_handlers.on_idea_event)
    outbox_service.bind_database(database)
    try:
        worker = OutboxWorker(database, options=WorkerOptions(batch_size=50), registry=registry)
        while await worker.run_once():
            pass
    finally:
        outbox_service.bind_database(None)


@pytest.fixture
async def committed_client(committed_database) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(database=committed_database)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        yield client


async def test_top_ideas_go_to_three_trackers_and_a_signed_close_ships_one(
    committed_database, committed_client, github, jira, linear
):
    database, client = committed_database, committed_client
    async with database.write() as session, session.begin():
        staff = await make_user(session)
        workspace = await make_workspace(session, owner=staff)
        connections = [
            await connect(session, workspace, kind, server.base_url)
            for kind, server in (("github", github), ("jira", jira), ("linear", linear))
        ]
        ideas = [await make_idea(session, workspace, title=title) for title in ("SSO", "Dark mode", "Audit log")]
        voters = []
        for idea, count in zip(ideas, (3, 1, 2), strict=True):
            for _ in range(count):
                voter = await make_user(session)
                voters.append((voter.id, idea.id))
                ctx = await context(session, workspace, voter)
                await vote_service.add_vote(session, ctx, await idea_service.get_idea(session, ctx, idea.number))
        headers = await make_token(session, staff)
        secret = service.webhook_secret_of(connections[0])
    await _run_outbox(database)  # votes make voters follow their ideas

    for connection in connections:
        response = await client.post(
            f"/api/v1/{workspace.slug}/backlog/push",
            json={"connection_id": connection.id, "top": {"ranking": "top", "limit": 2}},
            headers=headers,
        )
        assert response.status_code == 202 and response.json() == {"queued": 2}
    await _run_outbox(database)

    async with database.read() as session:
        failed = (await session.scalars(select(OutboxEvent).where(OutboxEvent.status != OutboxStatus.delivered))).all()
        assert [(e.type, e.last_error) for e in failed] == []
        links = (await session.scalars(select(TrackerLink).where(TrackerLink.workspace_id == workspace.id))).all()
    for server in (github, jira, linear):
        assert server.violations == []
        titles = sorted(i.get("title") or i.get("fields", {}).get("summary") for i in server.items.values())
        assert titles == ["Audit log", "SSO"]
    assert len(links) == 6 and all(link.link_state == LinkState.linked for link in links)

    # Pushing the same selection again updates the items: still two per tracker.
    await client.post(
        f"/api/v1/{workspace.slug}/backlog/push",
        json={"connection_id": connections[0].id, "top": {"ranking": "top", "limit": 2}},
        headers=headers,
    )
    await _run_outbox(database)
    assert len(github.items) == 2 and [c[0] for c in github.calls].count("update") == 2

    # GitHub closes the issue of "SSO": the signed delivery ships the idea.
    sso_link = next(k for k in links if k.idea_id == ideas[0].id and k.connection_id == connections[0].id)
    payload = payloads.github_issue_event("closed", int(sso_link.external_id))
    body, hook_headers = payloads.github_request(secret, payload)
    response = await client.post(
        f"/api/v1/{workspace.slug}/trackers/{connections[0].id}/webhook", content=body, headers=hook_headers
    )
    assert response.status_code == 200 and response.json()["outcome"] == "updated"
    async with database.read() as session:
        assert await session.scalar(select(Idea.status).where(Idea.id == ideas[0].id)) == "shipped"
        [changed] = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "idea.status_changed"))).all()
    expected = {"idea_id": ideas[0].id, "from_status": "open", "to_status": "shipped", "source": "github"}
    assert {k: changed.payload[k] for k in expected} == expected
    assert changed.payload["actor_id"] is None

    await _run_outbox(database)
    sso_voters = {voter_id for voter_id, idea_id in voters if idea_id == ideas[0].id}
    async with database.read() as session:
        told = (
            await session.scalars(
                select(Notification.user_id).where(
                    Notification.idea_id == ideas[0].id, Notification.event_type == "idea.status_changed"
                )
            )
        ).all()
    assert len(sso_voters) == 3 and sso_voters <= set(told)
