"""backlog: tracker connections and the ideas linked to tracker items

Revision ID: b9f6c5d7a8e0
Revises: a8e5b4c6f7d9
Create Date: 2026-11-23 16:15:00.000000
"""

from collections.abc import Sequence

revision: str = "b9f6c5d7a8e0"
down_revision: str | None = "a8e5b4c6f7d9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
