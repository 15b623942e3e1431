"""Spreadsheet imports: real files from openpyxl and the csv writer in each dialect, the wide layout, every
refusal with its cell and suggestion, preview then commit of exactly that, and the backfill rule."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from qbr.cli import app
from qbr.errors import Conflict, InvalidInput
from qbr.ingest.closed_periods import BACKFILL_NOTE
from qbr.ingest.import_preview import ImportOptions, commit_import, preview_import
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import ingest_metrics
from qbr.metrics.models import MetricCorrection, MetricMonthly
from qbr.periods.models import Period
from qbr.periods.service import close_periods
from tests.support import make_organization

Rows = Sequence[Sequence[object]]
LONG_HEADER = ["Month", "Client", "Metric Name", "Value", "Source"]
# Every spelling of numbers and months the importer accepts, with the value and month it must store.
FORGIVING_ROWS = [
    ("2025-01", "Acme Dental Group", "Monthly Recurring Revenue", "$12,500.00", "QuickBooks"),
    ("2025-2", "acme dental group", "Monthly Recurring Revenue", "1,234.50", "QuickBooks"),
    ("Mar 2025", "ACME DENTAL GROUP", "Backup Success %", "98.5%", "NinjaOne"),
    ("April 2025", "Acme  Dental Group", "Monthly Recurring Revenue", "(1,200.00)", ""),
    ("05/2025", "Acme Dental Group", "Reactive Hours", "12", "ConnectWise"),
]
EXPECTED = {
    ("2025-01", "Monthly Recurring Revenue", "QuickBooks"): Decimal("12500.00"),
    ("2025-02", "Monthly Recurring Revenue", "QuickBooks"): Decimal("1234.50"),
    ("2025-03", "Backup Success %", "NinjaOne"): Decimal("98.50"),
    ("2025-04", "Monthly Recurring Revenue", "CSV"): Decimal("-1200.00"),
    ("2025-05", "Reactive Hours", "ConnectWise"): Decimal("12.00"),
}


def csv_bytes(rows: Rows, dialect: str) -> bytes:
    """A file as Python's csv writer makes it, in one of the dialects spreadsheets export."""
    buffer = io.StringIO(newline="")
    delimiter = {"comma": ",", "semicolon": ";", "tab": "\t"}[dialect]
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, Rows]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def stored(session: Session, organization_id: int) -> dict[tuple[str, str, str], Decimal]:
    rows = session.execute(
        select(
            MetricMonthly.period, MetricMonthly.metric_name, MetricMonthly.source_system, MetricMonthly.metric_value
        ).where(MetricMonthly.organization_id == organization_id)
    )
    return {(p, m, s): v for p, m, s, v in rows}


def import_file(session: Session, content: bytes, name: str, options: ImportOptions | None = None) -> None:
    options = options or ImportOptions()
    preview = preview_import(session, content, name, options)
    commit_import(session, content, name, options, preview.token)


def refusal(session: Session, content: bytes, name: str, options: ImportOptions | None = None) -> str:
    preview = preview_import(session, content, name, options or ImportOptions())
    assert not preview.accepted
    with pytest.raises(InvalidInput) as refused:
        commit_import(session, content, name, options or ImportOptions(), preview.token)
    assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
    return str(refused.value)


@pytest.mark.parametrize("dialect", ["comma", "semicolon", "tab"])
def test_every_csv_dialect_with_forgiving_headers_numbers_and_months(session: Session, dialect: str) -> None:
    acme = make_organization(session, "Acme Dental Group")
    content = csv_bytes([LONG_HEADER, *FORGIVING_ROWS], dialect)
    options = ImportOptions(allow_new_metrics=True)  # "Backup Success %" is not in the catalog
    preview = preview_import(session, content, f"export-{dialect}.csv", options)
    assert preview.accepted, preview.problems
    assert [(m.period, m.new) for m in preview.months] == [(f"2025-0{n}", 1) for n in range(1, 6)]
    commit_import(session, content, f"export-{dialect}.csv", options, preview.token)
    assert stored(session, acme.id) == EXPECTED


