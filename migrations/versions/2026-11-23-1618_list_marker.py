"""list marker: an index that makes max(ideas.updated_at) per workspace one index probe

The board and portal lists and the JSON list answer `ETag` / `304` from that marker (see kit/http_cache.py).

Revision ID: e2c9f8a0b1d3
Revises: d1b8e7f9c0a2
Create Date: 2026-11-23 16:18:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e2c9f8a0b1d3"
down_revision: str | None = "d1b8e7f9c0a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ideas_workspace_updated", "ideas", ["workspace_id", "updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ideas_workspace_updated", table_name="ideas")
