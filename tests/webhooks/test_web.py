"""Webhook settings pages: admins only; adding an endpoint shows its secret once; inline errors keep what was
typed; the disabled banner and re-enable; the delivery log with redeliver, test and rotate buttons."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ideaflow.db import utcnow
from ideaflow.outbox.models import OutboxEvent
from ideaflow.webhooks import service
from ideaflow.webhooks.models import WebhookEndpoint
from ideaflow.webhooks.service import Attempt
from ideaflow.webhooks.transport import SendResult
from ideaflow.workspaces.models import Role
from tests.conftest import csrf_from, web_sign_in
from tests.factories import PASSWORD, add_member, make_user, make_workspace, owner_context
from tests.webhooks.conftest import private_settings


async def _admin(session, client):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    csrf = await web_sign_in(client, ctx.user.email, PASSWORD)
    return workspace, ctx, csrf


async def _endpoint(session, ctx, url="https://hooks.example.com/in", events=("*",)) -> WebhookEndpoint:
    return await service.create_endpoint(session, ctx, url=url, event_types=list(events), settings=private_settings())


async def test_admin_adds_an_endpoint_and_sees_its_secret_exactly_once(session, client):
    workspace, _, csrf = await _admin(session, client)
    page = await client.get(f"/{workspace.slug}/settings/webhooks")
    assert page.status_code == 200 and "No endpoints yet" in page.text

    response = await client.post(
        f"/{workspace.slug}/settings/webhooks",
        data={
            "url": "https://crm.example.com/ideaflow",
            "description": "CRM relay",
            "event_types": ["idea.created", "comment.created"],
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 201
    secret = re.search(r'data-testid="new-secret">(whsec_[^<]+)<', response.text).group(1)
    endpoint = await session.scalar(select(WebhookEndpoint).where(WebhookEndpoint.workspace_id == workspace.id))
    assert endpoint.secret == secret
    assert endpoint.event_types == ["idea.created", "comment.created"]
    assert endpoint.description == "CRM relay"

    detail = await client.get(f"/{workspace.slug}/settings/webhooks/{endpoint.id}")
    assert detail.status_code == 200
    assert secret not in detail.text
    assert "https://crm.example.com/ideaflow" in detail.text
    listing = await client.get(f"/{workspace.slug}/settings/webhooks")
    assert f'href="/{workspace.slug}/settings/webhooks/{endpoint.id}"' in listing.text and secret not in listing.text


async def test_a_refused_url_is_explained_next_to_the_field_and_the_form_is_kept(session, client):
    workspace, _, csrf = await _admin(session, client)
    response = await client.post(
        f"/{workspace.slug}/settings/webhooks",
        data={
            "url": "http://169.254.169.254/latest",
            "description": "Sneaky",
            "event_types": ["vote.cast"],
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 422
    assert 'id="f-url-error"' in response.text and "must use https://" in response.text
    assert 'value="http://169.254.169.254/latest"' in response.text and 'value="Sneaky"' in response.text
    assert re.search(r'value="vote.cast"\s+checked', response.text)
    assert await session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.workspace_id == workspace.id)) is None


async def test_choosing_no_event_is_explained_next_to_the_events(session, client):
    workspace, _, csrf = await _admin(session, client)
    response = await client.post(
        f"/{workspace.slug}/settings/webhooks", data={"url": "https://hooks.example.com/x", "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert 'id="ev-events-error"' in response.text and "choose at least one event" in response.text


async def test_a_disabled_endpoint_shows_a_banner_with_the_reason_and_can_be_enabled_again(session, client):
    workspace, ctx, csrf = await _admin(session, client)
    endpoint = await _endpoint(session, ctx)
    attempt = Attempt(endpoint.id, 7, "idea.created", "msg_7_1", 1, "{}")
    await service.record(
        session, attempt=attempt, result=SendResult(410, "", "HTTP 410", 5), settings=private_settings(), now=utcnow()
    )

    listing = await client.get(f"/{workspace.slug}/settings/webhooks")
    assert 'data-testid="disabled-banner"' in listing.text and "410 Gone" in listing.text
    detail = await client.get(f"/{workspace.slug}/settings/webhooks/{endpoint.id}")
    assert 'data-testid="disabled-banner"' in detail.text and "Enable again" in detail.text
    assert "410" in detail.text  # the log shows the status code

    response = await client.post(f"/{workspace.slug}/settings/webhooks/{endpoint.id}/enable", data={"csrf_token": csrf})
    assert response.status_code == 303
    await session.refresh(endpoint)
    assert endpoint.enabled and endpoint.failure_streak == 0 and endpoint.disabled_reason is None
    after = await client.get(response.headers["location"])
    assert "disabled-banner" not in after.text and "enabled again" in after.text


async def test_the_delivery_log_redeliver_and_test_buttons_queue_work(session, client):
    workspace, ctx, csrf = await _admin(session, client)
    endpoint = await _endpoint(session, ctx)
    attempt = Attempt(endpoint.id, 7, "vote.cast", "msg_7_1", 1, '{"type":"vote.cast"}')
    await service.record(
        session,
        attempt=attempt,
        result=SendResult(500, "upstream exploded", "HTTP 500", 31),
        settings=private_settings(),
        now=utcnow(),
    )
    detail = await client.get(f"/{workspace.slug}/settings/webhooks/{endpoint.id}")
    assert "vote.cast" in detail.text and "msg_7_1" in detail.text and "upstream exploded" in detail.text
    assert "31 ms" in detail.text
    action = re.search(r'action="([^"]+/redeliver)"', detail.text).group(1)

    response = await client.post(action, data={"csrf_token": csrf})
    assert response.status_code == 303 and "notice=redelivery" in response.headers["location"]
    response = await client.post(f"/{workspace.slug}/settings/webhooks/{endpoint.id}/test", data={"csrf_token": csrf})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "A test message is on its way" in page.text

    types = list(await session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id)))
    assert types[-2:] == ["webhook.redelivery_requested", "webhook.test_requested"]


async def test_rotating_shows_the_new_secret_once(session, client):
    workspace, ctx, csrf = await _admin(session, client)
    endpoint = await _endpoint(session, ctx)
    old = endpoint.secret
    response = await client.post(f"/{workspace.slug}/settings/webhooks/{endpoint.id}/rotate", data={"csrf_token": csrf})
    assert response.status_code == 200
    await session.refresh(endpoint)
    assert endpoint.secret != old and endpoint.secret in response.text and old not in response.text
    assert "keeps signing messages for 24 hours" in response.text


async def test_editing_and_deleting_an_endpoint(session, client):
    workspace, ctx, csrf = await _admin(session, client)
    endpoint = await _endpoint(session, ctx)
    base = f"/{workspace.slug}/settings/webhooks/{endpoint.id}"
    response = await client.post(
        base,
        data={"url": "https://new.example.com/x", "description": "", "event_types": ["*"], "csrf_token": csrf},
    )
    assert response.status_code == 303
    await session.refresh(endpoint)
    assert endpoint.url == "https://new.example.com/x"

    bad = await client.post(base, data={"url": "ftp://x", "event_types": ["*"], "csrf_token": csrf})
    assert bad.status_code == 422 and 'id="f-url-error"' in bad.text and 'value="ftp://x"' in bad.text

    response = await client.post(f"{base}/delete", data={"csrf_token": csrf})
    assert response.status_code == 303
    assert (await client.get(base)).status_code == 404


async def test_user_text_on_the_pages_is_escaped(session, client):
    workspace, ctx, _ = await _admin(session, client)
    endpoint = await service.create_endpoint(
        session,
        ctx,
        url="https://hooks.example.com/in",
        description="<script>alert(1)</script>",
        event_types=["*"],
        settings=private_settings(),
    )
    for path in ("", f"/{endpoint.id}"):
        page = await client.get(f"/{workspace.slug}/settings/webhooks{path}")
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text


async def test_workspace_settings_links_to_webhooks_and_failed_deliveries(session, client):
    workspace, _, _ = await _admin(session, client)
    page = await client.get(f"/{workspace.slug}/settings")
    assert f'href="/{workspace.slug}/settings/webhooks"' in page.text
    assert f'href="/{workspace.slug}/settings/events"' in page.text


async def test_anonymous_visitors_are_sent_to_sign_in(session, client):
    workspace = await make_workspace(session)
    response = await client.get(f"/{workspace.slug}/settings/webhooks")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


@pytest.mark.parametrize("who", ["member", "staff", "other_admin"])
async def test_only_admins_of_the_workspace_reach_any_webhook_page(session, client, who):
    workspace = await make_workspace(session)
    ctx = await owner_context(session, workspace)
    endpoint = await _endpoint(session, ctx)
    attempt = Attempt(endpoint.id, 7, "idea.created", "msg_7_1", 1, "{}")
    await service.record(
        session, attempt=attempt, result=SendResult(200, "", None, 5), settings=private_settings(), now=utcnow()
    )
    delivery_id = (await service.list_deliveries(session, ctx, endpoint.id))[0].id
    if who == "other_admin":
        other = await make_workspace(session)
        user = (await owner_context(session, other)).user
    else:
        user = await make_user(session)
        await add_member(session, workspace, user, Role(who))
    csrf = await web_sign_in(client, user.email, PASSWORD)

    base = f"/{workspace.slug}/settings/webhooks"
    for path in (base, f"{base}/{endpoint.id}"):
        assert (await client.get(path)).status_code == 403, path
    posts = [
        (base, {"url": "https://x.example.com/", "event_types": ["*"]}),
        (f"{base}/{endpoint.id}", {"url": "https://x.example.com/", "event_types": ["*"]}),
        (f"{base}/{endpoint.id}/enable", {}),
        (f"{base}/{endpoint.id}/disable", {}),
        (f"{base}/{endpoint.id}/rotate", {}),
        (f"{base}/{endpoint.id}/test", {}),
        (f"{base}/{endpoint.id}/deliveries/{delivery_id}/redeliver", {}),
        (f"{base}/{endpoint.id}/delete", {}),
    ]
    for path, data in posts:
        response = await client.post(path, data={**data, "csrf_token": csrf})
        assert response.status_code == 403, (path, response.text[:200])
    await session.refresh(endpoint)
    assert endpoint.url == "https://hooks.example.com/in" and endpoint.enabled


async def test_a_form_post_without_the_csrf_token_is_refused(session, client):
    workspace, ctx, _ = await _admin(session, client)
    endpoint = await _endpoint(session, ctx)
    response = await client.post(f"/{workspace.slug}/settings/webhooks/{endpoint.id}/delete", data={})
    assert response.status_code == 403
    assert (await client.get(f"/{workspace.slug}/settings/webhooks/{endpoint.id}")).status_code == 200


def test_csrf_helper_is_the_shared_one():
    assert csrf_from('<input name="csrf_token" value="ab12">') == "ab12"


async def test_webhook_pages_cost_the_same_queries_for_1_and_12_endpoints_with_many_deliveries(
    database, session, client
):
    from tests.test_query_counts import counting

    async def workspace_with(endpoints: int):
        workspace = await make_workspace(session)
        ctx = await owner_context(session, workspace)
        for n in range(endpoints):
            endpoint = await _endpoint(session, ctx, url=f"https://hooks{n}.example.com/in")
            for m in range(3):
                attempt = Attempt(endpoint.id, m, "idea.created", f"msg_{m}_{endpoint.id}", 1, "{}")
                result = SendResult(200, "ok", None, 5)
                await service.record(session, attempt=attempt, result=result, settings=private_settings(), now=utcnow())
        return workspace, ctx, endpoint

    small, small_ctx, small_endpoint = await workspace_with(1)
    large, _, large_endpoint = await workspace_with(12)
    await add_member(session, large, small_ctx.user, Role.admin)
    await web_sign_in(client, small_ctx.user.email, PASSWORD)

    async def count(url: str) -> int:
        assert (await client.get(url)).status_code == 200
        with counting(database) as statements:
            assert (await client.get(url)).status_code == 200
        return len(statements)

    assert await count(f"/{small.slug}/settings/webhooks") == await count(f"/{large.slug}/settings/webhooks")
    small_detail = await count(f"/{small.slug}/settings/webhooks/{small_endpoint.id}")
    assert small_detail == await count(f"/{large.slug}/settings/webhooks/{large_endpoint.id}")
