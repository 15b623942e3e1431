"""Reviews, their goals and published versions, and recommendations (the QBR itself).

Revision ID: 20261203_0030
Revises: 20261203_0020
Create Date: 2026-12-03 17:18:17.844249
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0030"
down_revision: str | None = "20261203_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("priority", sa.String(length=20), server_default="medium", nullable=False),
        sa.Column("status", sa.String(length=20), server_default="proposed", nullable=False),
        sa.Column("one_time_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("monthly_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("target_period", sa.String(length=7), nullable=True),
        sa.Column("raised_in", sa.String(length=7), nullable=False),
        sa.Column("completed_in", sa.String(length=7), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f("ck_recommendations_priority")),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'in_progress', 'done', 'declined')",
            name=op.f("ck_recommendations_status"),
        ),
        sa.CheckConstraint(
            "target_period IS NULL OR (length(target_period) = 7 AND substr(target_period, 5, 2) = '-Q' AND substr(target_period, 1, 4) BETWEEN '0001' AND '9999' AND substr(target_period, 7, 1) IN ('1', '2', '3', '4'))",
            name=op.f("ck_recommendations_target_period"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_recommendations_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendations_organization_id"), ["organization_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("highlights", sa.Text(), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_reviews_status")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_reviews_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["period"], ["periods.period_value"], name=op.f("fk_reviews_period_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("organization_id", "period", name=op.f("uq_reviews_organization_id_period")),
    )
    op.create_table(
        "review_goals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("subject_name", sa.String(length=100), nullable=False),
        sa.Column("target_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_review_goals_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_goals")),
    )
    with op.batch_alter_table("review_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_goals_review_id"), ["review_id"], unique=False)

    op.create_table(
        "review_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("highlights", sa.Text(), nullable=False),
        sa.Column("concerns", sa.Text(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("recommendations", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_review_versions_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(["period"], ["periods.period_value"], name=op.f("fk_review_versions_period_periods")),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_review_versions_review_id_reviews")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_versions")),
        sa.UniqueConstraint("review_id", "version", name=op.f("uq_review_versions_review_id_version")),
    )
    with op.batch_alter_table("review_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_versions_organization_id"), ["organization_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_versions_organization_id"))

    op.drop_table("review_versions")
    with op.batch_alter_table("review_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_goals_review_id"))

    op.drop_table("review_goals")
    op.drop_table("reviews")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_organization_id"))

    op.drop_table("recommendations")
