"""Concurrent writers and readers on both databases: imports, recomputation, threshold edits and reads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from qbr.auth.keys import create_api_key
from qbr.catalog import DEFAULT_METRICS
from qbr.cli import app as cli
from qbr.core.database import is_busy, unavailable, unit_of_work, writing
from qbr.errors import InvalidInput
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.kpis.recompute_request import recompute_matching
from qbr.organizations.models import Organization
from qbr.server.app import create_app
from qbr.thresholds.grading import effective_thresholds
from qbr.thresholds.service import set_threshold
from tests.reliability.support import assert_derived_figures_match_their_inputs, derived_state, run_together
from tests.support import make_organization, reset_database

# Imports, recomputes and reads in threads, each on a real connection, and resets between runs.
pytestmark = pytest.mark.commits

ORGANIZATIONS = ("Acme", "Globex", "Initech")
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06")
METRICS = [spec.metric_name for spec in DEFAULT_METRICS]
WRITERS = 8
WINDOW = 6  # metrics per batch; each starts four after its neighbour, so neighbours share two


def value_of(organization: str, month: str, metric: str) -> Decimal:
    seed = sum(map(ord, organization + month + metric))
    return Decimal(seed % 997) + Decimal(seed % 7) / 4


def overlapping_batches(ids: dict[str, int]) -> list[list[MetricInput]]:
    """Eight batches over the same organizations and months, each a window of the catalog that overlaps its
    neighbours' (shared values are identical, so every serial order gives one and the same result)."""
    batches = []
    for number in range(WRITERS):
        window = [METRICS[(number * 4 + offset) % len(METRICS)] for offset in range(WINDOW)]
        batches.append(
            [
                MetricInput(ids[name], month, metric, value_of(name, month, metric), "CSV")
                for name in ORGANIZATIONS
                for month in MONTHS
                for metric in window
            ]
        )
    return batches


def create_organizations(engine: Engine) -> dict[str, int]:
    with unit_of_work(engine) as session:
        return {name: make_organization(session, name).id for name in ORGANIZATIONS}


def import_job(engine: Engine, batch: list[MetricInput]) -> Callable[[], None]:
    def job() -> None:
        with unit_of_work(engine) as session:
            ingest_metrics(session, batch)

    return job


class TestConcurrentImports:
    def test_eight_overlapping_imports_end_as_a_serial_run_does(self, engine: Engine) -> None:
        ids = create_organizations(engine)
        errors = run_together([import_job(engine, batch) for batch in overlapping_batches(ids)])
        assert errors == []
        concurrent = derived_state(engine)

        reset_database(engine)
        ids = create_organizations(engine)
        for batch in overlapping_batches(ids):
            import_job(engine, batch)()
        serial = derived_state(engine)

        assert len(serial["smartnumbers"]) > 100
        for table in serial:
            assert concurrent[table] == serial[table], table


class TestConcurrentRecomputation:
    def test_recomputing_while_importing_leaves_every_figure_matching_its_inputs(self, engine: Engine) -> None:
        ids = create_organizations(engine)
        batches = overlapping_batches(ids)

        def recompute_all() -> None:
            for _ in range(3):
                with unit_of_work(engine) as session:
                    recompute_matching(session)

        errors = run_together([*(import_job(engine, batch) for batch in batches[:5]), recompute_all, recompute_all])
        assert errors == []
        assert_derived_figures_match_their_inputs(engine)


class TestConcurrentThresholdEdits:
    def test_a_warning_and_a_critical_edited_at_once_never_cross(self, engine: Engine) -> None:
        """Each edit is valid against what it read; together they would put warning below critical (write skew)."""
        name = "Profit Margin"  # higher is better: warning must stay above critical
        outcomes: list[str] = []

        def edit(**change: str) -> Callable[[], None]:
            def job() -> None:
                try:
                    with unit_of_work(engine) as session:
                        set_threshold(session, name, **change)  # type: ignore[arg-type]
                    outcomes.append("applied")
                except InvalidInput:
                    outcomes.append("refused")

            return job

        for _ in range(12):
            with unit_of_work(engine) as session:
                set_threshold(session, name, warning="10", critical="5")
            outcomes.clear()
            assert run_together([edit(warning="7"), edit(critical="8")]) == []
            assert sorted(outcomes) == ["applied", "refused"]
            with Session(engine) as session:
                pair = effective_thresholds(session, None)[name]
            assert pair.warning is not None
            assert pair.critical is not None
            assert pair.warning > pair.critical, pair


