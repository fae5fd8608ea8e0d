"""Webhook rules: admins manage endpoints (URL, events, secret); events become Standard Webhooks messages
(`{type, timestamp, data}`, signed with `webhook-id`, `webhook-timestamp`, `webhook-signature`), sent under
the SSRF rules of `transport`, logged per attempt, and endpoints that keep failing are disabled.

Retries: one outbox event fans out to every subscribed endpoint. A failed send raises, so the outbox retries
the event with its backoff; endpoints that already accepted the message are skipped on the retry (the
delivery log is the idempotency record), and every attempt carries the same `webhook-id`. When the outbox
gives up, the event is dead-lettered and an admin can retry it from the events page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ideaflow import __version__, outbox
from ideaflow.audit import service as audit
from ideaflow.config import Settings
from ideaflow.db import utcnow
from ideaflow.errors import Forbidden, Invalid, NotFound
from ideaflow.webhooks import repository
from ideaflow.webhooks.models import WebhookDelivery, WebhookEndpoint
from ideaflow.webhooks.transport import SendResult, TargetRefused, validate_url
from ideaflow.workspaces.service import WorkspaceContext

# The public events an endpoint can subscribe to. Anything else (internal notes, webhook bookkeeping, events
# other domains add later) is never sent unless it is listed here with a public representation.
EVENT_TYPES: dict[str, str] = {
    "idea.created": "An idea is posted",
    "idea.status_changed": "An idea's status changes",
    "idea.response_posted": "An official response is posted or edited",
    "idea.deleted": "An idea is deleted",
    "idea.merged": "An idea is merged into another one",
    "idea.unmerged": "A merge is undone",
    "comment.created": "A public comment is posted",
    "vote.cast": "Someone votes for an idea",
    "vote.changed": "Someone changes their vote",
    "vote.withdrawn": "Someone withdraws a vote",
}
ALL_EVENTS = "*"
TEST_EVENT = "webhook.test"
# Internal requests, handled by the webhook handlers themselves.
TEST_REQUESTED = "webhook.test_requested"
REDELIVERY_REQUESTED = "webhook.redelivery_requested"
ENDPOINT_DISABLED = "webhook_endpoint.disabled"

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
DESCRIPTION_MAX = 200
EXCERPT_MAX = 2000
ERROR_MAX = 500
MAX_ENDPOINTS_PER_WORKSPACE = 50


class DeliveryFailed(Exception):
    """Raised by the handler so that the outbox retries the event later."""


def require_admin(ctx: WorkspaceContext) -> None:
    if ctx.user is None or not ctx.is_admin:
        raise Forbidden("Only workspace admins can manage webhooks.")


# Signing (https://www.standardwebhooks.com).


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret: str, *, msg_id: str, timestamp: int, body: str) -> str:
    """`v1,` + base64(HMAC-SHA256(secret bytes, "{id}.{timestamp}.{body}"))."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its grace period after a rotation lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(endpoint.previous_secret)
    return found


