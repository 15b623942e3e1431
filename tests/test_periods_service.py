"""Closing and reopening periods, by hand and automatically after the grace time, and the CLI."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.errors import NotFound
from qbr.periods.models import Period
from qbr.periods.service import close_due_periods, close_periods, reopen_periods
from tests.support import make_periods


def open_values(session: Session) -> set[str]:
    return set(session.scalars(select(Period.period_value).where(Period.is_active.is_(True))))


def test_close_due_respects_the_grace_days(session: Session) -> None:
    make_periods(session, "2025-01", "2025-02", "2025-03")
    # January ends on the 31st; with 5 grace days it is due once 5 February is over.
    assert close_due_periods(session, date(2025, 2, 5), grace_days=5) == []
    assert close_due_periods(session, date(2025, 2, 6), grace_days=5) == ["2025-01"]
    assert close_due_periods(session, date(2025, 4, 6), grace_days=5) == ["2025-02", "2025-03", "2025-Q1"]
    assert open_values(session) == set()


def test_close_due_uses_the_setting_by_default(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from qbr.core.settings import get_settings

    make_periods(session, "2025-01")
    monkeypatch.setenv("QBR_PERIOD_GRACE_DAYS", "10")
    get_settings.cache_clear()
    try:
        assert close_due_periods(session, date(2025, 2, 10)) == []
        assert close_due_periods(session, date(2025, 2, 11)) == ["2025-01"]
    finally:
        get_settings.cache_clear()


def test_quarter_closes_its_months_and_a_month_reopens_its_quarter(session: Session) -> None:
    make_periods(session, "2025-01", "2025-02", "2025-04")
    assert close_periods(session, ["2025-Q1"]) == ["2025-01", "2025-02", "2025-Q1"]
    assert open_values(session) == {"2025-04", "2025-Q2"}
    assert reopen_periods(session, ["2025-02"]) == ["2025-02", "2025-Q1"]
    with pytest.raises(NotFound, match="2001-01 does not exist yet"):
        close_periods(session, ["2001-01"])


def test_periods_cli(engine: Engine) -> None:
    with Session(engine) as session:
        make_periods(session, "2025-01")
        session.commit()
    runner = CliRunner()
    assert "2025-01  monthly" in runner.invoke(app, ["periods", "list"]).output
    closed = runner.invoke(app, ["periods", "close", "--due", "--today", "2025-06-01"])
    assert closed.exit_code == 0, closed.output
    assert "closed 2025-01, 2025-Q1" in closed.output
    assert "nothing to close" in runner.invoke(app, ["periods", "close", "2025-01"]).output
    assert "2025-01" in runner.invoke(app, ["periods", "list", "--closed"]).output
    reopened = runner.invoke(app, ["periods", "open", "2025-Q1"])
    assert "reopened 2025-01, 2025-Q1" in reopened.output
    both = runner.invoke(app, ["periods", "close", "2025-01", "--due"])
    assert both.exit_code != 0
    assert "not both" in both.output
