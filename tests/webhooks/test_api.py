"""Webhook API: admins only, every route; validation with the field and reason; secrets shown once;
the delivery log, redelivery and test messages; workspace isolation."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from ideaflow.db import utcnow
from ideaflow.outbox.models import OutboxEvent
from ideaflow.webhooks import service
from ideaflow.webhooks.models import WebhookDelivery, WebhookEndpoint
from ideaflow.webhooks.service import Attempt
from ideaflow.webhooks.transport import SendResult
from ideaflow.workspaces.models import Role
from tests.factories import add_member, make_token, make_user, make_workspace, owner_context
from tests.webhooks.conftest import private_settings


@dataclass
class Scene:
    slug: str
    endpoint_id: int
    delivery_id: int
    headers: dict[str, dict[str, str]]


async def _record(session, endpoint_id: int, *, msg_id: str = "msg_1_1", status: int = 200, error: str | None = None):
    result = SendResult(status, "ok", error, 12)
    attempt = Attempt(endpoint_id, 1, "idea.created", msg_id, 1, '{"type":"idea.created"}')
    await service.record(session, attempt=attempt, result=result, settings=private_settings(), now=utcnow())
    return await session.scalar(
        select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint_id).order_by(WebhookDelivery.id.desc())
    )


@pytest.fixture
async def scene(session) -> Scene:
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    endpoint = await service.create_endpoint(
        session, ctx, url="https://hooks.example.com/in", event_types=["*"], settings=private_settings()
    )
    delivery_id = await _record(session, endpoint.id)
    headers = {"anonymous": {}, "admin": await make_token(session, ctx.user)}
    for role in (Role.member, Role.staff):
        user = await make_user(session)
        await add_member(session, workspace, user, role)
        headers[role.value] = await make_token(session, user)
    other = await make_workspace(session)
    headers["other_admin"] = await make_token(session, (await owner_context(session, other)).user)
    return Scene(workspace.slug, endpoint.id, delivery_id, headers)


def _routes(s: Scene) -> list[tuple[str, str, dict | None]]:
    base = f"/api/v1/{s.slug}/webhooks"
    return [
        ("GET", base, None),
        ("GET", f"{base}/event-types", None),
        ("POST", base, {"url": "https://other.example.com/x", "event_types": ["*"]}),
        ("GET", f"{base}/{s.endpoint_id}", None),
        ("PATCH", f"{base}/{s.endpoint_id}", {"description": "changed"}),
        ("POST", f"{base}/{s.endpoint_id}/rotate-secret", None),
        ("POST", f"{base}/{s.endpoint_id}/test", None),
        ("GET", f"{base}/{s.endpoint_id}/deliveries", None),
        ("POST", f"{base}/{s.endpoint_id}/deliveries/{s.delivery_id}/redeliver", None),
        ("DELETE", f"{base}/{s.endpoint_id}", None),
    ]


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("member", 403), ("staff", 403), ("other_admin", 403)])
async def test_only_admins_of_the_workspace_reach_any_webhook_route(client, scene: Scene, who, status):
    for method, path, body in _routes(scene):
        response = await client.request(method, path, json=body, headers=scene.headers[who])
        assert response.status_code == status, (method, path, response.text)
        assert response.json()["error"] in ("unauthorized", "forbidden")


async def test_admins_reach_every_webhook_route(client, scene: Scene):
    expected = {"GET": 200, "POST": (200, 201, 202), "PATCH": 200, "DELETE": 204}
    for method, path, body in _routes(scene):
        response = await client.request(method, path, json=body, headers=scene.headers["admin"])
        ok = expected[method]
        assert response.status_code in (ok if isinstance(ok, tuple) else (ok,)), (method, path, response.text)


async def test_registering_an_endpoint_returns_its_secret_once(client, scene: Scene):
    admin = scene.headers["admin"]
    response = await client.post(
        f"/api/v1/{scene.slug}/webhooks",
        json={"url": "https://crm.example.com/ideaflow", "description": "CRM", "event_types": ["idea.created"]},
        headers=admin,
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) == 32
    assert created["event_types"] == ["idea.created"] and created["enabled"] is True

    again = await client.get(f"/api/v1/{scene.slug}/webhooks/{created['id']}", headers=admin)
    assert "secret" not in again.json()
    listed = await client.get(f"/api/v1/{scene.slug}/webhooks", headers=admin)
    assert {e["url"] for e in listed.json()} == {"https://hooks.example.com/in", "https://crm.example.com/ideaflow"}
    assert all("secret" not in e for e in listed.json())


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"url": "http://hooks.example.com/x", "event_types": ["*"]}, "url", "must use https://"),
        ({"url": "https://127.0.0.1/x", "event_types": ["*"]}, "url", "loopback"),
        ({"url": "https://169.254.169.254/x", "event_types": ["*"]}, "url", "cloud metadata"),
        ({"url": "https://a:b@hooks.example.com/x", "event_types": ["*"]}, "url", "user name or password"),
        ({"url": "https://hooks.example.com/x", "event_types": ["idea.exploded"]}, "event_types", "unknown event"),
        ({"url": "https://hooks.example.com/x", "event_types": ["note.created"]}, "event_types", "unknown event"),
        ({"url": "https://hooks.example.com/x", "event_types": []}, "event_types", "at least 1"),
    ],
)
async def test_bad_endpoints_are_refused_with_the_field_and_reason(client, scene: Scene, body, field, reason):
    response = await client.post(f"/api/v1/{scene.slug}/webhooks", json=body, headers=scene.headers["admin"])
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid"
    assert reason in payload["fields"][field]


async def test_plain_http_to_a_private_address_is_accepted_when_private_targets_are_allowed(
    private_client, scene: Scene
):
    response = await private_client.post(
        f"/api/v1/{scene.slug}/webhooks",
        json={"url": "http://10.1.2.3:8080/hooks", "event_types": ["*"]},
        headers=scene.headers["admin"],
    )
    assert response.status_code == 201, response.text


async def test_patch_changes_events_and_reenabling_clears_the_failure_streak(client, session, scene: Scene):
    admin = scene.headers["admin"]
    url = f"/api/v1/{scene.slug}/webhooks/{scene.endpoint_id}"
    response = await client.patch(url, json={"event_types": ["vote.cast", "idea.created"]}, headers=admin)
    assert response.json()["event_types"] == ["idea.created", "vote.cast"]

    disabled = await client.patch(url, json={"enabled": False}, headers=admin)
    assert disabled.json()["enabled"] is False and disabled.json()["disabled_reason"].startswith("Disabled by")
    endpoint = await session.get(WebhookEndpoint, scene.endpoint_id)
    endpoint.failure_streak = 9
    await session.flush()

    enabled = await client.patch(url, json={"enabled": True}, headers=admin)
    body = enabled.json()
    assert body["enabled"] is True and body["disabled_reason"] is None and body["failure_streak"] == 0


async def test_rotating_the_secret_returns_a_new_one(client, session, scene: Scene):
    before = (await session.get(WebhookEndpoint, scene.endpoint_id)).secret
    response = await client.post(
        f"/api/v1/{scene.slug}/webhooks/{scene.endpoint_id}/rotate-secret", headers=scene.headers["admin"]
    )
    assert response.status_code == 200
    assert response.json()["secret"].startswith("whsec_") and response.json()["secret"] != before


async def test_the_delivery_log_lists_attempts_newest_first_and_pages(client, session, scene: Scene):
    second = await _record(session, scene.endpoint_id, msg_id="msg_2_1", status=500, error="HTTP 500")
    admin = scene.headers["admin"]
    url = f"/api/v1/{scene.slug}/webhooks/{scene.endpoint_id}/deliveries"
    rows = (await client.get(url, headers=admin)).json()
    assert [r["id"] for r in rows] == [second, scene.delivery_id]
    assert rows[0]["status_code"] == 500 and rows[0]["error"] == "HTTP 500" and rows[0]["succeeded"] is False
    assert rows[1]["succeeded"] is True and rows[1]["msg_id"] == "msg_1_1"
    older = (await client.get(url, params={"limit": 1, "before_id": second}, headers=admin)).json()
    assert [r["id"] for r in older] == [scene.delivery_id]


async def test_redeliver_and_test_queue_an_event_for_the_worker(client, session, scene: Scene):
    admin = scene.headers["admin"]
    base = f"/api/v1/{scene.slug}/webhooks/{scene.endpoint_id}"
    response = await client.post(f"{base}/deliveries/{scene.delivery_id}/redeliver", headers=admin)
    assert response.status_code == 202 and response.json()["queued"] is True
    assert (await client.post(f"{base}/test", headers=admin)).status_code == 202

    events = list(await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))
    queued = [(e.type, e.payload.get("endpoint_id"), e.payload.get("delivery_id")) for e in events[-2:]]
    assert queued == [
        ("webhook.redelivery_requested", scene.endpoint_id, scene.delivery_id),
        ("webhook.test_requested", scene.endpoint_id, None),
    ]


async def test_another_workspaces_admin_cannot_reach_an_endpoint_through_their_own_workspace(
    client, session, scene: Scene
):
    other = await make_workspace(session)
    ctx = await owner_context(session, other)
    headers = await make_token(session, ctx.user)
    base = f"/api/v1/{other.slug}/webhooks/{scene.endpoint_id}"
    assert (await client.get(base, headers=headers)).status_code == 404
    assert (await client.patch(base, json={"enabled": False}, headers=headers)).status_code == 404
    assert (await client.get(f"{base}/deliveries", headers=headers)).status_code == 404
    assert (await client.post(f"{base}/deliveries/{scene.delivery_id}/redeliver", headers=headers)).status_code == 404
    assert (await client.delete(base, headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/{other.slug}/webhooks", headers=headers)).json() == []


async def test_a_delivery_of_another_endpoint_cannot_be_redelivered_through_this_one(client, session, scene: Scene):
    ctx = await owner_context(session, await _workspace(session, scene.slug))
    second = await service.create_endpoint(
        session, ctx, url="https://two.example.com/x", event_types=["*"], settings=private_settings()
    )
    response = await client.post(
        f"/api/v1/{scene.slug}/webhooks/{second.id}/deliveries/{scene.delivery_id}/redeliver",
        headers=scene.headers["admin"],
    )
    assert response.status_code == 404


async def test_deleting_an_endpoint_removes_it_and_its_log(client, session, scene: Scene):
    admin = scene.headers["admin"]
    base = f"/api/v1/{scene.slug}/webhooks/{scene.endpoint_id}"
    assert (await client.delete(base, headers=admin)).status_code == 204
    assert (await client.get(base, headers=admin)).status_code == 404
    assert await session.scalar(select(WebhookDelivery.id)) is None


async def _workspace(session, slug: str):
    from ideaflow.workspaces.models import Workspace

    return await session.scalar(select(Workspace).where(Workspace.slug == slug))
