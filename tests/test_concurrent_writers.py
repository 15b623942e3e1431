"""Two writers of one organization at once: the one that commits last still computes from both inputs."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from qbr.ingest.writing import ingest_metrics
from tests.metrics_support import inputs, kpis
from tests.support import make_organization

# Writers in threads, each on a real connection: the test's one shared transaction cannot stand in for them.
pytestmark = pytest.mark.commits


def waiting_for_advisory_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        ).scalar_one()
    return count > 0


@pytest.mark.postgres_only
def test_concurrent_syncs_of_one_organization_leave_correct_kpis(engine: Engine, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite admits one writer at a time by itself")
    with Session(engine) as session:
        org = make_organization(session).id
        session.commit()
    first = Session(engine)
    # The NinjaOne sync writes endpoints and holds its transaction open...
    ingest_metrics(first, inputs(org, {("2025-01", "Endpoints Managed"): 40}, source="NinjaOne"))
    failures: list[BaseException] = []

    def connectwise_sync() -> None:
        try:
            with Session(engine) as second:
                ingest_metrics(second, inputs(org, {("2025-01", "Reactive Hours"): 20}))
                second.commit()
        except BaseException as error:  # reported to the main thread below
            failures.append(error)

    # ...while the ConnectWise sync writes hours for the same organization and month.
    thread = threading.Thread(target=connectwise_sync)
    thread.start()
    try:
        for _ in range(600):  # wait (up to a minute) until the second writer is queued behind the first
            if waiting_for_advisory_lock(engine) or not thread.is_alive():
                break
            time.sleep(0.1)
        assert waiting_for_advisory_lock(engine), "the second writer should wait for the first"
        first.commit()
    finally:
        first.close()  # rolls back if the assertion failed, so the second writer is never left blocked
        thread.join(timeout=120)
    assert not failures
    with Session(engine) as session:
        # Had the second writer not waited, it would have computed RHEM without the endpoints: NULL.
        assert kpis(session, org, "2025-01")["RHEM"] == Decimal("0.50")
        assert kpis(session, org, "2025-Q1")["RHEM"] == Decimal("0.50")  # one month of data: months = 1
