"""Webhook signing secrets are sealed at rest: the database holds no plaintext secret, a sealed value moved to
another workspace does not open, and the migration seals the secrets of existing endpoints (and its downgrade
opens them again) without losing a delivery."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text

from ideaflow.kit.crypto import DecryptionFailed
from ideaflow.webhooks import service
from ideaflow.webhooks.models import WebhookEndpoint
from tests.factories import make_user, make_workspace, owner_context
from tests.test_migrations import _alembic, _inspect
from tests.webhooks.conftest import private_settings

BEFORE = "c0a7d6e8b9f1"
PLAIN = "whsec_" + "A" * 43 + "="


async def test_the_database_holds_only_the_sealed_secret(session):
    owner = await make_user(session, name="Wendy Webhook")
    workspace = await make_workspace(session, owner=owner, name="Sealco")
    ctx = await owner_context(session, workspace)
    endpoint = await service.create_endpoint(
        session, ctx, url="https://hooks.example.com/ideaflow", event_types=["*"], settings=private_settings()
    )
    secret = endpoint.secret
    assert secret.startswith("whsec_")
    row = (
        (await session.execute(text("SELECT * FROM webhook_endpoints WHERE id = :id"), {"id": endpoint.id}))
        .mappings()
        .one()
    )
    assert not any(secret in str(value) for value in row.values())
    assert row["secret_sealed"].startswith("v1:")

    other = await make_workspace(session, owner=owner, name="Otherco")
    moved = WebhookEndpoint(workspace_id=other.id, secret_sealed=row["secret_sealed"])
    with pytest.raises(DecryptionFailed):
        moved.secret  # noqa: B018


async def test_the_migration_seals_existing_secrets_and_the_downgrade_opens_them(scratch_database_url):
    await _alembic(command.upgrade, scratch_database_url, BEFORE)
    now = datetime.now(UTC)

    def seed(connection):
        connection.execute(
            text("INSERT INTO workspaces (id, slug, name, idea_seq, created_at) VALUES (1, 'old', 'Old', 0, :now)"),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO webhook_endpoints (id, workspace_id, url, description, event_types, secret, "
                "previous_secret, enabled, failure_streak, updated_at, created_at) VALUES (1, 1, "
                "'https://hooks.example.com/x', '', '[\"*\"]', :secret, NULL, true, 0, :now, :now)"
            ),
            {"secret": PLAIN, "now": now},
        )
        connection.commit()

    await _inspect(scratch_database_url, seed)
    await _alembic(command.upgrade, scratch_database_url, "head")

    def sealed(connection):
        return connection.execute(text("SELECT workspace_id, secret_sealed FROM webhook_endpoints")).one()

    workspace_id, stored = await _inspect(scratch_database_url, sealed)
    assert PLAIN not in stored
    assert WebhookEndpoint(workspace_id=workspace_id, secret_sealed=stored).secret == PLAIN

    await _alembic(command.downgrade, scratch_database_url, BEFORE)

    def plain(connection):
        return connection.execute(text("SELECT secret FROM webhook_endpoints")).scalar_one()

    assert await _inspect(scratch_database_url, plain) == PLAIN
