"""ranking: customer attributes, demand weights, priority scores and pairwise comparisons

Revision ID: a8e5b4c6f7d9
Revises: f7d4a3b5e6c8
Create Date: 2026-11-23 16:14:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8e5b4c6f7d9"
down_revision: str | None = "f7d4a3b5e6c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("value", sa.SmallInteger(), server_default=sa.text("1"), nullable=False))
        batch_op.add_column(sa.Column("importance", sa.String(length=16), nullable=True))
    op.create_table(
        "customer_profiles",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("segment", sa.String(length=60), nullable=True),
        sa.Column("monthly_revenue_cents", sa.BigInteger(), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("company_external_id", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_customer_profiles_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_customer_profiles_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_profiles")),
        sa.UniqueConstraint("workspace_id", "user_id", name=op.f("uq_customer_profiles_workspace_id_user_id")),
    )
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_profiles_user_id"), ["user_id"], unique=False)

    op.create_table(
        "workspace_ranking_settings",
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("trending_half_life_hours", sa.Float(), nullable=True),
        sa.Column("importance_weights", sa.JSON(), nullable=False),
        sa.Column("segment_weights", sa.JSON(), nullable=False),
        sa.Column("revenue_weight", sa.Float(), nullable=False),
        sa.Column("revenue_reference_cents", sa.BigInteger(), nullable=False),
        sa.Column("priority_method", sa.String(length=16), nullable=False),
        sa.Column("scorecard", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_workspace_ranking_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", name=op.f("pk_workspace_ranking_settings")),
    )
    op.create_table(
        "board_ranking_settings",
        sa.Column("board_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("importance_enabled", sa.Boolean(), nullable=False),
        sa.Column("downvotes_enabled", sa.Boolean(), nullable=False),
        sa.Column("pairwise_enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_board_ranking_settings_board_id_boards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_board_ranking_settings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_board_ranking_settings")),
    )
    with op.batch_alter_table("board_ranking_settings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_board_ranking_settings_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "pairwise_fits",
        sa.Column("board_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("through_comparison_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("comparisons", sa.Integer(), nullable=False),
        sa.Column("iterations", sa.Integer(), nullable=False),
        sa.Column("converged", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_pairwise_fits_board_id_boards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pairwise_fits_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("board_id", name=op.f("pk_pairwise_fits")),
    )
    with op.batch_alter_table("pairwise_fits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pairwise_fits_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "idea_priority_inputs",
        sa.Column("idea_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("impact", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("effort", sa.Float(), nullable=True),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("updated_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_priority_inputs_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_idea_priority_inputs_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_idea_priority_inputs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("idea_id", name=op.f("pk_idea_priority_inputs")),
    )
    with op.batch_alter_table("idea_priority_inputs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idea_priority_inputs_workspace_id"), ["workspace_id"], unique=False)

    op.create_table(
        "idea_scores",
        sa.Column("idea_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("downvotes", sa.Integer(), nullable=False),
        sa.Column("demand", sa.Float(), nullable=False),
        sa.Column("priority", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("pairwise_strength", sa.Float(), nullable=True),
        sa.Column("pairwise_score", sa.Float(), nullable=True),
        sa.Column("pairwise_comparisons", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["idea_id"], ["ideas.id"], name=op.f("fk_idea_scores_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"], ["workspaces.id"], name=op.f("fk_idea_scores_workspace_id_workspaces"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("idea_id", name=op.f("pk_idea_scores")),
    )
    with op.batch_alter_table("idea_scores", schema=None) as batch_op:
        batch_op.create_index(
            "ix_idea_scores_workspace_confidence", ["workspace_id", "confidence", "idea_id"], unique=False
        )
        batch_op.create_index("ix_idea_scores_workspace_demand", ["workspace_id", "demand", "idea_id"], unique=False)
        batch_op.create_index(
            "ix_idea_scores_workspace_pairwise", ["workspace_id", "pairwise_score", "idea_id"], unique=False
        )
        batch_op.create_index(
            "ix_idea_scores_workspace_priority", ["workspace_id", "priority", "idea_id"], unique=False
        )

    # Ideas voted for before this revision: with no importance chosen and no customer attributes yet, demand is
    # the vote count, and the Wilson lower bound of n up-votes and no down-votes is n / (n + z^2).
    op.execute(
        "INSERT INTO idea_scores (idea_id, workspace_id, downvotes, demand, priority, confidence, pairwise_strength,"
        " pairwise_score, pairwise_comparisons, updated_at)"
        " SELECT id, workspace_id, 0, vote_count, NULL,"
        " vote_count * 1.0 / (vote_count + 3.841458820694124), NULL, NULL, 0, CURRENT_TIMESTAMP"
        " FROM ideas WHERE vote_count > 0"
    )

    op.create_table(
        "pairwise_comparisons",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("board_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("left_idea_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("right_idea_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["boards.id"], name=op.f("fk_pairwise_comparisons_board_id_boards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["left_idea_id"], ["ideas.id"], name=op.f("fk_pairwise_comparisons_left_idea_id_ideas"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["right_idea_id"],
            ["ideas.id"],
            name=op.f("fk_pairwise_comparisons_right_idea_id_ideas"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pairwise_comparisons_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pairwise_comparisons_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairwise_comparisons")),
    )
    with op.batch_alter_table("pairwise_comparisons", schema=None) as batch_op:
        batch_op.create_index("ix_pairwise_comparisons_board_id_id", ["board_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairwise_comparisons_left_idea_id"), ["left_idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairwise_comparisons_right_idea_id"), ["right_idea_id"], unique=False)
        batch_op.create_index("ix_pairwise_comparisons_user_board", ["user_id", "board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pairwise_comparisons_workspace_id"), ["workspace_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pairwise_comparisons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairwise_comparisons_workspace_id"))
        batch_op.drop_index("ix_pairwise_comparisons_user_board")
        batch_op.drop_index(batch_op.f("ix_pairwise_comparisons_right_idea_id"))
        batch_op.drop_index(batch_op.f("ix_pairwise_comparisons_left_idea_id"))
        batch_op.drop_index("ix_pairwise_comparisons_board_id_id")

    op.drop_table("pairwise_comparisons")
    with op.batch_alter_table("idea_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_scores_workspace_priority")
        batch_op.drop_index("ix_idea_scores_workspace_pairwise")
        batch_op.drop_index("ix_idea_scores_workspace_demand")
        batch_op.drop_index("ix_idea_scores_workspace_confidence")

    op.drop_table("idea_scores")
    with op.batch_alter_table("idea_priority_inputs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idea_priority_inputs_workspace_id"))

    op.drop_table("idea_priority_inputs")
    with op.batch_alter_table("pairwise_fits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairwise_fits_workspace_id"))

    op.drop_table("pairwise_fits")
    with op.batch_alter_table("board_ranking_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_ranking_settings_workspace_id"))

    op.drop_table("board_ranking_settings")
    op.drop_table("workspace_ranking_settings")
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_profiles_user_id"))

    op.drop_table("customer_profiles")
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_column("importance")
        batch_op.drop_column("value")
