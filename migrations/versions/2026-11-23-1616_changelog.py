"""roadmap and changelog: which boards and statuses the roadmap shows, changelog entries and the ideas they ship

Revision ID: c0a7d6e8b9f1
Revises: b9f6c5d7a8e0
Create Date: 2026-11-23 16:16:00.000000
"""

from collections.abc import Sequence

revision: str = "c0a7d6e8b9f1"
down_revision: str | None = "b9f6c5d7a8e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
