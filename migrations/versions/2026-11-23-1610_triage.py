"""triage: custom statuses, official responses and the timeline, tags, internal notes, the audit log

Revision ID: c4a1f0e2b3d5
Revises: 5b7e0c2d9a41
Create Date: 2026-11-23 16:10:00.000000
"""

from collections.abc import Sequence

revision: str = "c4a1f0e2b3d5"
down_revision: str | None = "5b7e0c2d9a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
