"""webhooks: endpoints and the delivery log

Revision ID: e6c3f2a4d5b7
Revises: d5b2e1f3c4a6
Create Date: 2026-11-23 16:12:00.000000
"""

from collections.abc import Sequence

revision: str = "e6c3f2a4d5b7"
down_revision: str | None = "d5b2e1f3c4a6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