def message_headers(endpoint: WebhookEndpoint, *, msg_id: str, body: str, now: datetime) -> dict[str, str]:
    timestamp = int(now.timestamp())
    signature = " ".join(sign(s, msg_id=msg_id, timestamp=timestamp, body=body) for s in signing_secrets(endpoint, now))
    return {
        "content-type": "application/json",
        "user-agent": f"ideaflow-webhooks/{__version__}",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


def message_body(*, type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    return json.dumps(
        {"type": type, "timestamp": timestamp.isoformat().replace("+00:00", "Z"), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def message_id(event_id: int, endpoint_id: int) -> str:
    """Stable for one event and one endpoint, so every retry and redelivery carries the same `webhook-id`."""
    return f"msg_{event_id}_{endpoint_id}"


def subscribes(endpoint: WebhookEndpoint, type: str) -> bool:
    return ALL_EVENTS in endpoint.event_types or type in endpoint.event_types


# Managing endpoints (admins).


def _clean_event_types(event_types: list[str] | None) -> list[str]:
    chosen = [t.strip() for t in (event_types or []) if t and t.strip()]
    if not chosen:
        raise Invalid.field("event_types", "choose at least one event")
    if ALL_EVENTS in chosen:
        return [ALL_EVENTS]
    unknown = sorted(set(chosen) - set(EVENT_TYPES))
    if unknown:
        raise Invalid.field("event_types", f"unknown event type {unknown[0]!r}")
    return [t for t in EVENT_TYPES if t in chosen]


def _clean_url(url: str, settings: Settings) -> str:
    try:
        return validate_url(url, allow_private=settings.webhooks_allow_private_targets)
    except TargetRefused as exc:
        raise Invalid.field("url", str(exc)) from None


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise Invalid.field("description", f"must be at most {DESCRIPTION_MAX} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in description):
        raise Invalid.field("description", "must be one line of text without control characters")
    return description


async def list_endpoints(
    session: AsyncSession, ctx: WorkspaceContext
) -> list[tuple[WebhookEndpoint, WebhookDelivery | None]]:
    """Every endpoint with its latest delivery attempt (two queries, however many endpoints)."""
    require_admin(ctx)
    endpoints = await repository.list_endpoints(session, workspace_id=ctx.workspace.id)
    latest = await repository.last_delivery_by_endpoint(session, workspace_id=ctx.workspace.id)
    return [(e, latest.get(e.id)) for e in endpoints]


async def get_endpoint(session: AsyncSession, ctx: WorkspaceContext, endpoint_id: int) -> WebhookEndpoint:
    require_admin(ctx)
    endpoint = await repository.get_endpoint(session, workspace_id=ctx.workspace.id, endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFound("No webhook endpoint with that id in this workspace.")
    return endpoint


async def create_endpoint(
    session: AsyncSession,
    ctx: WorkspaceContext,
    *,
    url: str,
    description: str = "",
    event_types: list[str],
    settings: Settings,
) -> WebhookEndpoint:
    """The new endpoint; its `secret` is shown to the admin once, right after this."""
    require_admin(ctx)
    fields = {}
    values: dict[str, Any] = {}
    for name, clean in (
        ("url", lambda: _clean_url(url, settings)),
        ("description", lambda: _clean_description(description)),
        ("event_types", lambda: _clean_event_types(event_types)),
    ):
        try:
            values[name] = clean()
        except Invalid as exc:
            fields.update(exc.fields)
    if fields:
        raise Invalid("; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields)
    existing = await repository.list_endpoints(session, workspace_id=ctx.workspace.id)
    if len(existing) >= MAX_ENDPOINTS_PER_WORKSPACE:
        raise Invalid.field("url", f"a workspace can have at most {MAX_ENDPOINTS_PER_WORKSPACE} endpoints")
    now = utcnow()
    endpoint = WebhookEndpoint(
        workspace_id=ctx.workspace.id,
        url=values["url"],
        description=values["description"],
        event_types=values["event_types"],
        secret=generate_secret(),
        enabled=True,
        failure_streak=0,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    await _audit(session, ctx, "webhook_endpoint.created", endpoint, None, _snapshot(endpoint))
    return endpoint


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit log keeps of an endpoint: never its secrets."""
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": list(endpoint.event_types),
        "enabled": endpoint.enabled,
    }


async def _audit(
    session: AsyncSession, ctx: WorkspaceContext, action: str, endpoint: WebhookEndpoint, before, after
) -> None:
    await audit.record_by(
        session, ctx, action=action, target_type="webhook_endpoint", target_id=endpoint.id, before=before, after=after
    )


async def update_endpoint(
    session: AsyncSession,
    ctx: WorkspaceContext,
    endpoint_id: int,
    *,
    settings: Settings,
    url: str | None = None,
    description: str | None = None,
    event_types: list[str] | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    fields: dict[str, str] = {}
    changes: dict[str, Any] = {}
    checks = []
    if url is not None:
        checks.append(("url", lambda: _clean_url(url, settings)))
    if description is not None:
        checks.append(("description", lambda: _clean_description(description)))
    if event_types is not None:
        checks.append(("event_types", lambda: _clean_event_types(event_types)))
    for name, clean in checks:
        try:
            changes[name] = clean()
        except Invalid as exc:
            fields.update(exc.fields)
    if fields:
        raise Invalid("; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields)
    before = _snapshot(endpoint)
    for name, value in changes.items():
        setattr(endpoint, name, value)
    if enabled is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.disabled_reason = None
        endpoint.disabled_at = None
        endpoint.failure_streak = 0
        endpoint.failing_since = None
    elif enabled is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_at = utcnow()
        endpoint.disabled_reason = f"Disabled by {ctx.user.name}."
    endpoint.updated_at = utcnow()
    await session.flush()
    if difference := audit.changed(before, _snapshot(endpoint)):
        await _audit(session, ctx, "webhook_endpoint.updated", endpoint, *difference)
    return endpoint


async def delete_endpoint(session: AsyncSession, ctx: WorkspaceContext, endpoint_id: int) -> None:
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    await _audit(session, ctx, "webhook_endpoint.deleted", endpoint, _snapshot(endpoint), None)
    await session.delete(endpoint)
    await session.flush()


async def rotate_secret(session: AsyncSession, ctx: WorkspaceContext, endpoint_id: int) -> WebhookEndpoint:
    """A new secret signs from now on; the old one also signs for 24 hours, so the receiver can switch over."""
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    now = utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + PREVIOUS_SECRET_GRACE
    endpoint.secret = generate_secret()
    endpoint.updated_at = now
    await session.flush()
    await _audit(
        session,
        ctx,
        "webhook_endpoint.secret_rotated",
        endpoint,
        None,
        {"previous_secret_expires_at": now + PREVIOUS_SECRET_GRACE},
    )
    return endpoint


async def list_deliveries(
    session: AsyncSession, ctx: WorkspaceContext, endpoint_id: int, *, limit: int = 50, before_id: int | None = None
) -> list[WebhookDelivery]:
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    if not 1 <= limit <= 200:
        raise Invalid.field("limit", "must be between 1 and 200")
    return await repository.list_deliveries(
        session, workspace_id=ctx.workspace.id, endpoint_id=endpoint.id, limit=limit, before_id=before_id
    )


async def request_redelivery(
    session: AsyncSession, ctx: WorkspaceContext, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a new attempt of a past message (same `webhook-id` and body, fresh timestamp and signature)."""
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    delivery = await repository.get_delivery(session, workspace_id=ctx.workspace.id, delivery_id=delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        raise NotFound("No delivery with that id for this endpoint.")
    await outbox.emit(
        session,
        type=REDELIVERY_REQUESTED,
        workspace_id=ctx.workspace.id,
        payload={"endpoint_id": endpoint.id, "delivery_id": delivery.id, "actor_id": ctx.user.id},
    )
    return delivery


async def request_test(session: AsyncSession, ctx: WorkspaceContext, endpoint_id: int) -> WebhookEndpoint:
    """Queue a `webhook.test` message to this endpoint (sent even when it is disabled, to try a fix)."""
    endpoint = await get_endpoint(session, ctx, endpoint_id)
    await outbox.emit(
        session,
        type=TEST_REQUESTED,
        workspace_id=ctx.workspace.id,
        payload={"endpoint_id": endpoint.id, "actor_id": ctx.user.id},
    )
    return endpoint


# Recording what happened.


def _trim(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Attempt:
    endpoint_id: int
    event_id: int | None
    event_type: str
    msg_id: str
    attempt: int
    body: str


async def record(
    session: AsyncSession, *, attempt: Attempt, result: SendResult, settings: Settings, now: datetime
) -> WebhookEndpoint | None:
    """Log one attempt and keep the endpoint's failure streak; disable it on 410 Gone or persistent failure
    and emit `webhook_endpoint.disabled` so that admins are told. Returns the endpoint as it now stands
    (None if it was deleted meanwhile)."""
    endpoint = await repository.get_endpoint_for_update(session, endpoint_id=attempt.endpoint_id)
    if endpoint is None:
        return None
    delivery = WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        event_id=attempt.event_id,
        event_type=attempt.event_type,
        msg_id=attempt.msg_id,
        attempt=attempt.attempt,
        request_body=attempt.body,
        succeeded=result.succeeded,
        status_code=result.status_code,
        response_excerpt=_trim(result.response_excerpt, EXCERPT_MAX),
        error=_trim(result.error, ERROR_MAX),
        duration_ms=result.duration_ms,
        created_at=now,
    )
    session.add(delivery)
    if result.succeeded:
        endpoint.failure_streak = 0
        endpoint.failing_since = None
    else:
        endpoint.failure_streak += 1
        endpoint.failing_since = endpoint.failing_since or now
        reason = None
        if result.status_code == 410:
            reason = "The endpoint answered 410 Gone, which means it no longer wants deliveries."
        elif endpoint.failure_streak >= settings.webhooks_disable_after_failures and (
            now - endpoint.failing_since >= timedelta(hours=settings.webhooks_disable_after_hours)
        ):
            reason = _trim(
                f"{endpoint.failure_streak} deliveries in a row failed since "
                f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC; the last one: {result.error}.",
                300,
            )
        if reason and endpoint.enabled:
            endpoint.enabled = False
            endpoint.disabled_at = now
            endpoint.disabled_reason = reason
            await outbox.emit(
                session,
                type=ENDPOINT_DISABLED,
                workspace_id=endpoint.workspace_id,
                # Ids and our own words only: URLs often carry tokens, so handlers load the endpoint themselves.
                payload={"endpoint_id": endpoint.id, "reason": reason},
            )
    await session.flush()
    return endpoint


# What a message says about an event: a public representation loaded fresh, never internal notes.


async def _idea_data(session: AsyncSession, *, workspace_id: int, idea_id: int, settings: Settings) -> dict | None:
    from ideaflow.boards.models import Board
    from ideaflow.ideas.models import Idea
    from ideaflow.workspaces.models import Workspace

    row = (
        await session.execute(
            select(Idea, Board.slug, Board.name, Workspace.slug)
            .join(Board, Board.id == Idea.board_id)
            .join(Workspace, Workspace.id == Idea.workspace_id)
            .where(Idea.id == idea_id, Idea.workspace_id == workspace_id)
        )
    ).first()
    if row is None:
        return None
    idea, board_slug, board_name, workspace_slug = row
    status = idea.status.value if hasattr(idea.status, "value") else str(idea.status)
    return {
        "id": idea.id,
        "number": idea.number,
        "title": idea.title,
        "body": idea.body,
        "status": status,
        "vote_count": idea.vote_count,
        "comment_count": idea.comment_count,
        "board": {"id": idea.board_id, "slug": board_slug, "name": board_name},
        "url": f"{settings.base_url.rstrip('/')}/{workspace_slug}/ideas/{idea.number}",
        "created_at": idea.created_at.isoformat().replace("+00:00", "Z"),
        "deleted": idea.deleted_at is not None,
        "_published": idea.moderation_state == "approved",
    }


async def _actor(session: AsyncSession, user_id: int | None) -> dict | None:
    from ideaflow.accounts.models import User

    if user_id is None:
        return None
    name = await session.scalar(select(User.name).where(User.id == user_id))
    return {"id": user_id, "name": name} if name is not None else None


async def event_data(
    session: AsyncSession, *, type: str, workspace_id: int, payload: dict[str, Any], settings: Settings
) -> dict[str, Any] | None:
    """The `data` of the message for one event, or None if nothing may be sent (unknown type, idea gone)."""
    if type not in EVENT_TYPES:
        return None
    idea_id = payload.get("idea_id")
    if not isinstance(idea_id, int):
        return None
    idea = await _idea_data(session, workspace_id=workspace_id, idea_id=idea_id, settings=settings)
    if idea is None:
        return None
    if type != "idea.deleted" and idea["deleted"]:
        return None
    if not idea.pop("_published"):
        return None  # waiting for moderation, rejected or hidden: nothing about it leaves the workspace
    data: dict[str, Any] = {"idea": idea, "actor": await _actor(session, payload.get("actor_id"))}
    if type in ("idea.merged", "idea.unmerged") and isinstance(payload.get("target_id"), int):
        data["target"] = await _idea_data(
            session, workspace_id=workspace_id, idea_id=payload["target_id"], settings=settings
        )
        if data["target"] is not None:
            data["target"].pop("_published")
    if type == "idea.status_changed":
        for key in ("from_status", "to_status", "to_category"):
            data[key] = payload.get(key)
    if type.startswith("vote.") and "value" in payload:
        data["vote"] = {"value": payload.get("value"), "importance": payload.get("importance")}
    response_id = payload.get("response_id")
    if type in ("idea.status_changed", "idea.response_posted") and isinstance(response_id, int):
        from ideaflow.statuses.models import OfficialResponse

        response = await session.scalar(
            select(OfficialResponse).where(
                OfficialResponse.id == response_id, OfficialResponse.workspace_id == workspace_id
            )
        )
        if response is not None:
            data["response"] = {
                "id": response.id,
                "body": response.body,
                "updated_at": response.updated_at.isoformat().replace("+00:00", "Z"),
            }
    if type == "comment.created":
        from ideaflow.comments.models import Comment

        comment = await session.scalar(
            select(Comment).where(Comment.id == payload.get("comment_id"), Comment.workspace_id == workspace_id)
        )
        # Internal staff notes never leave ideaflow, whatever event names them.
        if comment is None or comment.deleted_at is not None or comment.internal or comment.idea_id != idea["id"]:
            return None
        data["comment"] = {
            "id": comment.id,
            "parent_id": comment.parent_id,
            "body": comment.body,
            "created_at": comment.created_at.isoformat().replace("+00:00", "Z"),
            "url": f"{idea['url']}#comment-{comment.id}",
        }
    return data
