"""notifications: subscriptions, preferences, in-app notifications, email deliveries, invitations

Revision ID: d5b2e1f3c4a6
Revises: c4a1f0e2b3d5
Create Date: 2026-11-23 16:11:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d5b2e1f3c4a6"
down_revision: str | None = "c4a1f0e2b3d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    # People who chose a password before verification existed keep using their account as before.
    op.execute("UPDATE users SET email_verified_at = created_at WHERE password_hash IS NOT NULL")

    op.create_table(
        "account_tokens",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending_name", sa.String(length=80), nullable=True),
        sa.Column("pending_password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("account_tokens", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    op.create_index(op.f("ix_account_tokens_user_id"), "account_tokens", ["user_id"], unique=False)

    op.create_table(
        "subscriptions",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=True),
        sa.Column("board_id", ID, nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("unsubscribed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(idea_id IS NULL) <> (board_id IS NULL)", name=op.f("ck_subscriptions_one_target")),
        _fk("subscriptions", "workspace_id", "workspaces"),
        _fk("subscriptions", "user_id", "users"),
        _fk("subscriptions", "idea_id", "ideas"),
        _fk("subscriptions", "board_id", "boards"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("user_id", "idea_id", name=op.f("uq_subscriptions_user_id_idea_id")),
        sa.UniqueConstraint("user_id", "board_id", name=op.f("uq_subscriptions_user_id_board_id")),
    )
    op.create_index(op.f("ix_subscriptions_workspace_id"), "subscriptions", ["workspace_id"], unique=False)
    op.create_index(op.f("ix_subscriptions_idea_id"), "subscriptions", ["idea_id"], unique=False)
    op.create_index(op.f("ix_subscriptions_board_id"), "subscriptions", ["board_id"], unique=False)

    op.create_table(
        "notification_preferences",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("email_enabled", sa.Boolean(), nullable=False),
        sa.Column("in_app_enabled", sa.Boolean(), nullable=False),
        sa.Column("email_frequency", sa.String(length=16), nullable=False),
        sa.Column("on_status", sa.Boolean(), nullable=False),
        sa.Column("on_response", sa.Boolean(), nullable=False),
        sa.Column("on_comment", sa.Boolean(), nullable=False),
        sa.Column("on_new_idea", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        _fk("notification_preferences", "user_id", "users"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )

    for table in ("notifications", "email_deliveries"):
        columns = [
            sa.Column("id", ID, nullable=False),
            sa.Column("event_id", ID, nullable=False),
            sa.Column("event_type", sa.String(length=80), nullable=False),
            sa.Column("workspace_id", ID, nullable=False),
            sa.Column("user_id", ID, nullable=False),
            sa.Column("idea_id", ID, nullable=False),
            sa.Column("actor_id", ID, nullable=True),
            sa.Column("data", sa.JSON(), nullable=False),
        ]
        if table == "notifications":
            columns.append(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
        else:
            columns += [
                sa.Column("status", sa.String(length=16), nullable=False),
                sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
            ]
        op.create_table(
            table,
            *columns,
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            _fk(table, "workspace_id", "workspaces"),
            _fk(table, "user_id", "users"),
            _fk(table, "idea_id", "ideas"),
            _fk(table, "actor_id", "users", ondelete="SET NULL"),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("event_id", "user_id", name=op.f(f"uq_{table}_event_id_user_id")),
        )
        op.create_index(op.f(f"ix_{table}_workspace_id"), table, ["workspace_id"], unique=False)
        op.create_index(op.f(f"ix_{table}_idea_id"), table, ["idea_id"], unique=False)
        op.create_index(op.f(f"ix_{table}_actor_id"), table, ["actor_id"], unique=False)
    op.create_index("ix_notifications_user_unread", "notifications", ["user_id", "read_at"], unique=False)
    op.create_index("ix_notifications_user_recent", "notifications", ["user_id", "id"], unique=False)
    op.create_index(op.f("ix_email_deliveries_user_id"), "email_deliveries", ["user_id"], unique=False)
    op.create_index("ix_email_deliveries_status_user", "email_deliveries", ["status", "user_id"], unique=False)

    op.create_table(
        "invitations",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", ID, nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", ID, nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("invitations", "workspace_id", "workspaces"),
        _fk("invitations", "invited_by_id", "users", ondelete="SET NULL"),
        _fk("invitations", "accepted_by_id", "users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_workspace_id"), "invitations", ["workspace_id"], unique=False)
    op.create_index(op.f("ix_invitations_invited_by_id"), "invitations", ["invited_by_id"], unique=False)
    op.create_index(op.f("ix_invitations_accepted_by_id"), "invitations", ["accepted_by_id"], unique=False)


def downgrade() -> None:
    for index in ("accepted_by_id", "invited_by_id", "workspace_id"):
        op.drop_index(op.f(f"ix_invitations_{index}"), table_name="invitations")
    op.drop_table("invitations")

    op.drop_index("ix_email_deliveries_status_user", table_name="email_deliveries")
    op.drop_index(op.f("ix_email_deliveries_user_id"), table_name="email_deliveries")
    op.drop_index("ix_notifications_user_recent", table_name="notifications")
    op.drop_index("ix_notifications_user_unread", table_name="notifications")
    for table in ("email_deliveries", "notifications"):
        for index in ("actor_id", "idea_id", "workspace_id"):
            op.drop_index(op.f(f"ix_{table}_{index}"), table_name=table)
        op.drop_table(table)

    op.drop_table("notification_preferences")

    for index in ("board_id", "idea_id", "workspace_id"):
        op.drop_index(op.f(f"ix_subscriptions_{index}"), table_name="subscriptions")
    op.drop_table("subscriptions")

    op.drop_index(op.f("ix_account_tokens_user_id"), table_name="account_tokens")
    op.drop_table("account_tokens")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
