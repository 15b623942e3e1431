"""Faults during a sync: a vendor that dies mid-sync, keeps answering 500 or sends malformed JSON; an expired
QuickBooks authorization; closed periods; manual values. Each (source, period) is all or nothing, the log says
why, and a rerun succeeds without duplicates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from fakes.connectwise import FakeConnectWise
from fakes.month import Month, iso
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks
from qbr.connectors.models import SyncRun
from qbr.connectors.runs import start_run
from qbr.connectors.settings import load_settings
from qbr.ingest.manual import set_manual_value
from qbr.metrics.effective import effective_monthly_values
from qbr.metrics.models import MetricMonthly
from qbr.periods.calendar import parse_period
from qbr.periods.models import Period
from qbr.periods.service import close_periods, ensure_periods
from qbr.sources import QUICKBOOKS
from tests.connectors import scenario
from tests.connectors.conftest import monthly, qbr
from tests.connectors.scenario import ACME


def rows_of(engine: Engine, source: str) -> int:
    with Session(engine) as session:
        return int(
            session.scalar(select(func.count()).select_from(MetricMonthly).where(MetricMonthly.source_system == source))
            or 0
        )


def runs(engine: Engine) -> list[SyncRun]:
    with Session(engine) as session:
        return list(session.scalars(select(SyncRun).order_by(SyncRun.id)))


def expected_acme_cw(connectwise: FakeConnectWise, month: Month) -> dict[str, Decimal]:
    return scenario.expected_connectwise(connectwise, month).for_ids("cw", ["23"], scenario.CW_METRICS)


def test_a_vendor_dying_mid_sync_writes_nothing_and_a_rerun_succeeds(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    connectwise.die_after(2)  # tickets created and closed are read; then the server is gone
    result = qbr("sync", "--source", "connectwise", "--period", month.period)
    assert result.exit_code == 1
    assert f"ConnectWise {month.period}: FAILED, nothing written: ConnectWise:" in result.output
    assert "connection failed" in result.output
    assert rows_of(engine, "ConnectWise") == 0
    (failed,) = runs(engine)
    assert (failed.status, failed.rows_written) == ("failed", 0)
    assert failed.finished_at is not None
    assert "RemoteProtocolError" in (failed.error or "") or "ConnectError" in (failed.error or "")

    connectwise.revive()
    for _ in range(2):
        rerun = qbr("sync", "--source", "connectwise", "--period", month.period)
        assert rerun.exit_code == 0, rerun.output
    with Session(engine) as session:
        assert monthly(session, world[ACME], month.period, "ConnectWise") == expected_acme_cw(connectwise, month)
    assert rows_of(engine, "ConnectWise") == 3 * len(scenario.CW_METRICS)  # Acme, Globex, the MSP: no duplicates
    assert [r.status for r in runs(engine)] == ["failed", "succeeded", "succeeded"]


def test_a_vendor_answering_500_leaves_the_previous_values_whole(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    assert qbr("sync", "--source", "connectwise", "--period", month.period).exit_code == 0
    before = expected_acme_cw(connectwise, month)
    acme = next(c for c in connectwise.collections["company/companies"] if c["id"] == 23)
    connectwise.ticket(acme, iso(month.at(6)))  # one more ticket this month...
    connectwise.fail_next(1000, status=500, path_contains="/time/entries")  # ...but the hours cannot be read
    result = qbr("sync", "--source", "connectwise", "--period", month.period)
    assert result.exit_code == 1
    assert "failed 3 times; last: HTTP 500" in result.output
    with Session(engine) as session:
        # The tickets were read before the failure, yet nothing of them was written.
        assert monthly(session, world[ACME], month.period, "ConnectWise") == before
    assert "HTTP 500" in (runs(engine)[-1].error or "")

    connectwise.revive()
    assert qbr("sync", "--source", "connectwise", "--period", month.period).exit_code == 0
    with Session(engine) as session:
        after = monthly(session, world[ACME], month.period, "ConnectWise")
    assert after["Reactive Tickets Created"] == before["Reactive Tickets Created"] + 1


def test_malformed_json_fails_the_run_cleanly(
    engine: Engine, month: Month, world: dict[str, int], ninjaone: FakeNinjaOne
) -> None:
    ninjaone.malformed_next(1, path_contains="/v2/backup/jobs")
    result = qbr("sync", "--source", "ninjaone", "--period", month.period)
    assert result.exit_code == 1
    assert "not JSON" in result.output
    assert rows_of(engine, "NinjaOne") == 0
    assert qbr("sync", "--source", "ninjaone", "--period", month.period).exit_code == 0
    assert rows_of(engine, "NinjaOne") == 3 * len(scenario.NINJA_METRICS)


def test_an_expired_refresh_token_says_reconnect_quickbooks(
    engine: Engine, month: Month, world: dict[str, int], quickbooks: FakeQuickBooks
) -> None:
    quickbooks.expire_refresh_token()
    result = qbr("sync", "--source", "quickbooks", "--period", month.period)
    assert result.exit_code == 1
    assert "reconnect QuickBooks" in result.output
    assert "qbr connectors set quickbooks refresh_token=" in result.output
    assert "reconnect QuickBooks" in (runs(engine)[-1].error or "")
    assert rows_of(engine, "QuickBooks") == 0


def test_the_rotated_refresh_token_survives_a_failed_sync(
    engine: Engine, month: Month, world: dict[str, int], quickbooks: FakeQuickBooks
) -> None:
    quickbooks.fail_next(1000, status=500, path_contains="ProfitAndLoss")
    assert qbr("sync", "--source", "quickbooks", "--period", month.period).exit_code == 1
    with Session(engine) as session:
        stored = load_settings(session, QUICKBOOKS).values["refresh_token"]
    assert (stored.value, stored.origin) == (quickbooks.refresh_token, "database")
    assert stored.value != "rt-initial"  # the environment's seed, which the fake no longer accepts
    quickbooks.revive()
    result = qbr("sync", "--source", "quickbooks", "--period", month.period)
    assert result.exit_code == 0, result.output


def test_closed_periods_are_refused_without_reopen(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    with Session(engine) as session:
        ensure_periods(session, [parse_period(month.period)])
        close_periods(session, [month.period])
        session.commit()
    result = qbr("sync", "--source", "connectwise", "--period", month.period)
    assert result.exit_code == 1
    assert f"{month.period} is closed" in result.output
    assert "--reopen" in result.output
    assert connectwise.requests == []  # refused before asking the vendor
    assert rows_of(engine, "ConnectWise") == 0

    assert qbr("sync", "--source", "connectwise", "--period", month.period, "--reopen").exit_code == 0
    assert rows_of(engine, "ConnectWise") > 0
    # --reopen lets this sync change the closed month's figures; the month itself stays closed, so other
    # organizations' finished reports do not turn into figures in progress.
    with Session(engine) as session:
        assert session.scalar(select(Period.is_active).where(Period.period_value == month.period)) is False


def test_manual_values_are_never_overwritten(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    with Session(engine) as session:
        set_manual_value(session, world[ACME], month.period, "Reactive Tickets Created", Decimal(99), note="audited")
        session.commit()
    assert qbr("sync", "--source", "connectwise", "--period", month.period).exit_code == 0
    with Session(engine) as session:
        manual = monthly(session, world[ACME], month.period, "Manual")
        collected = monthly(session, world[ACME], month.period, "ConnectWise")
        effective = session.execute(
            effective_monthly_values(
                MetricMonthly.organization_id == world[ACME],
                MetricMonthly.period == month.period,
                MetricMonthly.metric_name == "Reactive Tickets Created",
            )
        ).one()
    assert manual == {"Reactive Tickets Created": Decimal("99.00")}
    assert collected["Reactive Tickets Created"] == expected_acme_cw(connectwise, month)["Reactive Tickets Created"]
    assert effective.metric_value == Decimal("99.00")


def test_throttling_during_a_sync_is_waited_out(
    engine: Engine, month: Month, world: dict[str, int], connectwise: FakeConnectWise
) -> None:
    connectwise.fail_next(2, status=429, headers={"Retry-After": "0"}, path_contains="/service/tickets")
    result = qbr("sync", "--source", "connectwise", "--period", month.period)
    assert result.exit_code == 0, result.output
    assert rows_of(engine, "ConnectWise") == 3 * len(scenario.CW_METRICS)


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(engine: Engine, month: Month) -> None:
    with Session(engine) as session:
        stale = start_run(session, "NinjaOne", month.period, now=datetime.now(UTC) - timedelta(hours=3)).id
        recent = start_run(session, "NinjaOne", month.period).id
        session.commit()
    with Session(engine) as session:
        old, new = session.get(SyncRun, stale), session.get(SyncRun, recent)
        assert old is not None
        assert new is not None
        assert (old.status, new.status) == ("failed", "running")
        assert "interrupted" in (old.error or "")


def test_unknown_or_unconfigured_sources_are_refused(
    engine: Engine, month: Month, connector_env: pytest.MonkeyPatch
) -> None:
    unknown = qbr("sync", "--source", "kaseya")
    assert unknown.exit_code != 0
    assert "connectwise, ninjaone, quickbooks" in unknown.output
    unconfigured = qbr("sync", "--source", "ninjaone")
    assert unconfigured.exit_code != 0
    assert "QBR_NINJAONE_URL" in unconfigured.output
    nothing = qbr("sync")
    assert nothing.exit_code != 0
    assert "none is configured" in nothing.output
    future = qbr("sync", "--period", f"{date.today().year + 1}-12")
    assert "is in the future" in future.output
    beyond = qbr("sync", "--period", "2999-01")
    assert "outside the accepted periods" in beyond.output