def test_a_workbook_long_sheet_with_date_cells_and_numeric_cells(session: Session) -> None:
    acme = make_organization(session, "Acme Dental Group")
    rows = [
        ["period", "Organization", "METRIC", "metric value"],
        [datetime(2025, 1, 1), "Acme Dental Group", "Reactive Hours", 12.5],
        [datetime(2025, 2, 1), "Acme Dental Group", "Reactive Hours", "1,000"],
    ]
    import_file(session, xlsx_bytes({"Data": rows}), "qbr.xlsx")
    assert stored(session, acme.id) == {
        ("2025-01", "Reactive Hours", "CSV"): Decimal("12.50"),
        ("2025-02", "Reactive Hours", "CSV"): Decimal("1000.00"),
    }


def test_the_wide_layout_per_organization_and_per_chosen_organization(session: Session) -> None:
    acme, beta = make_organization(session, "Acme Dental Group"), make_organization(session, "Beta Law")
    wide = [
        ["Client", "Metric", "Jan 2025", datetime(2025, 2, 1), "2025-03"],
        ["Acme Dental Group", "Reactive Hours", 10, 11, None],  # an empty cell: no value for March
        ["Beta Law", "Lost MRR", "$1,000", "", "(5)"],
    ]
    import_file(session, xlsx_bytes({"QBR": wide}), "wide.xlsx")
    assert stored(session, acme.id) == {
        ("2025-01", "Reactive Hours", "CSV"): Decimal("10.00"),
        ("2025-02", "Reactive Hours", "CSV"): Decimal("11.00"),
    }
    assert stored(session, beta.id) == {
        ("2025-01", "Lost MRR", "CSV"): Decimal("1000.00"),
        ("2025-03", "Lost MRR", "CSV"): Decimal("-5.00"),
    }
    one_client = csv_bytes([["Metric", "Jan 2025", "Feb 2025"], ["Endpoints Managed", "40", "41"]], "semicolon")
    import_file(session, one_client, "acme.csv", ImportOptions(organization_id=acme.id))
    assert stored(session, acme.id)[("2025-02", "Endpoints Managed", "CSV")] == Decimal("41.00")


def test_every_refusal_names_its_cell_with_suggestions_and_nothing_is_written(session: Session) -> None:
    make_organization(session, "Acme Dental Group")
    rows = [
        ["Month", "Org", "Metric Name", "Value"],
        ["01/02/2025", "Acme Dental Group", "Reactive Hours", "1"],  # row 2: ambiguous date
        ["2025-01", "Acme Dentl Group", "Reactive Hours", "1"],  # row 3: misspelt organization
        ["2025-01", "Acme Dental Group", "Reactive Hrs", "1"],  # row 4: misspelt metric
        ["2025-01", "Acme Dental Group", "Endpoints Managed", "1.234,50"],  # row 5: decimal comma
        ["2025-13", "Acme Dental Group", "Endpoints Managed", "3"],  # row 6: no such month
        ["2025-02", "Acme Dental Group", "Reactive Hours", "-4"],  # row 7: a negative count
    ]
    message = refusal(session, xlsx_bytes({"Sheet A": rows}), "bad.xlsx")
    assert "6 of 6 rows are invalid; nothing was written" in message
    assert (
        "sheet 'Sheet A', row 2, column A (period): '01/02/2025' is ambiguous: "
        "February 2025 (day first) or January 2025 (month first)"
    ) in message
    assert "sheet 'Sheet A', row 3, column D: no organization named 'Acme Dentl Group'" in message
    assert "did you mean 'Acme Dental Group'?" in message
    assert "sheet 'Sheet A', row 4, column D: unknown metric 'Reactive Hrs'" in message
    assert "did you mean 'Reactive Hours'?" in message
    assert "sheet 'Sheet A', row 5, column D (metric_value): '1.234,50' is not a number" in message
    assert "sheet 'Sheet A', row 6, column A (period): '2025-13' has month 13" in message
    assert "sheet 'Sheet A', row 7, column D, metric_value: -4.00 is negative" in message


def test_an_unusable_header_and_a_missing_organization_are_refused(session: Session) -> None:
    make_organization(session, "Acme Dental Group")
    wide = csv_bytes([["Metric", "Jan 2025", "Q1 2025"], ["Reactive Hours", "1", "2"]], "comma")
    message = refusal(session, wide, "wide.csv")
    assert "wide.csv, row 1, column C: unknown column 'Q1 2025'" in message
    assert "no organization column and no organization chosen" in message
    ambiguous_header = csv_bytes(
        [["Client", "Metric", "01/02/2025"], ["Acme Dental Group", "Reactive Hours", "1"]], "tab"
    )
    assert "January 2025 (month first)" in refusal(session, ambiguous_header, "h.csv")


