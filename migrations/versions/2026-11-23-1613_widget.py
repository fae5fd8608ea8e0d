"""widget: allowed origins, signing secrets and identities from the company's tokens

Revision ID: f7d4a3b5e6c8
Revises: e6c3f2a4d5b7
Create Date: 2026-11-23 16:13:00.000000
"""

from collections.abc import Sequence

revision: str = "f7d4a3b5e6c8"
down_revision: str | None = "e6c3f2a4d5b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
