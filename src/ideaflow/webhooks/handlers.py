"""Webhooks: outbox event handlers, registered when the worker loads this module.

Every public event becomes one message per subscribed, enabled endpoint of its workspace. Sending happens
outside any transaction; the outcomes are then recorded in one. A failed send raises so that the outbox
retries the event; endpoints that already accepted the message are skipped on the retry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from ideaflow.config import Settings, get_settings
from ideaflow.db import Database, utcnow
from ideaflow.outbox import Event, Registry
from ideaflow.outbox import registry as default_registry
from ideaflow.outbox import service as outbox_service
from ideaflow.webhooks import repository, service, transport
from ideaflow.webhooks.models import WebhookEndpoint
from ideaflow.webhooks.service import Attempt

log = logging.getLogger("ideaflow.webhooks")


class WebhookDispatcher:
    """The handlers, bound to a database and settings (the process's own by default)."""

    def __init__(
        self,
        database: Callable[[], Database],
        settings: Callable[[], Settings] = get_settings,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._database = database
        self._settings = settings
        self._clock = clock

    def register(self, registry: Registry) -> None:
        registry.register("*", self.handle_event)
        registry.register(service.TEST_REQUESTED, self.handle_test)
        registry.register(service.REDELIVERY_REQUESTED, self.handle_redelivery)

    async def _send(self, endpoint: WebhookEndpoint, attempt: Attempt, settings: Settings):
        headers = service.message_headers(endpoint, msg_id=attempt.msg_id, body=attempt.body, now=self._clock())
        return await transport.send(endpoint.url, body=attempt.body.encode(), headers=headers, settings=settings)

    async def _send_and_record(self, pairs: list[tuple[WebhookEndpoint, Attempt]], settings: Settings) -> list[str]:
        """Send every attempt concurrently, record them all, and return what failed on still-enabled endpoints."""
        results = await asyncio.gather(*(self._send(endpoint, attempt, settings) for endpoint, attempt in pairs))
        failures = []
        async with self._database().write() as session, session.begin():
            now = self._clock()
            for (endpoint, attempt), result in zip(pairs, results, strict=True):
                stored = await service.record(session, attempt=attempt, result=result, settings=settings, now=now)
                if not result.succeeded:
                    log.info("webhook %s to endpoint %s failed: %s", attempt.msg_id, endpoint.id, result.error)
                    if stored is not None and stored.enabled:
                        failures.append(f"endpoint {endpoint.id}: {result.error}")
        return failures

    async def handle_event(self, event: Event) -> None:
        if event.type not in service.EVENT_TYPES or event.workspace_id is None:
            return
        settings = self._settings()
        async with self._database().read() as session:
            endpoints = [
                e
                for e in await repository.list_enabled_endpoints(session, workspace_id=event.workspace_id)
                if service.subscribes(e, event.type)
            ]
            if not endpoints:
                return
            ids = {e.id: service.message_id(event.id, e.id) for e in endpoints}
            earlier = await repository.attempts_of(session, workspace_id=event.workspace_id, msg_ids=list(ids.values()))
            pending = [e for e in endpoints if not any(d.msg_id == ids[e.id] and d.succeeded for d in earlier)]
            if not pending:
                return
            data = await service.event_data(
                session, type=event.type, workspace_id=event.workspace_id, payload=event.payload, settings=settings
            )
        if data is None:
            return
        fresh_body = service.message_body(type=event.type, timestamp=event.created_at, data=data)
        pairs = []
        for endpoint in pending:
            tries = [d for d in earlier if d.msg_id == ids[endpoint.id]]
            # A retry sends the very body of the first attempt: same id, same content.
            body = tries[0].request_body if tries else fresh_body
            pairs.append((endpoint, Attempt(endpoint.id, event.id, event.type, ids[endpoint.id], len(tries) + 1, body)))
        failures = await self._send_and_record(pairs, settings)
        if failures:
            raise service.DeliveryFailed(
                f"{len(failures)} of {len(pairs)} webhook deliveries failed: " + "; ".join(failures)
            )

    async def handle_test(self, event: Event) -> None:
        """One attempt of a `webhook.test` message; its outcome is in the delivery log, never retried."""
        settings = self._settings()
        msg_id = f"msg_test_{event.id}"
        async with self._database().read() as session:
            endpoint = await repository.get_endpoint(
                session, workspace_id=event.workspace_id, endpoint_id=event.payload.get("endpoint_id")
            )
            if endpoint is None or await repository.attempts_of(
                session, workspace_id=endpoint.workspace_id, msg_ids=[msg_id]
            ):
                return
        body = service.message_body(
            type=service.TEST_EVENT,
            timestamp=event.created_at,
            data={"endpoint_id": endpoint.id, "message": "A test message from ideaflow: your endpoint is reachable."},
        )
        attempt = Attempt(endpoint.id, event.id, service.TEST_EVENT, msg_id, 1, body)
        await self._send_and_record([(endpoint, attempt)], settings)

    async def handle_redelivery(self, event: Event) -> None:
        """A new attempt of a past message: same `webhook-id` and body, fresh timestamp and signature."""
        settings = self._settings()
        async with self._database().read() as session:
            delivery = await repository.get_delivery(
                session, workspace_id=event.workspace_id, delivery_id=event.payload.get("delivery_id")
            )
            if delivery is None:
                return
            endpoint = await repository.get_endpoint(
                session, workspace_id=delivery.workspace_id, endpoint_id=delivery.endpoint_id
            )
            if endpoint is None:
                return
            earlier = await repository.attempts_of(
                session, workspace_id=delivery.workspace_id, msg_ids=[delivery.msg_id]
            )
        attempt = Attempt(
            endpoint.id,
            delivery.event_id,
            delivery.event_type,
            delivery.msg_id,
            len(earlier) + 1,
            delivery.request_body,
        )
        await self._send_and_record([(endpoint, attempt)], settings)


dispatcher = WebhookDispatcher(outbox_service.handler_database)
dispatcher.register(default_registry)
