"""Notifications: outbox event handlers, registered when the worker loads this module.

Handlers receive only the event; they reach the database through `outbox.handler_database()` (the database
of the worker running them)."""

from __future__ import annotations

import logging

from ideaflow import outbox
from ideaflow.accounts import service as account_service
from ideaflow.db import Database
from ideaflow.invitations import service as invitation_service
from ideaflow.mail import build_message, is_configured, render_email, send
from ideaflow.mail.message import absolute_url
from ideaflow.notifications import delivery
from ideaflow.webhooks.models import WebhookEndpoint
from ideaflow.workspaces import repository as workspace_repository
from ideaflow.workspaces.models import Workspace

log = logging.getLogger("ideaflow.notifications")


async def on_idea_event(event: outbox.Event) -> None:
    await delivery.handle_event(outbox.handler_database(), event)


async def on_password_reset_requested(event: outbox.Event) -> None:
    await send_account_email(outbox.handler_database(), event)


async def on_verification_requested(event: outbox.Event) -> None:
    await send_account_email(outbox.handler_database(), event)


async def on_invitation_created(event: outbox.Event) -> None:
    await send_invitation(outbox.handler_database(), event)


def _mail_ready(event: outbox.Event) -> bool:
    if is_configured():
        return True
    log.warning("SMTP is not configured (IDEAFLOW_SMTP_HOST): the email for event %s was not sent", event.id)
    return False


async def send_account_email(db: Database, event: outbox.Event) -> bool:
    """A reset or verification link, unless it has been used or has expired meanwhile. At least once: a
    retry after the server accepted the message sends the same link again, which is harmless."""
    token_id = event.payload.get("token_id")
    if not isinstance(token_id, int) or not _mail_ready(event):
        return False
    async with db.read() as session:
        found = await account_service.token_for_email(session, token_id=token_id)
    if found is None:
        return False
    token, user = found
    raw = account_service.token_secret(token)
    if event.type == "account.password_reset_requested":
        email = render_email(
            "password_reset",
            to=user.email,
            subject="Reset your ideaflow password",
            context={"user": user, "link": absolute_url(f"/reset-password/{raw}"), "hours": 1},
        )
    else:
        claim = token.pending_password_hash is not None
        email = render_email(
            "verify_email",
            to=user.email,
            subject="Confirm your email address for ideaflow",
            context={
                "user": user,
                # Never the name typed at sign-up: whoever typed it may not own this inbox.
                "name": user.name,
                "claim": claim,
                "link": absolute_url(f"/verify-email/{raw}"),
            },
        )
    email.message_id = delivery.message_id(token.id, kind=f"a{event.id}.")
    await send(build_message(email))
    return True


async def send_invitation(db: Database, event: outbox.Event) -> bool:
    invitation_id = event.payload.get("invitation_id")
    if not isinstance(invitation_id, int) or not _mail_ready(event):
        return False
    async with db.read() as session:
        opened = await invitation_service.invitation_for_email(session, invitation_id)
    if opened is None:
        return False
    invitation = opened.invitation
    raw = invitation_service.invitation_secret(invitation)
    email = render_email(
        "invitation",
        to=invitation.email,
        subject=f"You are invited to join {opened.workspace.name} on ideaflow",
        context={
            "workspace_name": opened.workspace.name,
            "invited_by": opened.invited_by,
            "role": invitation.role,
            "link": absolute_url(f"/invitations/{raw}"),
            "expires_at": invitation.expires_at,
        },
    )
    email.message_id = delivery.message_id(invitation.id, kind="i")
    await send(build_message(email, sender_name=opened.workspace.name))
    return True


async def on_webhook_endpoint_disabled(event: outbox.Event) -> None:
    await send_webhook_disabled(outbox.handler_database(), event)


async def send_webhook_disabled(db: Database, event: outbox.Event) -> int:
    """Tell the workspace's owners and admins that ideaflow stopped sending to one of their webhook endpoints,
    and why. The URL stays out of the email (URLs often carry tokens): the link leads to the endpoint's page.
    At least once: a retry may send the same message again, with the same Message-ID."""
    endpoint_id = event.payload.get("endpoint_id")
    if not isinstance(endpoint_id, int) or event.workspace_id is None or not _mail_ready(event):
        return 0
    async with db.read() as session:
        endpoint = await session.get(WebhookEndpoint, endpoint_id)
        workspace = await session.get(Workspace, event.workspace_id)
        if endpoint is None or workspace is None or endpoint.workspace_id != workspace.id or endpoint.enabled:
            return 0  # gone, or already enabled again: nothing to say any more
        admins = [
            user
            for membership, user in await workspace_repository.list_members(session, workspace.id)
            if membership.role.is_admin and user.is_active and delivery.may_email(user)
        ]
    sent = 0
    for user in admins:
        email = render_email(
            "webhook_disabled",
            to=user.email,
            subject=f"A webhook endpoint of {workspace.name} was turned off",
            context={
                "workspace_name": workspace.name,
                "name": user.name,
                "description": endpoint.description,
                "reason": event.payload.get("reason") or endpoint.disabled_reason or "",
                "link": absolute_url(f"/{workspace.slug}/settings/webhooks/{endpoint.id}"),
            },
        )
        email.message_id = delivery.message_id(user.id, kind=f"w{event.id}.")
        await send(build_message(email, sender_name=workspace.name))
        sent += 1
    return sent


for _type in ("idea.created", "idea.status_changed", "idea.response_posted", "idea.merged", "comment.created"):
    outbox.register(_type, on_idea_event)
outbox.register("vote.cast", on_idea_event)
outbox.register("account.password_reset_requested", on_password_reset_requested)
outbox.register("account.verification_requested", on_verification_requested)
outbox.register("invitation.created", on_invitation_created)
outbox.register("webhook_endpoint.disabled", on_webhook_endpoint_disabled)
