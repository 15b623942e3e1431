"""A ``qbr sync`` process killed with SIGKILL halfway through six months: every month is whole or absent, and the
rerun completes them all with no duplicates and no month lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.connectwise import FakeConnectWise
from fakes.month import Month
from qbr.connectors.models import SyncRun
from qbr.metrics.models import MetricMonthly
from qbr.periods.calendar import parse_period, period_range
from tests.connectors import scenario
from tests.connectors.conftest import monthly, qbr
from tests.connectors.scenario import ACME
from tests.reliability.support import assert_derived_figures_match_their_inputs, derived_state

# The sync runs in a subprocess that is killed: it commits on its own connection.
pytestmark = pytest.mark.commits

MONTHS = 6
ORGANIZATIONS = 3  # Acme, Globex and the MSP get ConnectWise figures
PER_MONTH = ORGANIZATIONS * len(scenario.CW_METRICS)


def rows_per_month(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        statement = (
            select(MetricMonthly.period, func.count())
            .where(MetricMonthly.source_system == "ConnectWise")
            .group_by(MetricMonthly.period)
        )
        return {period: count for period, count in session.execute(statement)}  # noqa: C416


def run_states(engine: Engine) -> dict[str, list[str]]:
    with Session(engine) as session:
        states: dict[str, list[str]] = {}
        for run in session.scalars(select(SyncRun).order_by(SyncRun.id)):
            states.setdefault(run.period, []).append(run.status)
        return states


def mid_run(engine: Engine) -> bool:
    """Two months are done and the third is running."""
    runs = [status for states in run_states(engine).values() for status in states]
    return runs.count("succeeded") >= 2 and "running" in runs


def test_a_sync_killed_mid_run_leaves_whole_months_and_the_rerun_completes_them(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    first = parse_period(month.period)
    for _ in range(MONTHS - 1):
        first = first.previous()
    periods = period_range(first, parse_period(month.period))
    command = [sys.executable, "-m", "qbr", "sync", "--source", "connectwise", "--since", first.value]

    connectwise.delay_next(100_000, 0.05)  # a slow vendor (about 0.2 s a month), so the kill lands mid-run
    process = subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # Kill it while the third month is being read or written.
        while not mid_run(engine) and process.poll() is None:
            if time.monotonic() > deadline:
                pytest.fail("the sync did not get through two months")
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL, "the sync finished before it could be killed"

    # Each month is all or nothing: written completely by a run that succeeded, or not at all.
    states = run_states(engine)
    counts = rows_per_month(engine)
    done = {period for period, runs in states.items() if "succeeded" in runs}
    assert 2 <= len(done) < MONTHS
    assert counts == dict.fromkeys(sorted(done), PER_MONTH)
    assert any("running" in runs for runs in states.values())  # the killed run stays on record

    connectwise.revive()
    rerun = qbr("sync", "--source", "connectwise", "--since", first.value)
    assert rerun.exit_code == 0, rerun.output
    assert rows_per_month(engine) == dict.fromkeys((p.value for p in periods), PER_MONTH)  # none lost, none twice
    with Session(engine) as session:
        expected = scenario.expected_connectwise(connectwise, month).for_ids("cw", ["23"], scenario.CW_METRICS)
        assert monthly(session, world[ACME], month.period, "ConnectWise") == expected
    assert_derived_figures_match_their_inputs(engine)

    settled = derived_state(engine)
    again = qbr("sync", "--source", "connectwise", "--since", first.value)
    assert again.exit_code == 0, again.output
    assert "0 value(s) written" in again.output
    assert derived_state(engine) == settled
