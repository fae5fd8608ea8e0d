"""triage: custom statuses, official responses and the timeline, tags, internal notes, the audit log

Revision ID: c4a1f0e2b3d5
Revises: 5b7e0c2d9a41
Create Date: 2026-11-23 16:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4a1f0e2b3d5"
down_revision: str | None = "5b7e0c2d9a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The statuses every workspace starts with (key, name, colour, category), as statuses/service.py defines them.
DEFAULT_STATUSES = [
    ("open", "Open", "#8a93a8", "open"),
    ("under_review", "Under review", "#e59a1a", "open"),
    ("planned", "Planned", "#2e8ae6", "active"),
    ("in_progress", "In progress", "#8b5cf6", "active"),
    ("shipped", "Shipped", "#17a964", "done"),
    ("declined", "Declined", "#e0565d", "closed"),
]


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "statuses",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workspace_id", "statuses", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statuses")),
        sa.UniqueConstraint("workspace_id", "key", name=op.f("uq_statuses_workspace_id_key")),
    )
    op.create_index("ix_statuses_workspace_position", "statuses", ["workspace_id", "position"], unique=False)

    op.create_table(
        "official_responses",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edit_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("author_id", "official_responses", "users", "SET NULL"),
        _fk("idea_id", "official_responses", "ideas"),
        _fk("workspace_id", "official_responses", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_official_responses")),
    )
    op.create_index(op.f("ix_official_responses_author_id"), "official_responses", ["author_id"], unique=False)
    op.create_index("ix_official_responses_idea", "official_responses", ["idea_id", "id"], unique=False)
    op.create_index(op.f("ix_official_responses_workspace_id"), "official_responses", ["workspace_id"], unique=False)

    op.create_table(
        "response_revisions",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("response_id", ID, nullable=False),
        sa.Column("editor_id", ID, nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("editor_id", "response_revisions", "users", "SET NULL"),
        _fk("response_id", "response_revisions", "official_responses"),
        _fk("workspace_id", "response_revisions", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_revisions")),
    )
    op.create_index(op.f("ix_response_revisions_editor_id"), "response_revisions", ["editor_id"], unique=False)
    op.create_index("ix_response_revisions_response", "response_revisions", ["response_id", "id"], unique=False)
    op.create_index(op.f("ix_response_revisions_workspace_id"), "response_revisions", ["workspace_id"], unique=False)

    op.create_table(
        "timeline_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("response_id", ID, nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("actor_id", "timeline_entries", "users", "SET NULL"),
        _fk("idea_id", "timeline_entries", "ideas"),
        _fk("response_id", "timeline_entries", "official_responses", "SET NULL"),
        _fk("workspace_id", "timeline_entries", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_entries")),
    )
    op.create_index(op.f("ix_timeline_entries_actor_id"), "timeline_entries", ["actor_id"], unique=False)
    op.create_index("ix_timeline_entries_idea", "timeline_entries", ["idea_id", "id"], unique=False)
    op.create_index(op.f("ix_timeline_entries_response_id"), "timeline_entries", ["response_id"], unique=False)
    op.create_index(op.f("ix_timeline_entries_workspace_id"), "timeline_entries", ["workspace_id"], unique=False)

    op.create_table(
        "tags",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workspace_id", "tags", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_tags_workspace_id_name")),
    )
    op.create_table(
        "idea_tags",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        sa.Column("tag_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("idea_id", "idea_tags", "ideas"),
        _fk("tag_id", "idea_tags", "tags"),
        _fk("workspace_id", "idea_tags", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idea_tags")),
        sa.UniqueConstraint("idea_id", "tag_id", name=op.f("uq_idea_tags_idea_id_tag_id")),
    )
    op.create_index("ix_idea_tags_tag", "idea_tags", ["tag_id", "idea_id"], unique=False)
    op.create_index(op.f("ix_idea_tags_workspace_id"), "idea_tags", ["workspace_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("actor_id", ID, nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", ID, nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("actor_id", "audit_events", "users", "SET NULL"),
        _fk("workspace_id", "audit_events", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_actor_id"), "audit_events", ["actor_id"], unique=False)
    op.create_index(
        "ix_audit_events_workspace_action", "audit_events", ["workspace_id", "action", "created_at"], unique=False
    )
    op.create_index(
        "ix_audit_events_workspace_created", "audit_events", ["workspace_id", "created_at", "id"], unique=False
    )

    # Plain ADD COLUMN (no table rebuild): on SQLite a rebuild of `ideas` would drop the FTS triggers.
    op.add_column("ideas", sa.Column("status_category", sa.String(length=16), nullable=False, server_default="open"))
    op.add_column("comments", sa.Column("internal", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("boards", sa.Column("customers_can_tag", sa.Boolean(), nullable=False, server_default=sa.false()))

    # Every existing workspace gets the default statuses; ideas learn their status's category.
    workspaces = sa.table("workspaces", sa.column("id", ID))
    statuses = sa.table(
        "statuses",
        sa.column("workspace_id", ID),
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("colour", sa.String),
        sa.column("category", sa.String),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    for position, (key, name, colour, category) in enumerate(DEFAULT_STATUSES, start=1):
        op.execute(
            statuses.insert().from_select(
                ["workspace_id", "key", "name", "colour", "category", "position", "created_at"],
                sa.select(
                    workspaces.c.id,
                    sa.literal(key),
                    sa.literal(name),
                    sa.literal(colour),
                    sa.literal(category),
                    sa.literal(position),
                    sa.func.current_timestamp(),
                ),
            )
        )
    ideas = sa.table("ideas", sa.column("status", sa.String), sa.column("status_category", sa.String))
    for key, _, _, category in DEFAULT_STATUSES:
        if category != "open":
            op.execute(ideas.update().where(ideas.c.status == key).values(status_category=category))


def downgrade() -> None:
    op.drop_column("boards", "customers_can_tag")
    op.drop_column("comments", "internal")
    op.drop_column("ideas", "status_category")

    op.drop_index("ix_audit_events_workspace_created", table_name="audit_events")
    op.drop_index("ix_audit_events_workspace_action", table_name="audit_events")
    op.drop_index(op.f("ix_audit_events_actor_id"), table_name="audit_events")
    op.drop_table("audit_events")

    op.drop_index(op.f("ix_idea_tags_workspace_id"), table_name="idea_tags")
    op.drop_index("ix_idea_tags_tag", table_name="idea_tags")
    op.drop_table("idea_tags")
    op.drop_table("tags")

    op.drop_index(op.f("ix_timeline_entries_workspace_id"), table_name="timeline_entries")
    op.drop_index(op.f("ix_timeline_entries_response_id"), table_name="timeline_entries")
    op.drop_index("ix_timeline_entries_idea", table_name="timeline_entries")
    op.drop_index(op.f("ix_timeline_entries_actor_id"), table_name="timeline_entries")
    op.drop_table("timeline_entries")

    op.drop_index(op.f("ix_response_revisions_workspace_id"), table_name="response_revisions")
    op.drop_index("ix_response_revisions_response", table_name="response_revisions")
    op.drop_index(op.f("ix_response_revisions_editor_id"), table_name="response_revisions")
    op.drop_table("response_revisions")

    op.drop_index(op.f("ix_official_responses_workspace_id"), table_name="official_responses")
    op.drop_index("ix_official_responses_idea", table_name="official_responses")
    op.drop_index(op.f("ix_official_responses_author_id"), table_name="official_responses")
    op.drop_table("official_responses")

    op.drop_index("ix_statuses_workspace_position", table_name="statuses")
    op.drop_table("statuses")
