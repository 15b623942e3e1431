"""Property-based fuzzing of the CSV importer on both databases: random bytes, wrong encodings, BOMs, huge fields,
1e308, NaN, Infinity and SQL-looking strings. Every file is either refused with a clear message naming where, with
nothing written (not even inside the importer's own transaction), or imported exactly; nothing else ever happens.

Runs are derandomized and bounded, so the suite stays fast and never flaky.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.catalog import DEFAULT_METRICS
from qbr.core.database import unit_of_work
from qbr.errors import InvalidInput
from qbr.ingest.csv_import import import_metrics_csv
from qbr.metrics.models import MetricDefinition
from qbr.organizations.models import Organization
from tests.metrics_support import snapshot
from tests.reliability.support import MONTHLY_ROW
from tests.support import make_organization

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
HEADER = ["period", "organization_id", "metric_name", "metric_value", "source_system"]
METRICS = [spec.metric_name for spec in DEFAULT_METRICS]
PERIODS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
HOSTILE = [
    "1e308", "-1e308", "1E+308", "1e-400", "NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf",
    "0x1F", "1_000", "1,5", "١٢٣", "9999999999.995", "-9999999999.995", "10000000000", "", " ", "\x00",
    "'; DROP TABLE metrics_monthly; --", "Robert'); DROP TABLE organizations;--", "1 OR 1=1", "=cmd|' /C calc'!A0",
    "@SUM(A1)", "+1", "-0", "2025-13", "2025-00", "2025-1", "25-01", "2025-Q1", "0", "-1", "99999999999999999999",
    "\u202e", "💥", '"', "a,b", "\r\n", "x" * 70_000,
]  # fmt: skip
ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252"]
# Sources a writer may use, among them names no one would choose; each is stored exactly as given.
SOURCES = ["ConnectWise", "CSV", "QuickBooks", "", "  padded  ", "Robert'); DROP TABLE metrics_monthly;--",
           "=SUM(A1:A9)", "ünïcødé ✓", "x" * 50]  # fmt: skip


@pytest.fixture
def organizations(engine: Engine) -> list[int]:
    with unit_of_work(engine) as session:
        return [make_organization(session, name).id for name in ("Acme", "Globex")]


def stored(session: Session) -> dict[str, Any]:
    """Every table an import may write, rows in full."""
    state: dict[str, Any] = snapshot(session)
    state["metric_definitions"] = sorted(session.scalars(select(MetricDefinition.metric_name)))
    state["organizations"] = sorted(session.scalars(select(Organization.name)))
    return state


def attempt(engine: Engine, path: Path, content: bytes, **options: bool) -> set[tuple[Any, ...]] | InvalidInput:
    """Import ``content``: the refusal, or the monthly rows the import left (rolled back afterwards)."""
    path.write_bytes(content)
    with Session(engine) as session:
        before = stored(session)
        try:
            import_metrics_csv(session, path, **options)
        except InvalidInput as refusal:
            # All or nothing, even seen from inside the importer's own transaction.
            assert stored(session) == before
            assert_clear(refusal)
            return refusal
        written = {tuple(row) for row in session.execute(select(*MONTHLY_ROW))}
        session.rollback()
        return written


def assert_clear(refusal: InvalidInput) -> None:
    """A refusal says what was wrong and where, for every problem it lists."""
    assert refusal.summary.strip()
    for problem in refusal.problems:
        assert problem.message.strip()
        assert problem.location.startswith(("line ", "organization")), problem


def encoded(rows: list[list[str]], encoding: str, line_end: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def hostile_cell() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))


@st.composite
def hostile_row(draw: st.DrawFn, organization_ids: list[int]) -> list[str]:
    """A valid row, often with one or two cells replaced by hostile ones, and sometimes cut short or too long."""
    row = [
        draw(st.sampled_from(PERIODS)),
        str(draw(st.sampled_from(organization_ids))),
        draw(st.sampled_from(METRICS)),
        draw(st.sampled_from(["12.5", "0", "7", "1234567.891"])),
        draw(st.sampled_from(SOURCES)),
    ]
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 2]))):
        row[draw(st.integers(min_value=0, max_value=4))] = draw(hostile_cell())
    shape = draw(st.sampled_from(["as is", "as is", "as is", "short", "long"]))
    if shape == "short":
        return row[:-1]
    return [*row, draw(hostile_cell())] if shape == "long" else row


@st.composite
def hostile_files(draw: st.DrawFn, organization_ids: list[int]) -> bytes:
    """A header (usually the right one) and rows of plausible and hostile cells, in some encoding."""
    other = st.lists(st.sampled_from([*HEADER, "organization", "x"]), max_size=6)
    header = draw(other) if draw(st.integers(min_value=0, max_value=4)) == 0 else HEADER
    rows = draw(st.lists(hostile_row(organization_ids), max_size=4))
    return encoded([header, *rows], draw(st.sampled_from(ENCODINGS)), draw(st.sampled_from(["\n", "\r\n", "\r"])))


class TestHostileFiles:
    def test_random_bytes_are_refused_clearly(self, engine: Engine, organizations: list[int], tmp_path: Path) -> None:
        @FUZZ
        @given(content=st.one_of(st.binary(max_size=2000), st.binary(max_size=500).map(lambda b: b"\xef\xbb\xbf" + b)))
        def check(content: bytes) -> None:
            outcome = attempt(engine, tmp_path / "random.csv", content)
            assert isinstance(outcome, InvalidInput)  # no random bytes make a usable header

        check()

    def test_header_with_random_bytes_after_it(self, engine: Engine, organizations: list[int], tmp_path: Path) -> None:
        @FUZZ
        @given(tail=st.binary(max_size=1500))
        def check(tail: bytes) -> None:
            outcome = attempt(engine, tmp_path / "tail.csv", ",".join(HEADER).encode() + b"\n" + tail)
            if not isinstance(outcome, InvalidInput):
                assert_plausible(outcome, organizations)

        check()

    def test_hostile_cells_are_refused_or_imported_as_written(
        self, engine: Engine, organizations: list[int], tmp_path: Path
    ) -> None:
        @FUZZ
        @given(content=hostile_files(organizations), allow_new_metrics=st.booleans())
        def check(content: bytes, allow_new_metrics: bool) -> None:
            outcome = attempt(engine, tmp_path / "hostile.csv", content, allow_new_metrics=allow_new_metrics)
            if not isinstance(outcome, InvalidInput):
                assert_plausible(outcome, organizations)

        check()

    @pytest.mark.parametrize("value", ["1e308", "NaN", "Infinity", "-Infinity", "1e-400", "99999999999.99"])
    def test_numbers_that_do_not_fit_are_refused_naming_line_and_field(
        self, engine: Engine, organizations: list[int], tmp_path: Path, value: str
    ) -> None:
        content = encoded([HEADER, ["2025-01", str(organizations[0]), "Reactive Hours", value, "CSV"]], "utf-8", "\n")
        outcome = attempt(engine, tmp_path / "number.csv", content)
        if value == "1e-400":  # a tiny positive number is a valid amount: it rounds to 0.00
            assert outcome == {(organizations[0], "2025-01", "Reactive Hours", "CSV", Decimal("0.00"))}
            return
        assert isinstance(outcome, InvalidInput)
        assert [problem.location for problem in outcome.problems] == ["line 2, metric_value"]

    def test_a_huge_field_is_refused_without_echoing_it(
        self, engine: Engine, organizations: list[int], tmp_path: Path
    ) -> None:
        huge = "Reactive Hours" + " extra" * 200_000
        content = encoded([HEADER, ["2025-01", str(organizations[0]), huge, "1", "CSV"]], "utf-8", "\n")
        outcome = attempt(engine, tmp_path / "huge.csv", content)
        assert isinstance(outcome, InvalidInput)
        assert len(str(outcome)) < 10_000  # the message names the problem, it does not repeat a megabyte


def assert_plausible(rows: set[tuple[Any, ...]], organizations: list[int]) -> None:
    """What an accepted import of arbitrary cells may have written: known organizations, monthly periods, amounts
    in range, names and sources within their column sizes."""
    assert rows
    for organization_id, period, metric_name, source, value in rows:
        assert organization_id in organizations
        assert period in PERIODS or (len(period) == 7 and period[4] == "-")
        assert 0 < len(metric_name) <= 100
        assert 0 < len(source) <= 50
        assert value.is_finite()
        assert abs(value) <= Decimal("9999999999.99")


# --- valid files, written in every way a spreadsheet or a script might, import exactly --------------------------


# Ways programs write a number: as is, padded, signed, in exponent form, with trailing zeros.
WRITTEN_AS: list[Callable[[Decimal], str]] = [
    str,
    lambda d: f" {d} ",
    lambda d: f"+{d}",
    lambda d: f"{d:e}",
    lambda d: f"{d:E}",
    lambda d: f"{d}00" if "." in str(d) else f"{d}.00",
]


def amount_texts() -> st.SearchStrategy[tuple[str, Decimal]]:
    """A non-negative amount as some program might write it, with the value the product must store."""
    value = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=3)
    return st.tuples(value, st.sampled_from(WRITTEN_AS)).map(
        lambda pair: (pair[1](pair[0]), pair[0].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    )


@st.composite
def valid_files(draw: st.DrawFn, organization_ids: list[int]) -> tuple[bytes, set[tuple[Any, ...]]]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(organization_ids),
                st.sampled_from(PERIODS),
                st.sampled_from(METRICS),
                st.sampled_from(SOURCES),
            ),
            min_size=1,
            max_size=25,
            unique_by=lambda key: (key[0], key[1], key[2], key[3].strip() or "CSV"),
        )
    )
    rows, expected = [], set()
    for organization_id, period, metric, source in keys:
        text, value = draw(amount_texts())
        rows.append([period, str(organization_id), metric, text, source])
        expected.add((organization_id, period, metric, source.strip() or "CSV", value))
        if draw(st.booleans()):
            rows.append([])  # blank lines are skipped
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    return encoded([HEADER, *rows], encoding, draw(st.sampled_from(["\n", "\r\n"]))), expected


class TestValidFiles:
    def test_every_value_lands_exactly_as_written(
        self, engine: Engine, organizations: list[int], tmp_path: Path
    ) -> None:
        @settings(FUZZ, max_examples=25)  # each example writes and recomputes: fewer, larger ones
        @given(case=valid_files(organizations))
        def check(case: tuple[bytes, set[tuple[Any, ...]]]) -> None:
            content, expected = case
            assert attempt(engine, tmp_path / "valid.csv", content) == expected

        check()

    def test_sql_looking_names_are_only_names(self, engine: Engine, organizations: list[int], tmp_path: Path) -> None:
        name = "Robert'); DROP TABLE metrics_monthly;--"
        content = encoded([HEADER, ["2025-01", str(organizations[0]), name, "5", name]], "utf-8", "\n")
        refused = attempt(engine, tmp_path / "sql.csv", content)
        assert isinstance(refused, InvalidInput)
        assert "unknown metric" in str(refused)
        assert attempt(engine, tmp_path / "sql.csv", content, allow_new_metrics=True) == {
            (organizations[0], "2025-01", name, name, Decimal("5.00"))
        }
