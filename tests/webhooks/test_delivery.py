"""Deliveries end to end: events emitted by real changes, the outbox worker, the webhook handlers and a real
HTTP receiver on 127.0.0.1; signatures checked with the `standardwebhooks` library."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ideaflow import outbox
from ideaflow.comments import service as comment_service
from ideaflow.ideas import service as idea_service
from ideaflow.outbox.models import OutboxEvent, OutboxStatus
from ideaflow.votes import service as vote_service
from ideaflow.webhooks import service
from ideaflow.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import add_member, context, make_idea, make_user, make_workspace, owner_context
from tests.webhooks.conftest import Harness, Receiver


async def _setup(h: Harness, url: str, events=("*",)):
    async with h.database.write() as s, s.begin():
        ws = await make_workspace(s)
        ctx = await owner_context(s, ws)
        endpoint = await service.create_endpoint(s, ctx, url=url, event_types=list(events), settings=h.settings)
    return ws, endpoint


async def _add_endpoint(h: Harness, ws, url: str, events=("*",)) -> WebhookEndpoint:
    async with h.database.write() as s, s.begin():
        ctx = await owner_context(s, ws)
        return await service.create_endpoint(s, ctx, url=url, event_types=list(events), settings=h.settings)


async def _post_idea(h: Harness, ws, title: str = "Dark mode for the dashboard"):
    async with h.database.write() as s, s.begin():
        return await make_idea(s, ws, title=title, body="Please, my eyes.")


async def _deliveries(h: Harness, endpoint_id: int) -> list[WebhookDelivery]:
    async with h.database.read() as s:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id).order_by(WebhookDelivery.id)
        return list(await s.scalars(query))


async def _endpoint(h: Harness, endpoint_id: int) -> WebhookEndpoint:
    async with h.database.read() as s:
        return await s.get(WebhookEndpoint, endpoint_id)


async def _events(h: Harness, type: str | None = None) -> list[OutboxEvent]:
    async with h.database.read() as s:
        query = select(OutboxEvent).order_by(OutboxEvent.id)
        if type:
            query = query.where(OutboxEvent.type == type)
        return list(await s.scalars(query))


def _verify(endpoint: WebhookEndpoint, request) -> dict:
    return Webhook(endpoint.secret).verify(request.body, request.headers)


async def test_a_new_idea_reaches_the_endpoint_signed_per_standard_webhooks(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    idea = await _post_idea(harness, ws)
    await harness.run()

    [request] = receiver.requests
    assert request.method == "POST"
    assert request.path == "/hooks/ideaflow?team=1"
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["content-type"] == "application/json"
    message = _verify(endpoint, request)
    assert message["type"] == "idea.created"
    assert message["timestamp"].endswith("Z")
    data = message["data"]
    assert data["idea"]["title"] == "Dark mode for the dashboard"
    assert data["idea"]["number"] == idea.number
    assert data["idea"]["status"] == "open"
    assert data["idea"]["vote_count"] == 0
    assert data["idea"]["url"] == f"http://testserver/{ws.slug}/ideas/{idea.number}"
    assert data["idea"]["board"]["id"] == idea.board_id and data["idea"]["board"]["slug"]
    assert data["actor"]["id"] == idea.author_id

    [event] = await _events(harness, "idea.created")
    assert request.headers["webhook-id"] == f"msg_{event.id}_{endpoint.id}"
    assert event.status == OutboxStatus.delivered

    [delivery] = await _deliveries(harness, endpoint.id)
    assert delivery.succeeded and delivery.status_code == 200
    assert delivery.attempt == 1 and delivery.event_type == "idea.created"
    assert delivery.response_excerpt == '{"ok":true}'
    assert delivery.error is None and delivery.duration_ms is not None
    assert delivery.request_body == request.body.decode()


async def test_a_tampered_body_or_another_secret_fails_verification(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    await _post_idea(harness, ws)
    await harness.run()
    [request] = receiver.requests
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(request.body.replace(b"Dark", b"Lite"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(service.generate_secret()).verify(request.body, request.headers)


async def test_an_endpoint_gets_only_the_events_it_subscribed_to(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url, events=["idea.created"])
    idea = await _post_idea(harness, ws)
    async with harness.database.write() as s, s.begin():
        voter = await make_user(s)
        ctx = await context(s, ws, voter)
        view = await idea_service.get_idea(s, ctx, idea.number)
        await vote_service.add_vote(s, ctx, view)
    await harness.run()

    assert [_verify(endpoint, r)["type"] for r in receiver.requests] == ["idea.created"]
    assert await _events(harness, "vote.cast")  # the vote did happen, it just was not sent


async def test_votes_and_public_comments_are_sent_with_fresh_counts(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url, events=["vote.cast", "comment.created"])
    idea = await _post_idea(harness, ws)
    async with harness.database.write() as s, s.begin():
        fan = await make_user(s, name="Ada Fan")
        ctx = await context(s, ws, fan)
        view = await idea_service.get_idea(s, ctx, idea.number)
        await vote_service.add_vote(s, ctx, view)
        comment = await comment_service.add_comment(s, ctx, view, body="Yes **please**")
    await harness.run()

    messages = {m["type"]: m["data"] for m in (_verify(endpoint, r) for r in receiver.requests)}
    assert set(messages) == {"vote.cast", "comment.created"}
    assert messages["vote.cast"]["idea"]["vote_count"] == 1
    assert messages["vote.cast"]["actor"] == {"id": fan.id, "name": "Ada Fan"}
    assert messages["comment.created"]["comment"]["id"] == comment.id
    assert messages["comment.created"]["comment"]["body"] == "Yes **please**"


async def test_internal_notes_are_never_delivered(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url, events=["*"])
    idea = await _post_idea(harness, ws)
    await harness.run()
    receiver.requests.clear()

    async with harness.database.write() as s, s.begin():
        staff = await make_user(s)
        from ideaflow.workspaces.models import Role

        await add_member(s, ws, staff, Role.staff)
        ctx = await context(s, ws, staff)
        view = await idea_service.get_idea(s, ctx, idea.number)
        note = await comment_service.add_note(s, ctx, view, body="Customer is on the enterprise plan")
        # Even an event that names the note as a comment does not carry it out.
        await outbox.emit(
            s,
            type="comment.created",
            workspace_id=ws.id,
            payload={"comment_id": note.id, "idea_id": idea.id, "number": idea.number, "actor_id": staff.id},
        )
    await harness.run()

    assert await _events(harness, "note.created")
    assert receiver.requests == []
    assert [d.event_type for d in await _deliveries(harness, endpoint.id)] == ["idea.created"]


async def test_a_failed_delivery_is_retried_with_the_same_webhook_id_and_body(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    await _post_idea(harness, ws)
    receiver.status = 500
    receiver.body = b"database is down"
    await harness.run()

    [event] = await _events(harness, "idea.created")
    assert event.status == OutboxStatus.pending and "HTTP 500" in event.last_error
    [failed] = await _deliveries(harness, endpoint.id)
    assert not failed.succeeded and failed.status_code == 500 and failed.error == "HTTP 500"
    assert failed.response_excerpt == "database is down"
    assert (await _endpoint(harness, endpoint.id)).failure_streak == 1

    receiver.status = 200
    receiver.body = b"ok"
    await harness.run()

    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert _verify(endpoint, second)["type"] == "idea.created"
    assert [(d.attempt, d.succeeded) for d in await _deliveries(harness, endpoint.id)] == [(1, False), (2, True)]
    assert (await _endpoint(harness, endpoint.id)).failure_streak == 0
    [event] = await _events(harness, "idea.created")
    assert event.status == OutboxStatus.delivered


async def test_a_retry_skips_endpoints_that_already_accepted_the_message(harness, receiver: Receiver):
    from tests.webhooks.conftest import Receiver as Server

    broken = Server(status=503)
    await broken.start()
    try:
        ws, good = await _setup(harness, receiver.url)
        bad = await _add_endpoint(harness, ws, broken.url)
        await _post_idea(harness, ws)
        await harness.run(rounds=2)
    finally:
        await broken.stop()

    assert len(receiver.requests) == 1
    assert len(broken.requests) == 2
    assert [d.attempt for d in await _deliveries(harness, bad.id)] == [1, 2]
    assert [d.attempt for d in await _deliveries(harness, good.id)] == [1]


async def test_when_every_attempt_fails_the_event_is_dead_lettered(harness, receiver: Receiver):
    ws, _ = await _setup(harness, receiver.url)
    await _post_idea(harness, ws)
    receiver.status = 500
    await harness.run(rounds=3, max_attempts=3)

    [event] = await _events(harness, "idea.created")
    assert event.status == OutboxStatus.dead
    assert "webhook deliveries failed" in event.last_error
    assert len(receiver.requests) == 3


async def test_410_gone_disables_the_endpoint_at_once_and_tells_the_admins(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    await _post_idea(harness, ws)
    receiver.status = 410
    await harness.run()

    stored = await _endpoint(harness, endpoint.id)
    assert not stored.enabled
    assert "410 Gone" in stored.disabled_reason
    assert stored.disabled_at is not None
    [disabled] = await _events(harness, "webhook_endpoint.disabled")
    assert disabled.workspace_id == ws.id
    assert disabled.payload["endpoint_id"] == endpoint.id and "410" in disabled.payload["reason"]
    # Nothing is left to retry: the only endpoint said it wants no more.
    [event] = await _events(harness, "idea.created")
    assert event.status == OutboxStatus.delivered

    await _post_idea(harness, ws, title="Another one")
    await harness.run()
    assert len(receiver.requests) == 1


async def test_persistent_failure_disables_the_endpoint_only_after_enough_failures_over_enough_time(
    harness, receiver: Receiver
):
    harness.settings = harness.settings.model_copy(
        update={"webhooks_disable_after_failures": 3, "webhooks_disable_after_hours": 24}
    )
    ws, endpoint = await _setup(harness, receiver.url)
    receiver.status = 502
    for n in range(3):
        await _post_idea(harness, ws, title=f"Idea {n}")
    await harness.run(max_attempts=1)

    stored = await _endpoint(harness, endpoint.id)
    assert stored.failure_streak == 3
    assert stored.enabled, "three failures within minutes are not yet persistent"
    assert not await _events(harness, "webhook_endpoint.disabled")

    harness.clock.advance(timedelta(hours=25).total_seconds())
    await _post_idea(harness, ws, title="A day later")
    await harness.run(max_attempts=1)

    stored = await _endpoint(harness, endpoint.id)
    assert not stored.enabled
    assert "4 deliveries in a row failed" in stored.disabled_reason and "HTTP 502" in stored.disabled_reason
    [disabled] = await _events(harness, "webhook_endpoint.disabled")
    assert disabled.payload["endpoint_id"] == endpoint.id


async def test_a_success_resets_the_failure_streak(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    receiver.status = 500
    await _post_idea(harness, ws, title="First")
    await harness.run(max_attempts=1)
    assert (await _endpoint(harness, endpoint.id)).failure_streak == 1
    receiver.status = 204
    receiver.body = b""
    await _post_idea(harness, ws, title="Second")
    await harness.run()
    stored = await _endpoint(harness, endpoint.id)
    assert stored.failure_streak == 0 and stored.failing_since is None


async def test_redelivery_sends_the_same_message_again_with_a_fresh_signature(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    await _post_idea(harness, ws)
    await harness.run()
    [first] = await _deliveries(harness, endpoint.id)

    async with harness.database.write() as s, s.begin():
        ctx = await owner_context(s, ws)
        await service.request_redelivery(s, ctx, endpoint.id, first.id)
    await harness.run()

    original, again = receiver.requests
    assert again.headers["webhook-id"] == original.headers["webhook-id"]
    assert again.body == original.body
    assert _verify(endpoint, again)["type"] == "idea.created"
    assert [d.attempt for d in await _deliveries(harness, endpoint.id)] == [1, 2]


async def test_a_test_message_is_sent_even_to_a_disabled_endpoint(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    async with harness.database.write() as s, s.begin():
        ctx = await owner_context(s, ws)
        await service.update_endpoint(s, ctx, endpoint.id, settings=harness.settings, enabled=False)
        await service.request_test(s, ctx, endpoint.id)
    await harness.run()

    [request] = receiver.requests
    message = _verify(endpoint, request)
    assert message["type"] == "webhook.test"
    assert message["data"]["endpoint_id"] == endpoint.id
    [delivery] = await _deliveries(harness, endpoint.id)
    assert delivery.event_type == "webhook.test" and delivery.succeeded


async def test_a_disabled_endpoint_receives_no_events(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    async with harness.database.write() as s, s.begin():
        ctx = await owner_context(s, ws)
        await service.update_endpoint(s, ctx, endpoint.id, settings=harness.settings, enabled=False)
    await _post_idea(harness, ws)
    await harness.run()
    assert receiver.requests == []


async def test_after_rotation_both_secrets_sign_for_a_while(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    async with harness.database.write() as s, s.begin():
        ctx = await owner_context(s, ws)
        rotated = await service.rotate_secret(s, ctx, endpoint.id)
        new_secret = rotated.secret
    assert new_secret != endpoint.secret
    await _post_idea(harness, ws)
    await harness.run()
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    Webhook(new_secret).verify(request.body, request.headers)
    Webhook(endpoint.secret).verify(request.body, request.headers)


async def test_a_redirect_is_not_followed_and_counts_as_a_failure(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    receiver.status = 302
    receiver.headers = {"Location": f"http://127.0.0.1:{receiver.port}/elsewhere"}
    await _post_idea(harness, ws)
    await harness.run()

    assert [r.path for r in receiver.requests] == ["/hooks/ideaflow?team=1"]
    [delivery] = await _deliveries(harness, endpoint.id)
    assert delivery.status_code == 302 and not delivery.succeeded
    assert "not followed" in delivery.error


async def test_a_huge_response_is_read_only_up_to_the_cap(harness, receiver: Receiver):
    harness.settings = harness.settings.model_copy(update={"webhooks_max_response_bytes": 1000})
    ws, endpoint = await _setup(harness, receiver.url)
    receiver.stream_bytes = 200 * 1024 * 1024
    await _post_idea(harness, ws)
    await harness.run()

    [delivery] = await _deliveries(harness, endpoint.id)
    assert delivery.succeeded
    assert delivery.response_excerpt == "x" * 1000
    assert receiver.bytes_sent < receiver.stream_bytes, "the whole body was read"


async def test_a_slow_endpoint_times_out(harness, receiver: Receiver):
    harness.settings = harness.settings.model_copy(update={"webhooks_read_timeout_seconds": 0.3})
    ws, endpoint = await _setup(harness, receiver.url)
    receiver.delay = 3
    await _post_idea(harness, ws)
    await harness.run()

    [delivery] = await _deliveries(harness, endpoint.id)
    assert not delivery.succeeded and delivery.status_code is None
    assert "Timed out" in delivery.error
    assert delivery.duration_ms < 2500


async def test_with_private_targets_refused_a_loopback_endpoint_is_never_contacted(harness, receiver: Receiver):
    ws, endpoint = await _setup(harness, receiver.url)
    harness.settings = harness.settings.model_copy(update={"webhooks_allow_private_targets": False})
    await _post_idea(harness, ws)
    await harness.run(max_attempts=1)

    assert receiver.requests == []
    [delivery] = await _deliveries(harness, endpoint.id)
    assert delivery.error.startswith("Refused:") and delivery.status_code is None


async def test_events_of_one_workspace_never_reach_another_workspaces_endpoints(harness, receiver: Receiver):
    from tests.webhooks.conftest import Receiver as Server

    other = Server()
    await other.start()
    try:
        ws, _ = await _setup(harness, receiver.url)
        await _setup(harness, other.url)
        await _post_idea(harness, ws)
        await harness.run()
    finally:
        await other.stop()
    assert len(receiver.requests) == 1
    assert other.requests == []
    assert json.loads(receiver.requests[0].body)["data"]["idea"]["url"].split("/")[3] == ws.slug
