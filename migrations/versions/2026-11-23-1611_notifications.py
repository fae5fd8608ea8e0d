"""notifications: subscriptions, preferences, in-app notifications, email deliveries, invitations

Revision ID: d5b2e1f3c4a6
Revises: c4a1f0e2b3d5
Create Date: 2026-11-23 16:11:00.000000
"""

from collections.abc import Sequence

revision: str = "d5b2e1f3c4a6"
down_revision: str | None = "c4a1f0e2b3d5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
