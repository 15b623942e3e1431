"""PostgreSQL going away mid-request and mid-import, on a server of the tests' own: the API answers 503
problem+json, an import rolls back completely, and the same app object recovers by itself when the server returns."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from qbr.auth.keys import create_api_key
from qbr.core.database import make_engine, unit_of_work
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.metrics.locks import lock_organizations
from qbr.server.app import create_app
from tests.api.support import assert_problem
from tests.reliability.cluster import ThrowawayPostgres
from tests.reliability.support import assert_derived_figures_match_their_inputs, derived_state
from tests.support import make_organization

WAIT_SECONDS = 30


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds; fail (never hang) if it does not within WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def waiting_for_a_lock(url: str) -> Callable[[], bool]:
    """Whether some session of the database waits for a lock another one holds."""
    observer = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def check() -> bool:
        with observer.connect() as connection:
            return bool(connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))

    return check


@pytest.fixture
def fault_engine(fault_database_url: str) -> Iterator[Engine]:
    engine = make_engine(fault_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def acme(fault_engine: Engine) -> int:
    with unit_of_work(fault_engine) as session:
        return make_organization(session, "Acme").id


def values(organization_id: int, period: str, source: str = "ConnectWise", scale: int = 1) -> list[MetricInput]:
    numbers = {"Reactive Hours": 40, "Reactive Tickets Closed": 16, "Reactive Tickets Created": 20}
    return [MetricInput(organization_id, period, name, v * scale, source) for name, v in numbers.items()]


class TestRequestDuringOutage:
    def test_a_request_in_flight_gets_503_and_the_same_app_recovers_when_the_server_returns(
        self, throwaway_postgres: ThrowawayPostgres, fault_database_url: str, fault_engine: Engine, acme: int
    ) -> None:
        with unit_of_work(fault_engine) as session:
            _, key = create_api_key(session, "editor", "editor")
        headers = {"X-API-Key": key}
        body = {"items": [{"organization_id": acme, "period": "2025-01", "metric_name": "Reactive Hours",
                           "metric_value": 12.5, "source_system": "ConnectWise"}]}  # fmt: skip
        app = create_app(engine=fault_engine)
        with TestClient(app) as client:
            assert client.get("/api/v1/organizations", headers=headers).status_code == 200

            # Another writer of Acme holds its lock, so the request waits inside its transaction ...
            holder = Session(make_engine(fault_database_url))
            lock_organizations(holder, [acme])
            responses: list[httpx2.Response] = []
            writer = threading.Thread(
                target=lambda: responses.append(client.post("/api/v1/metrics/monthly", json=body, headers=headers))
            )
            writer.start()
            wait_for(waiting_for_a_lock(fault_database_url), "the request to wait for the lock")
            # ... when the server stops.
            throwaway_postgres.stop("fast")
            writer.join(WAIT_SECONDS)
            holder.invalidate()  # its connection died with the server
            (in_flight,) = responses
            problem = assert_problem(in_flight, 503)
            assert problem["type"] == "urn:qbr:problem:database-unavailable"
            assert in_flight.headers["retry-after"]

            # While it is down: every route that needs it says so, and the process stays alive.
            assert_problem(client.get("/api/v1/organizations", headers=headers), 503)
            assert_problem(client.post("/api/v1/metrics/monthly", json=body, headers=headers), 503)
            assert_problem(client.get("/readyz"), 503)
            assert client.get("/healthz").status_code == 200

            throwaway_postgres.start()
            # The same app, no restart: stale pooled connections are noticed and replaced.
            assert client.get("/readyz").status_code == 200
            assert client.post("/api/v1/metrics/monthly", json=body, headers=headers).status_code == 200
            listed = client.get("/api/v1/metrics/monthly", params={"organization_id": acme}, headers=headers).json()
            assert [(item["metric_name"], item["metric_value"]) for item in listed["items"]] == [
                ("Reactive Hours", 12.5)
            ]


class TestImportDuringOutage:
    def test_an_import_cut_off_by_a_crash_leaves_no_trace_and_succeeds_when_run_again(
        self,
        throwaway_postgres: ThrowawayPostgres,
        fault_database_url: str,
        fault_engine: Engine,
        acme: int,
        tmp_path: Path,
    ) -> None:
        with unit_of_work(fault_engine) as session:
            ingest_metrics(session, values(acme, "2025-03", source="CSV"))
        before = derived_state(fault_engine)

        # Six new months and a new value for a row another transaction holds: the import creates the periods,
        # stages and starts writing, then waits for that row ...
        lines = ["period,organization_id,metric_name,metric_value"]
        lines += [f"2024-{m:02d},{acme},{name},{v}" for m in range(7, 13) for name, v in (("Reactive Hours", 30),
                  ("Reactive Tickets Closed", 9), ("Reactive Tickets Created", 11))]  # fmt: skip
        lines.append(f"2025-03,{acme},Reactive Hours,99")
        csv_file = tmp_path / "values.csv"
        csv_file.write_text("\n".join(lines) + "\n")
        holder = Session(make_engine(fault_database_url))
        holder.execute(text("SELECT id FROM metrics_monthly WHERE period = '2025-03' FOR UPDATE"))
        command = [sys.executable, "-m", "qbr", "import", "metrics", str(csv_file)]
        environment = {"QBR_DATABASE_URL": fault_database_url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        importer = subprocess.Popen(
            command, env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        try:
            wait_for(waiting_for_a_lock(fault_database_url), "the import to wait for the held row")
            # ... when the server crashes.
            throwaway_postgres.stop("immediate")
            output, _ = importer.communicate(timeout=WAIT_SECONDS)
        finally:
            if importer.poll() is None:
                importer.kill()
        holder.invalidate()  # its connection died with the server
        assert importer.returncode != 0
        assert "Traceback" not in output
        assert "the database is unavailable" in output

        throwaway_postgres.start()  # crash recovery: what was not committed is gone
        assert derived_state(fault_engine) == before

        rerun = subprocess.run(command, env=environment, cwd=tmp_path, capture_output=True, text=True, check=False)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        after = derived_state(fault_engine)
        assert len(after["metrics_monthly"]) == len(before["metrics_monthly"]) + 18
        assert ("Acme", "2025-03", "Reactive Hours", "CSV", 99) in after["metrics_monthly"]
        assert_derived_figures_match_their_inputs(fault_engine)
