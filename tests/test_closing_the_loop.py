"""The whole loop, end to end through the API and the real outbox worker: a customer votes; staff publish a
changelog entry that ships the idea; the customer gets an email (a real SMTP server) and an in-app
notification; a webhook receiver verifies the signature with `standardwebhooks`; the idea's Atom feed shows
the change."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import feedparser
import httpx
import pytest
from sqlalchemy import delete
from standardwebhooks.webhooks import Webhook

from ideaflow.config import get_settings
from ideaflow.db import Database
from ideaflow.main import create_app
from ideaflow.outbox.models import OutboxEvent
from ideaflow.outbox.worker import OutboxWorker, WorkerOptions, load_handlers
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_idea, make_token, make_user, make_workspace
from tests.mail.smtp import smtp  # noqa: F401 - the fixture
from tests.webhooks.conftest import Receiver


@pytest.fixture
async def loop_db(committed_database: Database) -> AsyncIterator[Database]:
    async with committed_database.write() as session, session.begin():
        await session.execute(delete(OutboxEvent))
    yield committed_database


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver()
    await found.start()
    yield found
    await found.stop()


async def _deliver_everything(database: Database) -> None:
    """What `ideaflow worker` does, until nothing is left: every handler module, the default registry."""
    load_handlers()
    worker = OutboxWorker(database, options=WorkerOptions(batch_size=50))
    for _ in range(20):
        if not await worker.run_once():
            return
    raise AssertionError("the outbox never drained")


async def test_vote_ship_and_everyone_hears_about_it(loop_db, smtp, receiver, monkeypatch):  # noqa: F811
    # The receiver listens on loopback, which production refuses (SSRF); self-hosters may allow it.
    monkeypatch.setattr(get_settings(), "webhooks_allow_private_targets", True)
    async with loop_db.write() as session, session.begin():
        staff = await make_user(session, name="Dana Staff")
        customer = await make_user(session, name="Casey Customer", email="casey@customer.example")
        workspace = await make_workspace(session, owner=staff, slug="loop")
        idea = await make_idea(session, workspace, title="Export dashboards to PDF")
        staff_auth = await make_token(session, staff)
        customer_auth = await make_token(session, customer)
    ws, number = workspace.slug, idea.number

    app = create_app(database=loop_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        endpoint = await client.post(
            f"/api/v1/{ws}/webhooks",
            json={"url": receiver.url, "event_types": ["idea.status_changed"]},
            headers=staff_auth,
        )
        assert endpoint.status_code == 201, endpoint.text
        secret = endpoint.json()["secret"]

        vote = await client.put(f"/api/v1/{ws}/ideas/{number}/vote", headers=customer_auth)
        assert vote.status_code == 200 and vote.json()["voted"]
        await _deliver_everything(loop_db)  # the vote makes the customer a follower

        entry = await client.post(
            f"/api/v1/{ws}/changelog",
            json={"title": "PDF export is here", "body": "Export any dashboard as a **PDF**.", "ideas": [number],
                  "publish": True},
            headers=staff_auth,
        )  # fmt: skip
        assert entry.status_code == 201, entry.text
        assert (await client.get(f"/api/v1/{ws}/ideas/{number}")).json()["status"] == "shipped"
        await _deliver_everything(loop_db)

        # Email, through the real SMTP server.
        mails = smtp.to("casey@customer.example")
        assert len(mails) == 1
        mail = mails[0].message
        assert "Export dashboards to PDF" in mail["Subject"]
        assert "Shipped" in mails[0].text and f"/{ws}/ideas/{number}" in mails[0].text
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/unsubscribe/" in mail["List-Unsubscribe"]

        # In-app notification.
        inbox = (await client.get("/api/v1/me/notifications", headers=customer_auth)).json()
        items = inbox["items"] if isinstance(inbox, dict) else inbox
        assert [(item["type"], item["idea_number"], item["read"]) for item in items] == [
            ("idea.status_changed", number, False)
        ]
        assert "Shipped" in items[0]["summary"]
        unread = (await client.get("/api/v1/me/notifications/unread-count", headers=customer_auth)).json()
        assert unread["count"] == 1

        # The webhook, signed per Standard Webhooks.
        assert len(receiver.requests) == 1
        request = receiver.requests[0]
        verified = Webhook(secret).verify(request.body, request.headers)
        assert verified["type"] == "idea.status_changed"
        assert verified["data"]["idea"]["number"] == number
        assert json.loads(request.body)["data"]["idea"]["status"] == "shipped"

        # The idea's Atom feed.
        feed = feedparser.parse((await client.get(f"/{ws}/ideas/{number}/feed.atom")).content)
        assert not feed.bozo
        assert "Shipped" in feed.entries[0].title


async def test_an_endpoint_answering_410_is_turned_off_and_admins_told(loop_db, smtp, receiver, monkeypatch):  # noqa: F811
    monkeypatch.setattr(get_settings(), "webhooks_allow_private_targets", True)
    receiver.status = 410
    async with loop_db.write() as session, session.begin():
        owner = await make_user(session, email="owner@loop.example")
        workspace = await make_workspace(session, owner=owner, slug="gone")
        member = await make_user(session, email="member@loop.example")
        await add_member(session, workspace, member, Role.member)
        owner_auth = await make_token(session, owner)
    app = create_app(database=loop_db)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        created = await client.post(
            f"/api/v1/{workspace.slug}/webhooks",
            json={"url": receiver.url, "description": "Team chat relay", "event_types": ["idea.created"]},
            headers=owner_auth,
        )
        assert created.status_code == 201, created.text
        board = (await client.get(f"/api/v1/{workspace.slug}/boards", headers=owner_auth)).json()[0]["slug"]
        posted = await client.post(
            f"/api/v1/{workspace.slug}/ideas",
            json={"board": board, "title": "Saved filters on every board"},
            headers=owner_auth,
        )
        assert posted.status_code == 201, posted.text
        await _deliver_everything(loop_db)

        endpoint = (await client.get(f"/api/v1/{workspace.slug}/webhooks", headers=owner_auth)).json()[0]
        assert endpoint["enabled"] is False and "410" in endpoint["disabled_reason"]
    assert smtp.to("member@loop.example") == []
    (alert,) = smtp.to("owner@loop.example")
    assert "turned off" in alert.message["Subject"]
    assert "Team chat relay" in alert.text and "410 Gone" in alert.text
    assert f"http://testserver/{workspace.slug}/settings/webhooks/{endpoint['id']}" in alert.text
    assert receiver.url not in alert.text and receiver.url not in alert.html