def test_a_stale_preview_is_refused_and_a_fresh_one_commits(session: Session) -> None:
    acme = make_organization(session, "Acme Dental Group")
    content = csv_bytes([LONG_HEADER, *FORGIVING_ROWS], "comma")
    options = ImportOptions(allow_new_metrics=True)
    preview = preview_import(session, content, "a.csv", options)
    ingest_metrics(session, [MetricInput(acme.id, "2025-05", "Reactive Hours", Decimal(3), "ConnectWise")])
    with pytest.raises(Conflict, match="changed since the preview"):
        commit_import(session, content, "a.csv", options, preview.token)
    fresh = preview_import(session, content, "a.csv", options)
    assert [(m.period, m.new, m.changed) for m in fresh.months][-1] == ("2025-05", 0, 1)
    commit_import(session, content, "a.csv", options, fresh.token)
    assert stored(session, acme.id) == EXPECTED


def test_backfill_of_a_new_client_into_closed_months_needs_no_reopen(session: Session) -> None:
    old, new = make_organization(session, "Old Client"), make_organization(session, "Acme Dental Group")
    ingest_metrics(
        session,
        [MetricInput(old.id, month, "Reactive Hours", Decimal(1), "ConnectWise") for month in ("2025-01", "2025-02")],
    )
    close_periods(session, ["2025-Q1"])
    history = csv_bytes(
        [["Client", "Metric", "Jan 2025", "Feb 2025"], ["Acme Dental Group", "Reactive Hours", 5, 6]], "comma"
    )
    preview = preview_import(session, history, "history.csv", ImportOptions())
    assert [(m.period, m.closed) for m in preview.months] == [("2025-01", "backfill"), ("2025-02", "backfill")]
    commit_import(session, history, "history.csv", ImportOptions(), preview.token)
    assert stored(session, new.id)[("2025-02", "Reactive Hours", "CSV")] == Decimal("6.00")
    notes = session.scalars(select(MetricCorrection.note).where(MetricCorrection.organization_id == new.id)).all()
    assert notes == [f"{BACKFILL_NOTE}: import of history.csv"] * 2
    assert session.scalar(select(func.count()).where(Period.is_active.is_(True))) == 0
    # A change to those figures is no backfill: refused in the preview until reopened, and never reopens anything.
    change = csv_bytes([["Client", "Metric", "Jan 2025"], ["Acme Dental Group", "Reactive Hours", 7]], "comma")
    refused = preview_import(session, change, "change.csv", ImportOptions())
    assert "2025-01 is closed and Acme Dental Group already has figures there" in str(refused.refusal())
    reopened = ImportOptions(reopen=True)
    commit_import(
        session, change, "change.csv", reopened, preview_import(session, change, "change.csv", reopened).token
    )
    assert stored(session, new.id)[("2025-01", "Reactive Hours", "CSV")] == Decimal("7.00")
    assert session.scalar(select(func.count()).where(Period.is_active.is_(True))) == 0


def test_the_cli_previews_then_confirms_exactly_that(engine: Engine, tmp_path: Path) -> None:
    with Session(engine) as session:
        make_organization(session, "Acme Dental Group")
        session.commit()
    file = tmp_path / "qbr.xlsx"
    file.write_bytes(xlsx_bytes({"Data": [LONG_HEADER, *FORGIVING_ROWS]}))
    runner = CliRunner()
    shown = runner.invoke(app, ["import", "metrics", str(file), "--allow-new-metrics", "--preview"])
    assert shown.exit_code == 0, shown.output
    assert "5 values in 5 organization-months: 5 new, 0 changed, 0 unchanged" in shown.output
    token = shown.output.rsplit("--confirm ", 1)[1].strip()
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(MetricMonthly)) == 0
    done = runner.invoke(app, ["import", "metrics", str(file), "--allow-new-metrics", "--confirm", token])
    assert done.exit_code == 0, done.output
    assert "imported 5 rows from qbr.xlsx: 5 new" in done.output
    again = runner.invoke(app, ["import", "metrics", str(file), "--allow-new-metrics", "--confirm", token])
    assert again.exit_code != 0
    assert "changed since the preview" in again.output
