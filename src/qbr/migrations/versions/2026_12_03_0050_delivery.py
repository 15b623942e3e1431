"""Delivering the QBR: the brand, share links and their openings, SMTP settings, recipients, e-mail schedules,
deliveries and their attempts.

Revision ID: 20261203_0050
Revises: 20261203_0030
Create Date: 2026-12-03 17:43:50.385682
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261203_0050"
down_revision: str | None = "20261203_0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("msp_name", sa.String(length=200), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_content_type", sa.String(length=50), nullable=True),
        sa.Column("primary_colour", sa.String(length=7), nullable=True),
        sa.Column("accent_colour", sa.String(length=7), nullable=True),
        sa.Column("contact_line", sa.String(length=300), nullable=True),
        sa.Column("footer_text", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_brand_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_settings")),
    )
    op.create_table(
        "email_settings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("setting_key", sa.String(length=100), nullable=False),
        sa.Column("setting_value", sa.Text(), nullable=False),
        sa.Column("is_secret", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_settings")),
        sa.UniqueConstraint("setting_key", name=op.f("uq_email_settings_setting_key")),
    )
    op.create_table(
        "email_recipients",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_email_recipients_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_recipients")),
        sa.UniqueConstraint("organization_id", "address", name=op.f("uq_email_recipients_organization_id_address")),
    )
    op.create_index(op.f("ix_email_recipients_organization_id"), "email_recipients", ["organization_id"], unique=False)
    op.create_table(
        "email_schedules",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("business_day", sa.Integer(), nullable=False),
        sa.Column("attach_pdf", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("include_link", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("business_day BETWEEN 1 AND 20", name=op.f("ck_email_schedules_business_day")),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_email_schedules_organization_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_schedules")),
    )
    op.create_index(op.f("ix_email_schedules_organization_id"), "email_schedules", ["organization_id"], unique=False)
    op.create_table(
        "email_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_key", sa.String(length=500), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("review_version_id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("attach_pdf", sa.Boolean(), nullable=False),
        sa.Column("include_link", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_email_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_email_deliveries_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["review_version_id"],
            ["review_versions.id"],
            name=op.f("fk_email_deliveries_review_version_id_review_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["email_schedules.id"], name=op.f("fk_email_deliveries_schedule_id_email_schedules")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_deliveries")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_email_deliveries_delivery_key")),
        sa.UniqueConstraint("message_id", name=op.f("uq_email_deliveries_message_id")),
    )
    op.create_index(op.f("ix_email_deliveries_organization_id"), "email_deliveries", ["organization_id"], unique=False)
    op.create_index(op.f("ix_email_deliveries_status"), "email_deliveries", ["status"], unique=False)
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("review_version_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"], ["organizations.id"], name=op.f("fk_share_links_organization_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["review_version_id"], ["review_versions.id"], name=op.f("fk_share_links_review_version_id_review_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    op.create_index(op.f("ix_share_links_organization_id"), "share_links", ["organization_id"], unique=False)
    op.create_index(op.f("ix_share_links_review_version_id"), "share_links", ["review_version_id"], unique=False)
    op.create_table(
        "email_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "outcome IN ('sent', 'retry', 'failed', 'interrupted')", name=op.f("ck_email_attempts_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"], ["email_deliveries.id"], name=op.f("fk_email_attempts_delivery_id_email_deliveries")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_attempts")),
    )
    op.create_index(op.f("ix_email_attempts_delivery_id"), "email_attempts", ["delivery_id"], unique=False)
    op.create_table(
        "share_link_openings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("share_link_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.String(length=10), nullable=False),
        sa.Column("client_address", sa.String(length=100), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["share_link_id"], ["share_links.id"], name=op.f("fk_share_link_openings_share_link_id_share_links")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link_openings")),
    )
    op.create_index(
        op.f("ix_share_link_openings_share_link_id"), "share_link_openings", ["share_link_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_share_link_openings_share_link_id"), table_name="share_link_openings")
    op.drop_table("share_link_openings")
    op.drop_index(op.f("ix_email_attempts_delivery_id"), table_name="email_attempts")
    op.drop_table("email_attempts")
    op.drop_index(op.f("ix_share_links_review_version_id"), table_name="share_links")
    op.drop_index(op.f("ix_share_links_organization_id"), table_name="share_links")
    op.drop_table("share_links")
    op.drop_index(op.f("ix_email_deliveries_status"), table_name="email_deliveries")
    op.drop_index(op.f("ix_email_deliveries_organization_id"), table_name="email_deliveries")
    op.drop_table("email_deliveries")
    op.drop_index(op.f("ix_email_schedules_organization_id"), table_name="email_schedules")
    op.drop_table("email_schedules")
    op.drop_index(op.f("ix_email_recipients_organization_id"), table_name="email_recipients")
    op.drop_table("email_recipients")
    op.drop_table("email_settings")
    op.drop_table("brand_settings")
