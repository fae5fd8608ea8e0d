"""triage, part two: merges with vote provenance, moderation, votes on behalf, time to first response

Revision ID: d1b8e7f9c0a2
Revises: c0a7d6e8b9f1
Create Date: 2026-11-23 16:17:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d1b8e7f9c0a2"
down_revision: str | None = "c0a7d6e8b9f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild): on SQLite a rebuild of `ideas` would drop the FTS triggers. The new id
    # columns carry no foreign key for the same reason (SQLite adds one only by rebuilding the table).
    op.add_column("ideas", sa.Column("merged_into_id", ID, nullable=True))
    op.add_column("votes", sa.Column("origin_idea_id", ID, nullable=True))
    op.add_column("votes", sa.Column("added_by_id", ID, nullable=True))
    op.create_index(op.f("ix_ideas_merged_into_id"), "ideas", ["merged_into_id"], unique=False)

    op.add_column("ideas", sa.Column("merged_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "ideas", sa.Column("moderation_state", sa.String(length=16), nullable=False, server_default="approved")
    )
    op.add_column("ideas", sa.Column("moderation_reason", sa.Text(), nullable=True))
    op.add_column("ideas", sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_ideas_workspace_untriaged", "ideas", ["workspace_id", "first_response_at", "id"], unique=False)
    op.create_index("ix_ideas_workspace_moderation", "ideas", ["workspace_id", "moderation_state", "id"], unique=False)

    op.add_column(
        "comments", sa.Column("moderation_state", sa.String(length=16), nullable=False, server_default="approved")
    )
    op.add_column("comments", sa.Column("moderation_reason", sa.Text(), nullable=True))
    op.create_index(
        "ix_comments_workspace_moderation", "comments", ["workspace_id", "moderation_state", "id"], unique=False
    )

    op.add_column("votes", sa.Column("proxy_source", sa.String(length=32), nullable=True))
    op.add_column("votes", sa.Column("proxy_note", sa.Text(), nullable=True))
    op.add_column("votes", sa.Column("proxy_link", sa.String(length=500), nullable=True))

    # Ideas answered before this migration: their first response is their earliest timeline entry by staff
    # (a status change or an official response).
    op.execute(
        "UPDATE ideas SET first_response_at = (SELECT min(t.created_at) FROM timeline_entries t "
        "WHERE t.idea_id = ideas.id) WHERE EXISTS (SELECT 1 FROM timeline_entries t WHERE t.idea_id = ideas.id)"
    )

    op.create_table(
        "idea_merges",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("source_idea_id", ID, nullable=False),
        sa.Column("target_idea_id", ID, nullable=False),
        sa.Column("merged_by_id", ID, nullable=True),
        sa.Column("added_tag_ids", sa.JSON(), nullable=True),
        sa.Column("added_subscriber_ids", sa.JSON(), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by_id", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workspace_id", "idea_merges", "workspaces"),
        _fk("source_idea_id", "idea_merges", "ideas"),
        _fk("target_idea_id", "idea_merges", "ideas"),
        _fk("merged_by_id", "idea_merges", "users", "SET NULL"),
        _fk("undone_by_id", "idea_merges", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_merges")),
    )
    op.create_index("ix_idea_merges_source", "idea_merges", ["workspace_id", "source_idea_id", "id"], unique=False)
    op.create_index(op.f("ix_idea_merges_target_idea_id"), "idea_merges", ["target_idea_id"], unique=False)

    op.create_table(
        "moderation_settings",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("premoderate_ideas", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("premoderate_comments", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("spam_signals", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workspace_id", "moderation_settings", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_moderation_settings")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_moderation_settings_workspace_id")),
    )

    op.create_table(
        "user_blocks",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("blocked_by_id", ID, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("hide_content", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workspace_id", "user_blocks", "workspaces"),
        _fk("user_id", "user_blocks", "users"),
        _fk("blocked_by_id", "user_blocks", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_blocks")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_user_blocks_workspace_id_user_id")),
    )
    op.create_index(op.f("ix_user_blocks_user_id"), "user_blocks", ["user_id"], unique=False)

    _move_webhook_secrets(sealing=True)


# Webhook signing secrets move from plain columns to sealed ones (AES-GCM under a key derived from the app's secret
# key, as tracker tokens are). The key is the server's own, so this step reads the same settings as the app.
_WEBHOOK_PURPOSE = b"ideaflow/webhooks/signing-secret/v1"
_endpoints = sa.table(
    "webhook_endpoints",
    sa.column("id", ID),
    sa.column("workspace_id", ID),
    sa.column("secret", sa.String()),
    sa.column("previous_secret", sa.String()),
    sa.column("secret_sealed", sa.Text()),
    sa.column("previous_secret_sealed", sa.Text()),
)


def _move_webhook_secrets(*, sealing: bool) -> None:
    """Sealing: (secret, previous_secret) → (secret_sealed, previous_secret_sealed); the downgrade opens them."""
    from functools import partial

    from ideaflow.kit.crypto import open_sealed, seal

    plain = ("secret", "previous_secret")
    sealed = ("secret_sealed", "previous_secret_sealed")
    old, new = (plain, sealed) if sealing else (sealed, plain)
    new_type = sa.Text() if sealing else sa.String(length=100)
    # NOT NULL with a temporary default: SQLite changes a column's nullability only by rebuilding the table, and
    # a rebuild of webhook_endpoints would cascade-delete its deliveries.
    op.add_column("webhook_endpoints", sa.Column(new[0], new_type, nullable=False, server_default=""))
    op.add_column("webhook_endpoints", sa.Column(new[1], new_type, nullable=True))
    bind = op.get_bind()
    columns = [_endpoints.c[name] for name in old]
    for row in bind.execute(sa.select(_endpoints.c.id, _endpoints.c.workspace_id, *columns)).all():
        convert = partial(
            seal if sealing else open_sealed,
            purpose=_WEBHOOK_PURPOSE,
            associated=f"workspace:{row.workspace_id}:webhook-secret",
        )
        current, previous = row[2], row[3]
        values = {new[0]: convert(current), new[1]: None if previous is None else convert(previous)}
        bind.execute(_endpoints.update().where(_endpoints.c.id == row.id).values(**values))
    if bind.dialect.name == "postgresql":
        op.alter_column("webhook_endpoints", new[0], server_default=None)
    op.drop_column("webhook_endpoints", old[1])
    op.drop_column("webhook_endpoints", old[0])


def downgrade() -> None:
    _move_webhook_secrets(sealing=False)
    op.drop_index(op.f("ix_user_blocks_user_id"), table_name="user_blocks")
    op.drop_table("user_blocks")
    op.drop_table("moderation_settings")
    op.drop_index(op.f("ix_idea_merges_target_idea_id"), table_name="idea_merges")
    op.drop_index("ix_idea_merges_source", table_name="idea_merges")
    op.drop_table("idea_merges")

    for column in ("proxy_link", "proxy_note", "proxy_source", "added_by_id", "origin_idea_id"):
        op.drop_column("votes", column)
    op.drop_index("ix_comments_workspace_moderation", table_name="comments")
    op.drop_column("comments", "moderation_reason")
    op.drop_column("comments", "moderation_state")
    op.drop_index("ix_ideas_workspace_moderation", table_name="ideas")
    op.drop_index("ix_ideas_workspace_untriaged", table_name="ideas")
    for column in ("first_response_at", "moderation_reason", "moderation_state", "merged_at"):
        op.drop_column("ideas", column)
    op.drop_index(op.f("ix_ideas_merged_into_id"), table_name="ideas")
    op.drop_column("ideas", "merged_into_id")
