"""The five tables of SEED_DATA_MODEL.md exist exactly as specified, with their indexes and relationships."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text

# (column, information_schema data_type, character_maximum_length, numeric_precision, numeric_scale)
SEED_COLUMNS: dict[str, list[tuple[str, str, int | None, int | None, int | None]]] = {
    "metrics_monthly": [
        ("id", "integer", None, 32, 0),
        ("period", "character varying", 7, None, None),
        ("organization_id", "integer", None, 32, 0),
        ("metric_name", "character varying", 100, None, None),
        ("metric_value", "numeric", None, 12, 2),
        ("source_system", "character varying", 50, None, None),
        ("created_at", "timestamp with time zone", None, None, None),
    ],
    "metrics_quarterly": [
        ("id", "integer", None, 32, 0),
        ("period", "character varying", 7, None, None),
        ("organization_id", "integer", None, 32, 0),
        ("metric_name", "character varying", 100, None, None),
        ("metric_value", "numeric", None, 12, 2),
        ("created_at", "timestamp with time zone", None, None, None),
    ],
    "smartnumbers": [
        ("id", "integer", None, 32, 0),
        ("period", "character varying", 7, None, None),
        ("kpi_name", "character varying", 100, None, None),
        ("kpi_value", "numeric", None, 12, 2),
        ("calculation_method", "character varying", 200, None, None),
        ("organization_id", "integer", None, 32, 0),
        ("created_at", "timestamp with time zone", None, None, None),
    ],
    "thresholds": [
        ("id", "integer", None, 32, 0),
        ("metric_name", "character varying", 100, None, None),
        ("threshold_type", "character varying", 20, None, None),
        ("threshold_value", "numeric", None, 12, 2),
        ("organization_id", "integer", None, 32, 0),
        ("updated_at", "timestamp with time zone", None, None, None),
    ],
    "periods": [
        ("id", "integer", None, 32, 0),
        ("period_type", "character varying", 20, None, None),
        ("period_value", "character varying", 7, None, None),
        ("start_date", "date", None, None, None),
        ("end_date", "date", None, None, None),
        ("is_active", "boolean", None, None, None),
    ],
}

# (table, column) -> (referred table, referred column)
SEED_FOREIGN_KEYS = {
    ("metrics_monthly", "period"): ("periods", "period_value"),
    ("metrics_monthly", "organization_id"): ("organizations", "id"),
    ("metrics_quarterly", "period"): ("periods", "period_value"),
    ("metrics_quarterly", "organization_id"): ("organizations", "id"),
    ("smartnumbers", "period"): ("periods", "period_value"),
    ("smartnumbers", "organization_id"): ("organizations", "id"),
    ("thresholds", "organization_id"): ("organizations", "id"),
}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("table", sorted(SEED_COLUMNS))
def test_postgres_columns_match_the_seed(engine: Engine, table: str) -> None:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale "
                "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :table"
            ),
            {"table": table},
        ).all()
        id_default = connection.execute(
            text(
                "SELECT column_default FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = :table AND column_name = 'id'"
            ),
            {"table": table},
        ).scalar_one()
    actual = {row[0]: tuple(row) for row in rows}
    for expected in SEED_COLUMNS[table]:
        assert actual.get(expected[0]) == expected, f"{table}.{expected[0]}"
    assert id_default.startswith("nextval("), "id is a SERIAL (sequence-backed) key"


def test_seed_columns_exist_with_types_on_every_backend(engine: Engine) -> None:
    inspector = inspect(engine)
    for table, columns in SEED_COLUMNS.items():
        actual = {column["name"]: column for column in inspector.get_columns(table)}
        for name, data_type, length, precision, scale in columns:
            assert name in actual, f"{table}.{name} is missing"
            column_type = actual[name]["type"]
            if length is not None:
                assert getattr(column_type, "length", None) == length, f"{table}.{name} length"
            if data_type == "numeric":
                assert (column_type.precision, column_type.scale) == (precision, scale), f"{table}.{name}"
        pk = inspector.get_pk_constraint(table)["constrained_columns"]
        assert pk == ["id"], table


def test_metrics_monthly_has_the_two_specified_indexes(engine: Engine) -> None:
    indexes = {tuple(index["column_names"]) for index in inspect(engine).get_indexes("metrics_monthly")}
    assert ("period", "metric_name") in indexes
    assert ("organization_id", "period") in indexes


def test_foreign_keys_follow_the_relationships(engine: Engine) -> None:
    inspector = inspect(engine)
    found = {}
    for table in {table for table, _ in SEED_FOREIGN_KEYS}:
        for fk in inspector.get_foreign_keys(table):
            for column, referred in zip(fk["constrained_columns"], fk["referred_columns"], strict=True):
                found[(table, column)] = (fk["referred_table"], referred)
    for key, target in SEED_FOREIGN_KEYS.items():
        assert found.get(key) == target, key


def test_seed_example_query_runs_unchanged(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO organizations (name) VALUES ('Acme Corp')"))
        connection.execute(
            text(
                "INSERT INTO periods (period_type, period_value, start_date, end_date, is_active) "
                "VALUES ('monthly', '2025-01', '2025-01-01', '2025-01-31', true)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO metrics_monthly (period, organization_id, metric_name, metric_value, source_system) "
                "SELECT '2025-01', id, 'Reactive Tickets Closed', 42.50, 'ConnectWise' FROM organizations"
            )
        )
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT metric_name, metric_value\nFROM metrics_monthly\nWHERE period = '2025-01';")
        ).all()
    assert [(name, float(value)) for name, value in rows] == [("Reactive Tickets Closed", 42.5)]


def test_catalog_is_seeded(engine: Engine) -> None:
    with engine.connect() as connection:
        metrics = connection.execute(text("SELECT count(*) FROM metric_definitions")).scalar_one()
        kpis = connection.execute(text("SELECT count(*) FROM kpi_definitions")).scalar_one()
        defaults = connection.execute(
            text("SELECT metric_name, threshold_type, threshold_value FROM thresholds WHERE organization_id IS NULL")
        ).all()
    assert metrics == 32
    assert kpis == 24
    assert {(m, t, float(v)) for m, t, v in defaults} >= {
        ("RHEM", "warning", 0.25),
        ("RHEM", "critical", 0.40),
    }
    assert len(defaults) == 14
