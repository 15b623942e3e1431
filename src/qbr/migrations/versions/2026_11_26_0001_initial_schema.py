"""Initial schema: the specified tables, the catalog, auth and connector tables; seeds the default catalog.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 10:20:27.067580
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from qbr.catalog import DEFAULT_METRICS, catalog_rows

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name=op.f("ck_api_keys_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_prefix", name=op.f("uq_api_keys_key_prefix")),
    )
    op.create_table(
        "connector_settings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_system", sa.String(length=50), nullable=False),
        sa.Column("setting_key", sa.String(length=100), nullable=False),
        sa.Column("setting_value", sa.Text(), nullable=False),
        sa.Column("is_secret", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_settings")),
        sa.UniqueConstraint(
            "source_system", "setting_key", name=op.f("uq_connector_settings_source_system_setting_key")
        ),
    )
    op.create_table(
        "kpi_definitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kpi_name", sa.String(length=100), nullable=False),
        sa.Column("formula", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("is_key", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("sort_order", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "direction IS NULL OR direction IN ('higher_is_better', 'lower_is_better')",
            name=op.f("ck_kpi_definitions_direction"),
        ),
        sa.CheckConstraint(
            "unit IN ('count', 'hours', 'days', 'currency', 'percent')", name=op.f("ck_kpi_definitions_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_definitions")),
        sa.UniqueConstraint("kpi_name", name=op.f("uq_kpi_definitions_kpi_name")),
    )
    op.create_table(
        "metric_definitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("metric_name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("rollup", sa.String(length=10), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=True),
        sa.Column("default_source", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "direction IS NULL OR direction IN ('higher_is_better', 'lower_is_better')",
            name=op.f("ck_metric_definitions_direction"),
        ),
        sa.CheckConstraint("rollup IN ('sum', 'avg', 'last')", name=op.f("ck_metric_definitions_rollup")),
        sa.CheckConstraint(
            "unit IN ('count', 'hours', 'days', 'currency', 'percent')",
            name=op.f("ck_metric_definitions_unit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_definitions")),
        sa.UniqueConstraint("metric_name", name=op.f("uq_metric_definitions_metric_name")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_msp", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("name", name=op.f("uq_organizations_name")),
    )
    op.create_index(
        "uq_organizations_single_msp",
        "organizations",
        ["is_msp"],
        unique=True,
        sqlite_where=sa.text("is_msp"),
        postgresql_where=sa.text("is_msp"),
    )

    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_type", sa.String(length=20), nullable=False),
        sa.Column("period_value", sa.String(length=7), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.CheckConstraint(
            "(period_type = 'monthly' AND length(period_value) = 7 AND substr(period_value, 5, 1) = '-' AND substr(period_value, 1, 4) BETWEEN '0001' AND '9999' AND substr(period_value, 6, 2) BETWEEN '01' AND '12') OR (period_type = 'quarterly' AND length(period_value) = 7 AND substr(period_value, 5, 2) = '-Q' AND substr(period_value, 1, 4) BETWEEN '0001' AND '9999' AND substr(period_value, 7, 1) IN ('1', '2', '3', '4'))",
            name=op.f("ck_periods_period_value_format"),
        ),
        sa.CheckConstraint("period_type IN ('monthly', 'quarterly')", name=op.f("ck_periods_period_type")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_periods_date_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("period_value", name=op.f("uq_periods_period_value")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_system", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_written", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unmapped_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unmapped_detail", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name=op.f("ck_sync_runs_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_index(op.f("ix_sync_runs_source_system"), "sync_runs", ["source_system"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'editor', 'viewer')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_key_organizations",
        sa.Column("api_key_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_api_key_organizations_api_key_id_api_keys"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_api_key_organizations_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("api_key_id", "organization_id", name=op.f("pk_api_key_organizations")),
    )
    op.create_table(
        "metric_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("metric_name", sa.String(length=100), nullable=False),
        sa.Column("previous_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("new_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("period_was_closed", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_metric_corrections_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["period"], ["periods.period_value"], name=op.f("fk_metric_corrections_period_periods")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_corrections")),
    )
    op.create_index(
        op.f("ix_metric_corrections_organization_id"), "metric_corrections", ["organization_id"], unique=False
    )

    op.create_table(
        "metrics_monthly",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("metric_name", sa.String(length=100), nullable=False),
        sa.Column("metric_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("source_system", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "length(period) = 7 AND substr(period, 5, 1) = '-' AND substr(period, 1, 4) BETWEEN '0001' AND '9999' AND substr(period, 6, 2) BETWEEN '01' AND '12'",
            name=op.f("ck_metrics_monthly_monthly_period"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_metrics_monthly_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["period"], ["periods.period_value"], name=op.f("fk_metrics_monthly_period_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_monthly")),
        sa.UniqueConstraint(
            "organization_id",
            "period",
            "metric_name",
            "source_system",
            name=op.f("uq_metrics_monthly_organization_id_period_metric_name_source_system"),
        ),
    )
    op.create_index(
        "ix_metrics_monthly_organization_id_period",
        "metrics_monthly",
        ["organization_id", "period"],
        unique=False,
    )
    op.create_index("ix_metrics_monthly_period_metric_name", "metrics_monthly", ["period", "metric_name"], unique=False)

    op.create_table(
        "metrics_quarterly",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("metric_name", sa.String(length=100), nullable=False),
        sa.Column("metric_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "length(period) = 7 AND substr(period, 5, 2) = '-Q' AND substr(period, 1, 4) BETWEEN '0001' AND '9999' AND substr(period, 7, 1) IN ('1', '2', '3', '4')",
            name=op.f("ck_metrics_quarterly_quarterly_period"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_metrics_quarterly_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["period"], ["periods.period_value"], name=op.f("fk_metrics_quarterly_period_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_quarterly")),
        sa.UniqueConstraint(
            "organization_id",
            "period",
            "metric_name",
            name=op.f("uq_metrics_quarterly_organization_id_period_metric_name"),
        ),
    )
    op.create_table(
        "organization_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("source_system", sa.String(length=50), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("external_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_links_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organization_links")),
        sa.UniqueConstraint(
            "source_system", "external_id", name=op.f("uq_organization_links_source_system_external_id")
        ),
    )
    op.create_index(
        op.f("ix_organization_links_organization_id"), "organization_links", ["organization_id"], unique=False
    )

    op.create_table(
        "smartnumbers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kpi_name", sa.String(length=100), nullable=False),
        sa.Column("kpi_value", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("calculation_method", sa.String(length=200), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "(length(period) = 7 AND substr(period, 5, 1) = '-' AND substr(period, 1, 4) BETWEEN '0001' AND '9999' AND substr(period, 6, 2) BETWEEN '01' AND '12') OR (length(period) = 7 AND substr(period, 5, 2) = '-Q' AND substr(period, 1, 4) BETWEEN '0001' AND '9999' AND substr(period, 7, 1) IN ('1', '2', '3', '4'))",
            name=op.f("ck_smartnumbers_period_format"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_smartnumbers_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(["period"], ["periods.period_value"], name=op.f("fk_smartnumbers_period_periods")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smartnumbers")),
        sa.UniqueConstraint(
            "organization_id",
            "period",
            "kpi_name",
            name=op.f("uq_smartnumbers_organization_id_period_kpi_name"),
        ),
    )
    op.create_table(
        "thresholds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("metric_name", sa.String(length=100), nullable=False),
        sa.Column("threshold_type", sa.String(length=20), nullable=False),
        sa.Column("threshold_value", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("threshold_type IN ('warning', 'critical')", name=op.f("ck_thresholds_threshold_type")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_thresholds_organization_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thresholds")),
        sa.UniqueConstraint(
            "organization_id",
            "metric_name",
            "threshold_type",
            name=op.f("uq_thresholds_organization_id_metric_name_threshold_type"),
        ),
    )
    op.create_index(
        "uq_thresholds_default_metric_name_threshold_type",
        "thresholds",
        ["metric_name", "threshold_type"],
        unique=True,
        sqlite_where=sa.text("organization_id IS NULL"),
        postgresql_where=sa.text("organization_id IS NULL"),
    )

    op.create_table(
        "user_organizations",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_user_organizations_organization_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_organizations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "organization_id", name=op.f("pk_user_organizations")),
    )

    _seed_default_catalog()


def _seed_default_catalog() -> None:
    # The catalog of reference/METRICS.md as of this revision; later changes arrive as new data migrations.
    tables = {
        "metric_definitions": sa.table(
            "metric_definitions",
            *(sa.column(c) for c in ("metric_name", "unit", "rollup", "direction", "default_source", "description")),
        ),
        "kpi_definitions": sa.table(
            "kpi_definitions",
            *(
                sa.column(c)
                for c in ("kpi_name", "formula", "unit", "direction", "description", "is_key", "sort_order")
            ),
        ),
        "thresholds": sa.table(
            "thresholds",
            sa.column("metric_name"),
            sa.column("threshold_type"),
            sa.column("threshold_value", sa.Numeric(12, 2)),
            sa.column("organization_id"),
        ),
    }
    seeded = {m.metric_name: m.measured_as for m in DEFAULT_METRICS}
    for name, rows in catalog_rows().items():
        table = tables[name]
        # The columns of this revision only; descriptions as they were then (2026_12_03_0020 rewrites them).
        rows = [{column.name: row[column.name] for column in table.columns} for row in rows]
        for row in rows:
            if name == "metric_definitions":
                row["description"] = seeded[str(row["metric_name"])]
            elif name == "kpi_definitions":
                row["description"] = None
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("user_organizations")
    op.drop_index(
        "uq_thresholds_default_metric_name_threshold_type",
        table_name="thresholds",
        sqlite_where=sa.text("organization_id IS NULL"),
        postgresql_where=sa.text("organization_id IS NULL"),
    )

    op.drop_table("thresholds")
    op.drop_table("smartnumbers")
    op.drop_index(op.f("ix_organization_links_organization_id"), table_name="organization_links")

    op.drop_table("organization_links")
    op.drop_table("metrics_quarterly")
    op.drop_index("ix_metrics_monthly_period_metric_name", table_name="metrics_monthly")
    op.drop_index("ix_metrics_monthly_organization_id_period", table_name="metrics_monthly")

    op.drop_table("metrics_monthly")
    op.drop_index(op.f("ix_metric_corrections_organization_id"), table_name="metric_corrections")

    op.drop_table("metric_corrections")
    op.drop_table("api_key_organizations")
    op.drop_table("users")
    op.drop_index(op.f("ix_sync_runs_source_system"), table_name="sync_runs")

    op.drop_table("sync_runs")
    op.drop_table("periods")
    op.drop_index(
        "uq_organizations_single_msp",
        table_name="organizations",
        sqlite_where=sa.text("is_msp"),
        postgresql_where=sa.text("is_msp"),
    )

    op.drop_table("organizations")
    op.drop_table("metric_definitions")
    op.drop_table("kpi_definitions")
    op.drop_table("connector_settings")
    op.drop_table("api_keys")
