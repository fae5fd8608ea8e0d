"""widget: allowed origins, signing secrets and identities from the company's tokens

Revision ID: f7d4a3b5e6c8
Revises: e6c3f2a4d5b7
Create Date: 2026-11-23 16:13:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f7d4a3b5e6c8"
down_revision: str | None = "e6c3f2a4d5b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "widget_settings",
        sa.Column("id", _id(), nullable=False),
        sa.Column("workspace_id", _id(), nullable=False),
        sa.Column("allowed_origins", sa.JSON(), nullable=False),
        sa.Column("allow_email_votes", sa.Boolean(), nullable=False),
        sa.Column("brand_color", sa.String(length=7), nullable=False),
        sa.Column("logo_url", sa.String(length=500), nullable=False),
        sa.Column("launcher_label", sa.String(length=40), nullable=False),
        sa.Column("launcher_position", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_widget_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widget_settings")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_widget_settings_workspace_id")),
    )
    op.create_table(
        "widget_secrets",
        sa.Column("id", _id(), nullable=False),
        sa.Column("workspace_id", _id(), nullable=False),
        sa.Column("key_id", sa.String(length=24), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", _id(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_widget_secrets_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_widget_secrets_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widget_secrets")),
        sa.UniqueConstraint("key_id", name=op.f("uq_widget_secrets_key_id")),
    )
    with op.batch_alter_table("widget_secrets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_widget_secrets_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "widget_identities",
        sa.Column("id", _id(), nullable=False),
        sa.Column("workspace_id", _id(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", _id(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("avatar_url", sa.String(length=500), nullable=False),
        sa.Column("company_id", sa.String(length=255), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("company_monthly_spend", sa.Float(), nullable=True),
        sa.Column("segment", sa.String(length=80), nullable=True),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_widget_identities_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_widget_identities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widget_identities")),
        sa.UniqueConstraint("workspace_id", "subject", name=op.f("uq_widget_identities_workspace_id_subject")),
    )
    with op.batch_alter_table("widget_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_widget_identities_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_widget_identities_workspace_company", ["workspace_id", "company_id"], unique=False)
        batch_op.create_index("ix_widget_identities_workspace_segment", ["workspace_id", "segment"], unique=False)

    op.create_table(
        "widget_sessions",
        sa.Column("id", _id(), nullable=False),
        sa.Column("workspace_id", _id(), nullable=False),
        sa.Column("identity_id", _id(), nullable=False),
        sa.Column("secret_id", _id(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_widget_sessions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["identity_id"],
            ["widget_identities.id"],
            name=op.f("fk_widget_sessions_identity_id_widget_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["widget_secrets.id"],
            name=op.f("fk_widget_sessions_secret_id_widget_secrets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_widget_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_widget_sessions_token_hash")),
    )
    with op.batch_alter_table("widget_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_widget_sessions_identity_id"), ["identity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_widget_sessions_secret_id"), ["secret_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_widget_sessions_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("widget_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_widget_sessions_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_widget_sessions_secret_id"))
        batch_op.drop_index(batch_op.f("ix_widget_sessions_identity_id"))
    op.drop_table("widget_sessions")
    with op.batch_alter_table("widget_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_widget_identities_workspace_segment")
        batch_op.drop_index("ix_widget_identities_workspace_company")
        batch_op.drop_index(batch_op.f("ix_widget_identities_user_id"))
    op.drop_table("widget_identities")
    with op.batch_alter_table("widget_secrets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_widget_secrets_workspace_id"))
    op.drop_table("widget_secrets")
    op.drop_table("widget_settings")
