"""backlog: tracker connections and the ideas linked to tracker items

Revision ID: b9f6c5d7a8e0
Revises: a8e5b4c6f7d9
Create Date: 2026-11-23 16:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b9f6c5d7a8e0"
down_revision: str | None = "a8e5b4c6f7d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tracker_connections",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("issue_type", sa.String(length=80), nullable=False),
        sa.Column("token_encrypted", sa.Text(), nullable=False),
        sa.Column("token_hint", sa.String(length=8), nullable=False),
        sa.Column("webhook_secret_encrypted", sa.Text(), nullable=False),
        sa.Column("status_mapping", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tracker_connections_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_connections")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_tracker_connections_workspace_id_name")),
    )
    with op.batch_alter_table("tracker_connections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracker_connections_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "tracker_links",
        sa.Column("id", BigId, nullable=False),
        sa.Column("workspace_id", BigId, nullable=False),
        sa.Column("idea_id", BigId, nullable=False),
        sa.Column("connection_id", BigId, nullable=False),
        sa.Column("link_state", sa.String(length=16), nullable=False),
        sa.Column("marker", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("external_key", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["tracker_connections.id"],
            name=op.f("fk_tracker_links_connection_id_tracker_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_tracker_links_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tracker_links_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_links")),
        sa.UniqueConstraint("connection_id", "external_id", name=op.f("uq_tracker_links_connection_id_external_id")),
        sa.UniqueConstraint("connection_id", "idea_id", name=op.f("uq_tracker_links_connection_id_idea_id")),
    )
    with op.batch_alter_table("tracker_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracker_links_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracker_links_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "tracker_deliveries",
        sa.Column("id", BigId, nullable=False),
        sa.Column("connection_id", BigId, nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["tracker_connections.id"],
            name=op.f("fk_tracker_deliveries_connection_id_tracker_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracker_deliveries")),
        sa.UniqueConstraint(
            "connection_id", "delivery_id", name=op.f("uq_tracker_deliveries_connection_id_delivery_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("tracker_deliveries")
    with op.batch_alter_table("tracker_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_links_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_tracker_links_idea_id"))
    op.drop_table("tracker_links")
    with op.batch_alter_table("tracker_connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_connections_workspace_id"))
    op.drop_table("tracker_connections")
