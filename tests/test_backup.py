"""Backups: every table round-trips exactly, across SQLite and PostgreSQL, and a bad archive changes nothing."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from qbr.auth.models import ApiKey, User, api_key_organizations, user_organizations
from qbr.backup.archive import export_database, restore_database
from qbr.cli import app
from qbr.connectors.models import ConnectorSetting, SyncRun
from qbr.core.database import make_engine
from qbr.errors import Conflict, InvalidInput
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import MetricCorrection, MetricMonthly, MetricQuarterly
from qbr.models import Base
from qbr.organizations.models import OrganizationLink
from qbr.thresholds.models import Threshold
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.support import make_organization, make_periods

# The export reads one snapshot in a transaction of its own (SET TRANSACTION), which a savepoint cannot be.
pytestmark = pytest.mark.commits

NOW = datetime(2025, 4, 2, 8, 30, tzinfo=UTC)


def populate_every_table(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        msp = make_organization(session, "Bright IT", is_msp=True)
        client = make_organization(session, "Acme Corp — Zürich")
        make_periods(session, "2025-01", "2025-02", "2025-03")
        session.add(OrganizationLink(organization_id=client.id, source_system="ConnectWise", external_id="23"))
        for month, value in (("2025-01", "10.25"), ("2025-02", "-3.50"), ("2025-03", "9999999999.99")):
            session.add(
                MetricMonthly(
                    period=month,
                    organization_id=client.id,
                    metric_name="Non-Recurring Revenue",
                    metric_value=Decimal(value),
                    source_system="QuickBooks",
                    created_at=NOW,
                )
            )
        session.add(
            MetricQuarterly(
                period="2025-Q1", organization_id=client.id, metric_name="Reactive Hours", metric_value=Decimal("7.5")
            )
        )
        session.add(
            SmartNumber(
                period="2025-Q1",
                kpi_name="RHEM",
                kpi_value=None,
                calculation_method="[Reactive Hours] / [Endpoints Managed] / months",
                organization_id=client.id,
            )
        )
        session.add(
            Threshold(
                metric_name="RHEM", threshold_type="warning", threshold_value=Decimal("0.3"), organization_id=msp.id
            )
        )
        session.add(
            MetricCorrection(
                organization_id=client.id,
                period="2025-01",
                metric_name="Employees",
                previous_value=None,
                new_value=Decimal("8.5"),
                note="headcount from HR",
                period_was_closed=True,
            )
        )
        user = User(username="ana", password_hash="$argon2id$v=19$m=65536,t=3,p=4$x$y", role="viewer")
        key = ApiKey(name="ci", key_prefix="qbr_ab12", key_hash="f" * 64, role="editor", last_used_at=NOW)
        session.add_all([user, key])
        session.flush()
        session.execute(insert(user_organizations).values(user_id=user.id, organization_id=client.id))
        session.execute(insert(api_key_organizations).values(api_key_id=key.id, organization_id=client.id))
        session.add(
            ConnectorSetting(
                source_system="QuickBooks",
                setting_key="refresh_token",
                setting_value="gAAAA…",
                is_secret=True,
                updated_at=NOW,
            )
        )
        session.add(SyncRun(source_system="NinjaOne", period="2025-03", started_at=NOW, status="succeeded"))


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    def normal(value: Any) -> Any:
        if isinstance(value, Decimal):
            return value.normalize()
        if isinstance(value, datetime):
            return value.replace(tzinfo=value.tzinfo or UTC).astimezone(UTC)
        return value

    with engine.connect() as connection:
        return {
            table.name: [
                {key: normal(value) for key, value in row.items()}
                for row in connection.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            ]
            for table in Base.metadata.sorted_tables
            if table.name != "data_versions"  # each database's own, bumped by a restore (see test_data_versions)
        }


def test_round_trip_into_an_empty_database(engine: Engine, fresh_database_url: str, tmp_path: Path) -> None:
    populate_every_table(engine)
    archive = tmp_path / "qbr.backup.gz"
    summary = export_database(engine, archive)
    assert summary.row_counts["metrics_monthly"] == 3

    target = make_engine(fresh_database_url)
    try:
        restore_database(target, archive)
        assert snapshot(target) == snapshot(engine)
        # New rows continue after the restored ids (PostgreSQL sequences were moved past them).
        with Session(target) as session, session.begin():
            newest = make_organization(session, "After Restore")
            assert newest.id > max(row["id"] for row in snapshot(engine)["organizations"])
    finally:
        target.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_backup_restores_into_postgresql(engine: Engine, tmp_path: Path) -> None:
    populate_every_table(engine)
    archive = tmp_path / "from-sqlite.backup.gz"
    export_database(engine, archive)
    url = create_postgres_database()
    target = make_engine(url)
    try:
        restore_database(target, archive)
        assert snapshot(target) == snapshot(engine)
    finally:
        target.dispose()
        drop_postgres_database(url)


def test_restore_refuses_a_database_with_data_unless_replace(engine: Engine, tmp_path: Path) -> None:
    populate_every_table(engine)
    archive = tmp_path / "b.gz"
    export_database(engine, archive)
    before = snapshot(engine)
    with pytest.raises(Conflict, match="--replace"):
        restore_database(engine, archive)
    restore_database(engine, archive, replace=True)
    assert snapshot(engine) == before


def test_damaged_archive_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    populate_every_table(engine)
    archive = tmp_path / "b.gz"
    export_database(engine, archive)
    before = snapshot(engine)

    truncated = tmp_path / "truncated.gz"
    truncated.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(InvalidInput, match=r"truncated\.gz"):
        restore_database(engine, truncated, replace=True)
    assert snapshot(engine) == before

    lines = gzip.decompress(archive.read_bytes()).decode().splitlines()
    missing_rows = tmp_path / "short.gz"
    missing_rows.write_bytes(gzip.compress("\n".join(lines[:-3]).encode() + b"\n"))
    with pytest.raises(InvalidInput, match="different number of rows"):
        restore_database(engine, missing_rows, replace=True)
    assert snapshot(engine) == before

    not_a_backup = tmp_path / "notes.gz"
    not_a_backup.write_bytes(gzip.compress(b"hello\n"))
    with pytest.raises(InvalidInput, match="not a QBR Dashboard backup"):
        restore_database(engine, not_a_backup, replace=True)


def test_cli_export_and_restore(engine: Engine, tmp_path: Path) -> None:
    populate_every_table(engine)
    archive = tmp_path / "cli.gz"
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(archive)])
    assert result.exit_code == 0, result.output
    assert "rows of schema revision" in result.output
    refused = runner.invoke(app, ["restore", str(archive)])
    assert refused.exit_code != 0
    assert "--replace" in refused.output
    assert "Traceback" not in refused.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "nope.gz")])
    assert missing.exit_code != 0
    assert "does not exist" in missing.output
