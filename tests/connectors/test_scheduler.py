"""The daily sync in ``qbr serve``: due at QBR_SYNC_DAILY_AT in business time, claimed by exactly one process a
day, run by a background thread that the app starts and stops."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fakes.month import Month
from qbr.connectors import scheduler as scheduler_module
from qbr.connectors.models import SyncRun
from qbr.connectors.scheduler import DailySyncScheduler, claim_daily_run
from qbr.connectors.sync import SyncReport
from qbr.core.database import unit_of_work
from qbr.periods.calendar import parse_period
from qbr.periods.models import Period
from qbr.periods.service import ensure_periods
from qbr.server.app import create_app

NEW_YORK = ZoneInfo("America/New_York")


class Runs:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, engine: Engine) -> SyncReport:
        self.count += 1
        return SyncReport()


def at(hour: int, minute: int = 0, day: int = 14) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=NEW_YORK)


def test_each_day_is_claimed_once(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        assert claim_daily_run(session, date(2025, 3, 14))
    with unit_of_work(engine) as session:
        assert not claim_daily_run(session, date(2025, 3, 14))
        assert not claim_daily_run(session, date(2025, 3, 13))
    with unit_of_work(engine) as session:
        assert claim_daily_run(session, date(2025, 3, 15))


def test_the_sync_runs_once_a_day_after_its_time(engine: Engine) -> None:
    clock = {"now": at(6, 59)}
    runs = Runs()
    first = DailySyncScheduler(engine, time(7, 0), timezone="America/New_York", now=lambda: clock["now"], run=runs)
    other_process = DailySyncScheduler(
        engine, time(7, 0), timezone="America/New_York", now=lambda: clock["now"], run=runs
    )
    assert first.tick() is None
    assert first.seconds_until_next() == 60
    clock["now"] = at(7, 0)
    assert first.tick() is not None
    assert other_process.tick() is None
    assert first.tick() is None
    assert runs.count == 1
    assert first.seconds_until_next() == 3600  # tomorrow is far: wake hourly meanwhile
    clock["now"] = at(7, 30, day=15).astimezone(UTC)  # a clock in UTC reads the same day in New York
    assert other_process.tick() is not None
    assert runs.count == 2


def test_a_scheduled_run_syncs_the_open_months_and_closes_due_periods(
    engine: Engine, month: Month, world: dict[str, int]
) -> None:
    with unit_of_work(engine) as session:
        ensure_periods(session, [parse_period("2020-01")])
    scheduler = DailySyncScheduler(engine, time(0, 0))
    report = scheduler.tick()
    assert report is not None
    assert not report.failed
    assert {o.source for o in report.outcomes} == {"ConnectWise", "NinjaOne", "QuickBooks"}
    assert month.period in {o.period for o in report.outcomes}
    assert "2020-01" in report.closed_periods
    with Session(engine) as session:
        assert session.scalar(select(Period.is_active).where(Period.period_value == "2020-01")) is False
        assert session.scalar(select(SyncRun.status).where(SyncRun.period == month.period).limit(1)) == "succeeded"


def test_the_app_runs_the_scheduler_only_when_asked(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    runs = Runs()
    connector_env.setattr(scheduler_module, "run_scheduled_sync", runs)
    with TestClient(create_app(engine=engine)) as client:
        assert client.app.state.sync_scheduler is None  # type: ignore[attr-defined]
    connector_env.setenv("QBR_SYNC_DAILY_AT", "00:00")
    app = create_app(engine=engine)
    with TestClient(app):
        scheduler = app.state.sync_scheduler
        assert scheduler.running
    assert not scheduler.running
