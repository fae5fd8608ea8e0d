"""roadmap and changelog: which boards and statuses the roadmap shows, changelog entries and the ideas they ship

Revision ID: c0a7d6e8b9f1
Revises: b9f6c5d7a8e0
Create Date: 2026-11-23 16:16:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a7d6e8b9f1"
down_revision: str | None = "b9f6c5d7a8e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(column: str, table: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "roadmap_settings",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("board_ids", sa.JSON(), nullable=True),
        sa.Column("status_keys", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workspace_id", "roadmap_settings", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_settings")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_roadmap_settings_workspace_id")),
    )

    op.create_table(
        "changelog_entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=140), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("ship_status", sa.String(length=32), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("author_id", "changelog_entries", "users", "SET NULL"),
        _fk("workspace_id", "changelog_entries", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changelog_entries")),
        sa.UniqueConstraint("workspace_id", "slug", name=op.f("uq_changelog_entries_workspace_id_slug")),
    )
    op.create_index(op.f("ix_changelog_entries_author_id"), "changelog_entries", ["author_id"], unique=False)
    op.create_index(
        "ix_changelog_entries_workspace_published",
        "changelog_entries",
        ["workspace_id", "published_at", "id"],
        unique=False,
    )

    op.create_table(
        "changelog_entry_ideas",
        sa.Column("id", ID, nullable=False),
        sa.Column("workspace_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("idea_id", ID, nullable=False),
        _fk("entry_id", "changelog_entry_ideas", "changelog_entries"),
        _fk("idea_id", "changelog_entry_ideas", "ideas"),
        _fk("workspace_id", "changelog_entry_ideas", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changelog_entry_ideas")),
        sa.UniqueConstraint("entry_id", "idea_id", name=op.f("uq_changelog_entry_ideas_entry_id_idea_id")),
    )
    op.create_index(op.f("ix_changelog_entry_ideas_idea_id"), "changelog_entry_ideas", ["idea_id"], unique=False)
    op.create_index(
        op.f("ix_changelog_entry_ideas_workspace_id"), "changelog_entry_ideas", ["workspace_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_changelog_entry_ideas_workspace_id"), table_name="changelog_entry_ideas")
    op.drop_index(op.f("ix_changelog_entry_ideas_idea_id"), table_name="changelog_entry_ideas")
    op.drop_table("changelog_entry_ideas")
    op.drop_index("ix_changelog_entries_workspace_published", table_name="changelog_entries")
    op.drop_index(op.f("ix_changelog_entries_author_id"), table_name="changelog_entries")
    op.drop_table("changelog_entries")
    op.drop_table("roadmap_settings")
