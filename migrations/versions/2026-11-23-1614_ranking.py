"""ranking: customer attributes, demand weights, priority scores and pairwise comparisons

Revision ID: a8e5b4c6f7d9
Revises: f7d4a3b5e6c8
Create Date: 2026-11-23 16:14:00.000000
"""

from collections.abc import Sequence

revision: str = "a8e5b4c6f7d9"
down_revision: str | None = "f7d4a3b5e6c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
