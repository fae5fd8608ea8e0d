"""Settings changes are staff actions too: webhooks, the widget, invitations and tracker connections each write
an audit row naming what changed — and never the secrets they handle."""

from __future__ import annotations

import orjson
from sqlalchemy import select

from ideaflow.audit.models import AuditEvent
from ideaflow.backlog import service as backlog_service
from ideaflow.backlog.service import ConnectionInput
from ideaflow.invitations import service as invitation_service
from ideaflow.webhooks import service as webhook_service
from ideaflow.widget import service as widget_service
from tests.factories import make_user, make_workspace, owner_context
from tests.webhooks.conftest import private_settings

TRACKER_TOKEN = "ghp_audit_token_never_logged_0123456789"


async def _rows(session, workspace_id: int, prefix: str) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.workspace_id == workspace_id, AuditEvent.action.startswith(prefix))
        .order_by(AuditEvent.id)
    )
    return list(rows)


def _dump(rows: list[AuditEvent]) -> str:
    return orjson.dumps([[r.before, r.after] for r in rows]).decode()


async def _setup(session):
    owner = await make_user(session, name="Audra Admin")
    workspace = await make_workspace(session, owner=owner, name="Auditco")
    return workspace, await owner_context(session, workspace)


async def test_webhook_endpoint_changes_are_audited_without_secrets(session):
    workspace, ctx = await _setup(session)
    settings = private_settings()
    endpoint = await webhook_service.create_endpoint(
        session, ctx, url="https://hooks.example.com/a", event_types=["*"], settings=settings
    )
    first_secret = endpoint.secret
    await webhook_service.update_endpoint(
        session, ctx, endpoint.id, settings=settings, url="https://hooks.example.com/b", enabled=False
    )
    await webhook_service.rotate_secret(session, ctx, endpoint.id)
    second_secret = endpoint.secret
    await webhook_service.delete_endpoint(session, ctx, endpoint.id)

    rows = await _rows(session, workspace.id, "webhook_endpoint.")
    assert [r.action for r in rows] == [
        "webhook_endpoint.created",
        "webhook_endpoint.updated",
        "webhook_endpoint.secret_rotated",
        "webhook_endpoint.deleted",
    ]
    assert all(r.actor_id == ctx.user.id and r.target_id == endpoint.id for r in rows)
    assert rows[1].before == {"url": "https://hooks.example.com/a", "enabled": True}
    assert rows[1].after == {"url": "https://hooks.example.com/b", "enabled": False}
    dumped = _dump(rows)
    assert first_secret not in dumped and second_secret not in dumped and "whsec_" not in dumped


async def test_widget_settings_and_secrets_are_audited_without_secrets(session):
    workspace, ctx = await _setup(session)
    await widget_service.update_settings(
        session, ctx, allowed_origins="https://www.auditco.example", brand_color="#112233"
    )
    await widget_service.update_settings(session, ctx, brand_color="#112233")  # no change: no row
    secret, raw = await widget_service.create_secret(session, ctx)
    await widget_service.revoke_secret(session, ctx, secret_id=secret.id)

    rows = await _rows(session, workspace.id, "widget_")
    assert [r.action for r in rows] == ["widget_settings.updated", "widget_secret.created", "widget_secret.revoked"]
    assert rows[0].after["allowed_origins"] == ["https://www.auditco.example"]
    assert rows[0].after["brand_color"] == "#112233"
    assert rows[1].after == {"key_id": secret.key_id}
    assert raw not in _dump(rows)


async def test_invitations_are_audited(session):
    workspace, ctx = await _setup(session)
    invitation = await invitation_service.create_invitation(
        session, ctx, email="New.Hire@Auditco.example", role="staff"
    )
    await invitation_service.revoke_invitation(session, ctx, invitation_id=invitation.id)

    rows = await _rows(session, workspace.id, "invitation.")
    assert [r.action for r in rows] == ["invitation.created", "invitation.revoked"]
    assert rows[0].after == {"email": "new.hire@auditco.example", "role": "staff"}
    assert rows[1].before == {"email": "new.hire@auditco.example"}


async def test_tracker_connections_are_audited_without_their_token(session):
    workspace, ctx = await _setup(session)
    data = ConnectionInput(
        kind="github", name="GitHub", base_url="https://api.github.com", target="auditco/app", token=TRACKER_TOKEN
    )
    connection = await backlog_service.create_connection(session, ctx, data)
    await backlog_service.update_connection(
        session, ctx, connection.id, backlog_service.input_of(connection, name="Product repo")
    )
    await backlog_service.rotate_webhook_secret(session, ctx, connection.id)
    await backlog_service.delete_connection(session, ctx, connection.id)

    rows = await _rows(session, workspace.id, "tracker_connection.")
    assert [r.action for r in rows] == [
        "tracker_connection.created",
        "tracker_connection.updated",
        "tracker_connection.webhook_secret_rotated",
        "tracker_connection.deleted",
    ]
    assert rows[0].after["target"] == "auditco/app" and rows[0].after["token_hint"] == TRACKER_TOKEN[-4:]
    assert rows[1].before == {"name": "GitHub"} and rows[1].after == {"name": "Product repo"}
    assert TRACKER_TOKEN not in _dump(rows)
