"""The one ingest path: validation of every row, all-or-nothing writes, idempotent upserts, closed periods."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.errors import Conflict, InvalidInput, NotFound
from qbr.ingest import writing as ingest_module
from qbr.ingest.closed_periods import BACKFILL_NOTE, REOPEN_NOTE
from qbr.ingest.manual import set_manual_value
from qbr.ingest.refusals import MAX_LISTED_PROBLEMS
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.metrics.models import MetricCorrection, MetricDefinition, MetricMonthly
from qbr.periods.models import Period
from qbr.periods.service import close_periods
from tests.metrics_support import inputs, kpis, quarterly, snapshot
from tests.support import make_organization

D = Decimal


def test_insert_then_identical_reingest_changes_nothing(session: Session) -> None:
    org = make_organization(session)
    rows = inputs(org.id, {("2025-01", "Reactive Hours"): "12.5", ("2025-02", "Reactive Hours"): 7})
    first = ingest_metrics(session, rows)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert first.recomputed == ((org.id, "2025-01"), (org.id, "2025-02"), (org.id, "2025-Q1"))
    before = snapshot(session)
    again = ingest_metrics(session, rows)
    assert (again.inserted, again.updated, again.unchanged, again.recomputed) == (0, 0, 2, ())
    assert snapshot(session) == before  # ids, created_at, derived rows: all untouched


def test_changed_value_updates_and_recomputes_only_its_month_and_quarter(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "Reactive Hours"): 1, ("2025-04", "Reactive Hours"): 2}))
    result = ingest_metrics(
        session, inputs(org.id, {("2025-01", "Reactive Hours"): 3, ("2025-04", "Reactive Hours"): 2})
    )
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert result.recomputed == ((org.id, "2025-01"), (org.id, "2025-Q1"))
    assert quarterly(session, org.id, "2025-Q1") == {"Reactive Hours": D("3.00")}


def test_values_are_rounded_half_up_to_cents(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(
        session,
        inputs(
            org.id,
            {
                ("2025-01", "Monthly Recurring Revenue"): "100.005",
                ("2025-01", "Non-Recurring Revenue"): -0.125,
                ("2025-01", "Product Sales"): D("2.675"),
                ("2025-01", "Reactive Hours"): 3,
            },
            source="QuickBooks",
        ),
    )
    values = dict(session.execute(select(MetricMonthly.metric_name, MetricMonthly.metric_value)).all())
    assert values == {
        "Monthly Recurring Revenue": D("100.01"),
        "Non-Recurring Revenue": D("-0.13"),
        "Product Sales": D("2.68"),
        "Reactive Hours": D("3.00"),
    }


def test_every_bad_row_is_listed_and_nothing_is_written(session: Session) -> None:
    org = make_organization(session)
    rows = [
        MetricInput(org.id, "2025-01", "Reactive Hours", 1, "ConnectWise", "line 2"),
        MetricInput(org.id, "2025-Q1", "Reactive Hours", 1, "ConnectWise", "line 3"),
        MetricInput(org.id + 99, "2025-01", "Reactive Hours", 1, "ConnectWise", "line 4"),
        MetricInput(org.id, "2025-01", "Reactive Hourz", 1, "ConnectWise", "line 5"),
        MetricInput(org.id, "2025-02", "Reactive Hours", "NaN", "ConnectWise", "line 6"),
        MetricInput(org.id, "2025-02", "Endpoints Managed", "1e12", "ConnectWise", "line 7"),
        MetricInput(org.id, "2025-02", "Reactive Tickets Closed", -1, "ConnectWise", "line 8"),
        MetricInput(org.id, "2025-03", "Reactive Hours", 1, "", "line 9"),
        MetricInput(org.id, "2025-01", "reactive hours", 2, "connectwise", "line 10"),
    ]
    with pytest.raises(InvalidInput) as caught:
        ingest_metrics(session, rows)
    message = str(caught.value)
    assert caught.value.summary == "8 of 9 rows are invalid; nothing was written"
    for fragment in (
        "line 3, period: '2025-Q1' is a quarterly period",
        f"line 4, organization_id: no organization has id {org.id + 99}",
        "line 5, metric_name: unknown metric 'Reactive Hourz' (accepted: did you mean 'Reactive Hours'?",
        "line 6, metric_value: 'NaN' is not a finite number",
        "line 7, metric_value: 1e12 is out of range",
        "line 8, metric_value: -1.00 is negative, but 'Reactive Tickets Closed' is measured in count",
        "line 9, source_system: is empty",
        "line 10, metric_name: repeats line 2",
    ):
        assert fragment in message
    assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
    assert session.scalar(select(func.count()).select_from(Period)) == 0


def test_problem_list_is_capped_with_a_count_of_the_rest(session: Session) -> None:
    org = make_organization(session)
    rows = [MetricInput(org.id, "2025-01", "Reactive Hours", "x", "CSV", f"line {n}") for n in range(2, 122)]
    with pytest.raises(InvalidInput) as caught:
        ingest_metrics(session, rows)
    assert len(caught.value.problems) == MAX_LISTED_PROBLEMS
    assert caught.value.omitted == 120 - MAX_LISTED_PROBLEMS
    assert f"… and {120 - MAX_LISTED_PROBLEMS} more" in str(caught.value)


def test_new_metrics_need_permission_and_are_registered_with_defaults(session: Session) -> None:
    org = make_organization(session)
    rows = inputs(org.id, {("2025-01", "Cloud Spend"): "-40", ("2025-01", "Vendor Tickets"): 4}, source="CSV")
    with pytest.raises(InvalidInput, match="unknown metric 'Cloud Spend'"):
        ingest_metrics(session, rows)
    ingest_metrics(session, rows, allow_new_metrics=True)
    definitions = {
        d.metric_name: (d.unit, d.rollup, d.default_source)
        for d in session.scalars(
            select(MetricDefinition).where(MetricDefinition.metric_name.in_(["Cloud Spend", "Vendor Tickets"]))
        )
    }
    assert definitions == {"Cloud Spend": ("currency", "sum", "CSV"), "Vendor Tickets": ("count", "sum", "CSV")}
    assert quarterly(session, org.id, "2025-Q1") == {"Cloud Spend": D("-40.00"), "Vendor Tickets": D("4.00")}


def test_closed_period_refuses_changes_unless_reopened_and_stays_closed(session: Session) -> None:
    org = make_organization(session)
    rows = inputs(org.id, {("2025-01", "Reactive Hours"): 1})
    ingest_metrics(session, rows)
    close_periods(session, ["2025-Q1"])
    assert ingest_metrics(session, rows).unchanged == 1  # identical data is not a write
    changed = inputs(org.id, {("2025-01", "Reactive Hours"): 2})
    with pytest.raises(Conflict, match="2025-01 is closed"):
        ingest_metrics(session, changed)
    assert session.scalar(select(MetricMonthly.metric_value)) == D("1.00")
    result = ingest_metrics(session, changed, reopen=True, note="late invoice")
    assert result.reopened == ("2025-01",)
    # The explicit reopen changes the figures, not the period: every other organization's report stays final.
    assert set(session.scalars(select(Period.period_value).where(Period.is_active.is_(True)))) == set()
    assert quarterly(session, org.id, "2025-Q1") == {"Reactive Hours": D("2.00")}
    record = session.scalars(select(MetricCorrection)).one()
    assert (record.previous_value, record.new_value, record.period_was_closed) == (D("1.00"), D("2.00"), True)
    assert record.note == f"{REOPEN_NOTE}: late invoice"


def test_backfilling_a_new_period_is_always_allowed(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-02", "Reactive Hours"): 1}))
    close_periods(session, ["2025-02"])
    ingest_metrics(session, inputs(org.id, {("2019-07", "Reactive Hours"): 1}))
    assert session.scalar(select(Period.is_active).where(Period.period_value == "2019-07")) is True


def test_manual_value_wins_is_recorded_and_allowed_in_closed_periods(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "Endpoints Managed"): 40, ("2025-01", "Reactive Hours"): 8}))
    close_periods(session, ["2025-Q1"])
    change = set_manual_value(
        session, org.id, "2025-01", "endpoints managed", "50", note="two servers missed", changed_by="ann"
    )
    assert (change.previous_value, change.new_value, change.changed, change.period_was_closed) == (
        D("40.00"),
        D("50.00"),
        True,
        True,
    )
    assert quarterly(session, org.id, "2025-Q1")["Endpoints Managed"] == D("50.00")
    assert kpis(session, org.id, "2025-01")["RHEM"] == D("0.16")  # 8 / 50 / 1
    # The collected row is kept: removing the manual value brings it back.
    removal = set_manual_value(session, org.id, "2025-01", "Endpoints Managed", None, note="verified")
    assert (removal.previous_value, removal.new_value) == (D("50.00"), D("40.00"))
    assert kpis(session, org.id, "2025-01")["RHEM"] == D("0.20")
    record = [
        (c.previous_value, c.new_value, c.note, c.period_was_closed, c.changed_by)
        for c in session.scalars(select(MetricCorrection).order_by(MetricCorrection.id))
    ]
    assert record == [
        (D("40.00"), D("50.00"), "two servers missed", True, "ann"),
        (D("50.00"), None, "verified", True, None),
    ]
    with pytest.raises(NotFound, match="no manual value"):
        set_manual_value(session, org.id, "2025-01", "Endpoints Managed", None)


def test_same_manual_value_twice_records_once(session: Session) -> None:
    org = make_organization(session)
    set_manual_value(session, org.id, "2025-01", "Employees", "8.5")
    again = set_manual_value(session, org.id, "2025-01", "Employees", D("8.50"))
    assert not again.changed
    assert session.scalar(select(func.count()).select_from(MetricCorrection)) == 1


def test_manual_value_is_validated_like_any_input(session: Session) -> None:
    org = make_organization(session)
    with pytest.raises(InvalidInput, match="metric_value: 'lots' is not a number"):
        set_manual_value(session, org.id, "2025-01", "Employees", "lots")
    with pytest.raises(InvalidInput, match="is a quarterly period"):
        set_manual_value(session, org.id, "2025-Q1", "Employees", 1)
    with pytest.raises(NotFound, match="no metric named"):
        set_manual_value(session, org.id, "2025-01", "Staff", 1)


def test_a_failed_batch_leaves_the_session_usable_and_clean(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "Reactive Hours"): 1}))
    close_periods(session, ["2025-01"])
    with pytest.raises(Conflict):
        ingest_metrics(session, inputs(org.id, {("2025-01", "Reactive Hours"): 5, ("2025-02", "Reactive Hours"): 5}))
    # The savepoint undid everything of the refused batch, including the period it would have created.
    assert session.scalar(select(func.count()).select_from(Period).where(Period.period_value == "2025-02")) == 0
    ingest_metrics(session, inputs(org.id, {("2025-02", "Reactive Hours"): 5}))
    assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 2


def test_derived_rows_without_inputs_are_deleted(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2025-01", "Endpoints Managed"): 40}, source="NinjaOne"))
    set_manual_value(session, org.id, "2025-02", "Reactive Hours", "10")
    set_manual_value(session, org.id, "2025-01", "Reactive Hours", "8")
    assert quarterly(session, org.id, "2025-Q1")["Reactive Hours"] == D("18.00")
    assert kpis(session, org.id, "2025-02") == {"RHEM": None}  # no endpoints in February
    set_manual_value(session, org.id, "2025-02", "Reactive Hours", None)
    # February has no data left: its KPIs go, and the quarter keeps January only.
    assert kpis(session, org.id, "2025-02") == {}
    assert quarterly(session, org.id, "2025-Q1") == {"Endpoints Managed": D("40.00"), "Reactive Hours": D("8.00")}
    set_manual_value(session, org.id, "2025-01", "Reactive Hours", None)
    assert quarterly(session, org.id, "2025-Q1") == {"Endpoints Managed": D("40.00")}
    assert kpis(session, org.id, "2025-Q1") == {}  # hours were never recorded now: RHEM no longer applies


def test_a_first_value_of_a_metric_updates_kpis_of_every_period(session: Session) -> None:
    org = make_organization(session)
    ingest_metrics(
        session, inputs(org.id, {("2024-11", "Endpoints Managed"): 40, ("2025-01", "Endpoints Managed"): 41})
    )
    assert kpis(session, org.id, "2024-11") == {}  # nothing applies with endpoints alone
    result = ingest_metrics(session, inputs(org.id, {("2025-01", "Reactive Hours"): 8.2}))
    # RHEM now applies to the organization: November shows it, without a value and with the reason.
    assert kpis(session, org.id, "2024-11") == {"RHEM": None}
    assert kpis(session, org.id, "2025-01") == {"RHEM": D("0.20")}
    assert (org.id, "2024-Q4") in result.recomputed
    set_manual_value(session, org.id, "2025-01", "Reactive Hours", "9")
    set_manual_value(session, org.id, "2025-01", "Reactive Hours", None)
    assert kpis(session, org.id, "2024-11") == {"RHEM": None}  # the collected 8.2 is still recorded


def test_a_new_month_with_a_new_metric_updates_kpis_of_earlier_months(session: Session) -> None:
    # The next month of an organization has no stored rows to compare with: it is loaded straight into the table.
    org = make_organization(session)
    ingest_metrics(session, inputs(org.id, {("2024-11", "Endpoints Managed"): 40}))
    result = ingest_metrics(
        session, inputs(org.id, {("2024-12", "Endpoints Managed"): 40, ("2024-12", "Reactive Hours"): 8})
    )
    assert (result.inserted, result.updated, result.unchanged) == (2, 0, 0)
    assert kpis(session, org.id, "2024-11") == {"RHEM": None}  # RHEM now applies to November too
    assert kpis(session, org.id, "2024-12") == {"RHEM": D("0.20")}
    assert set(result.recomputed) == {(org.id, "2024-11"), (org.id, "2024-12"), (org.id, "2024-Q4")}


def test_a_repeated_key_alone_is_refused_by_line(session: Session) -> None:
    org = make_organization(session)
    rows = [
        MetricInput(org.id, "2025-01", "Reactive Hours", 1, "ConnectWise", "line 2"),
        MetricInput(org.id, "2025-01", "Endpoints Managed", 1, "NinjaOne", "line 3"),
        MetricInput(org.id, "2025-01", "Reactive Hours", 2, "ConnectWise", "line 4"),
    ]
    with pytest.raises(InvalidInput, match="line 4, metric_name: repeats line 2"):
        ingest_metrics(session, rows)
    assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
    assert session.scalar(select(func.count()).select_from(Period)) == 0


def test_a_first_value_in_a_closed_period_is_a_recorded_backfill(session: Session) -> None:
    first, second = make_organization(session, "First"), make_organization(session, "Second")
    ingest_metrics(session, inputs(first.id, {("2025-01", "Reactive Hours"): 1}))
    close_periods(session, ["2025-Q1"])
    rows = inputs(second.id, {("2025-01", "Reactive Hours"): 3, ("2025-01", "Endpoints Managed"): 9})
    result = ingest_metrics(session, rows)
    assert (result.backfilled, result.reopened) == (((second.id, "2025-01"),), ())
    assert quarterly(session, second.id, "2025-Q1") == {"Reactive Hours": D("3.00"), "Endpoints Managed": D("9.00")}
    assert set(session.scalars(select(Period.period_value).where(Period.is_active.is_(True)))) == set()
    records = session.scalars(select(MetricCorrection).order_by(MetricCorrection.metric_name)).all()
    assert [(r.organization_id, r.metric_name, r.previous_value, r.new_value, r.note) for r in records] == [
        (second.id, "Endpoints Managed", None, D("9.00"), BACKFILL_NOTE),
        (second.id, "Reactive Hours", None, D("3.00"), BACKFILL_NOTE),
    ]
    # Its figures are now there: a change needs the explicit reopen, like anyone's.
    with pytest.raises(Conflict, match="Second in 2025-01"):
        ingest_metrics(session, inputs(second.id, {("2025-01", "Reactive Hours"): 4}))
    with pytest.raises(Conflict, match="2025-01 is closed"):
        ingest_metrics(session, inputs(second.id, {("2025-01", "Cloud Spend"): 4}), allow_new_metrics=True)


def test_a_backfill_mixed_with_a_change_is_refused_whole(session: Session) -> None:
    first, second = make_organization(session, "First"), make_organization(session, "Second")
    ingest_metrics(session, inputs(first.id, {("2025-01", "Reactive Hours"): 1}))
    close_periods(session, ["2025-Q1"])
    rows = [
        *inputs(second.id, {("2025-01", "Reactive Hours"): 3}),
        *inputs(first.id, {("2025-01", "Reactive Hours"): 2}),
    ]
    with pytest.raises(Conflict, match="First in 2025-01"):
        ingest_metrics(session, rows)
    assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 1
    assert session.scalar(select(func.count()).select_from(MetricCorrection)) == 0


def test_the_direct_load_and_the_staged_path_store_the_same_figures(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = {
        ("2025-01", "Reactive Hours"): "12.25",
        ("2025-01", "Endpoints Managed"): 40,
        ("2025-02", "Endpoints Managed"): 45,
        ("2025-02", "Reactive Tickets Closed"): 30,
        ("2025-02", "Reactive Tickets Created"): 0,
        ("2025-03", "Technical Employees"): "2.5",
        ("2025-03", "Reactive Hours"): 9,
    }
    direct, staged = make_organization(session, "Direct"), make_organization(session, "Staged")
    loaded: list[str] = []
    original = ingest_module.load_rows
    monkeypatch.setattr(
        ingest_module, "load_rows", lambda s, table, *rest: loaded.append(table.name) or original(s, table, *rest)
    )
    ingest_metrics(session, inputs(direct.id, values))
    assert loaded == ["metrics_monthly"]  # no stage: every row was new
    monkeypatch.setattr(ingest_module, "_insert_new_rows", lambda *_, **__: None)
    ingest_metrics(session, inputs(staged.id, values))
    assert loaded[-1] == "qbr_tmp_metrics"

    def figures(organization_id: int) -> dict[str, object]:
        periods = ("2025-01", "2025-02", "2025-03", "2025-Q1")
        return {p: (quarterly(session, organization_id, p), kpis(session, organization_id, p)) for p in periods}

    assert figures(direct.id) == figures(staged.id)
    assert kpis(session, direct.id, "2025-02")["Total Close %"] is None  # zero tickets created