class TestReadsDuringIngest:
    def test_a_dashboard_read_while_a_month_is_rewritten_shows_one_version_of_it(self, engine: Engine) -> None:
        """Version k of January: Reactive Hours = 7k + 3 and Reactive Tickets Closed = k, so Average Resolution
        Time (hours per ticket) belongs to exactly one k. The dashboard reads metrics and KPIs in separate queries;
        each response must show them from one and the same version."""
        with unit_of_work(engine) as session:
            organization_id = make_organization(session, "Acme").id
            _, key = create_api_key(session, "reader", "viewer")
        versions = 40
        done = threading.Event()
        seen: list[tuple[Decimal, Decimal, Decimal]] = []

        def write_versions() -> None:
            try:
                for k in range(1, versions + 1):
                    with unit_of_work(engine) as session:
                        ingest_metrics(session, version_of_january(organization_id, k))
            finally:
                done.set()

        def read_until_done() -> None:
            with TestClient(create_app(engine=engine)) as client:
                while not done.is_set() or not seen:
                    response = client.get(
                        f"/api/v1/organizations/{organization_id}/dashboard",
                        params={"period": "2025-01"},
                        headers={"X-API-Key": key},
                    )
                    if response.status_code == 404:  # nothing written yet
                        continue
                    assert response.status_code == 200, response.text
                    body = response.json()
                    metrics = {m["metric_name"]: m["metric_value"] for m in body["metrics"]}
                    kpis = {k["kpi_name"]: k["kpi_value"] for k in body["kpis"]}
                    if "Reactive Hours" in metrics and "Average Resolution Time" in kpis:
                        seen.append(
                            (
                                Decimal(str(metrics["Reactive Hours"])),
                                Decimal(str(metrics["Reactive Tickets Closed"])),
                                Decimal(str(kpis["Average Resolution Time"])),
                            )
                        )

        assert run_together([write_versions, read_until_done]) == []
        assert seen
        for hours, closed, resolution_time in seen:
            assert hours == 7 * closed + 3
            assert resolution_time == (hours / closed).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def version_of_january(organization_id: int, k: int) -> list[MetricInput]:
    values = {"Reactive Hours": 7 * k + 3, "Reactive Tickets Closed": k, "Reactive Tickets Created": k}
    return [MetricInput(organization_id, "2025-01", name, value, "ConnectWise") for name, value in values.items()]


class TestBusyIsRetryable:
    def test_a_writer_in_the_way_is_reported_as_busy_not_as_a_lost_database(self) -> None:
        for message in ("database is locked", "deadlock detected\nDETAIL: Process 1 waits for ShareLock"):
            busy = OperationalError("INSERT …", {}, Exception(message))
            assert is_busy(busy)
            assert str(unavailable(busy)).startswith("the database is busy with other changes; nothing was written")
        gone = OperationalError("SELECT 1", {}, Exception("connection refused"))
        assert not is_busy(gone)
        assert str(unavailable(gone)) == "the database is unavailable: connection refused"


class TestCommandsBesideAWriter:
    def test_a_listing_does_not_wait_for_a_writer_and_a_change_waits_its_turn(self, engine: Engine) -> None:
        runner = CliRunner()
        holder = writing(engine).connect()
        transaction = holder.begin()  # on SQLite: BEGIN IMMEDIATE, the write lock
        holder.execute(insert(Organization).values(name="Held", is_msp=False, is_active=True))
        if engine.dialect.name == "postgresql":
            holder.execute(text("LOCK TABLE organizations IN EXCLUSIVE MODE"))  # writers wait, readers do not
        try:
            listing = runner.invoke(cli, ["orgs", "list"])
            assert listing.exit_code == 0, listing.output
            created: list[Result] = []
            waiting = threading.Thread(target=lambda: created.append(runner.invoke(cli, ["orgs", "create", "Later"])))
            waiting.start()
            waiting.join(0.5)
            assert waiting.is_alive()  # waits for the writer rather than failing
            transaction.commit()
            waiting.join(30)
        finally:
            holder.close()
        (result,) = created
        assert result.exit_code == 0, result.output
        with Session(engine) as session:
            assert set(session.scalars(select(Organization.name))) == {"Held", "Later"}
