"""Industry reference ranges: the seed is there after migrating, where a figure sits against a range (judged with
its direction), and ``qbr ranges`` list/set/delete with clear refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.cli import app as cli
from qbr.core import migrate
from qbr.core.database import make_engine
from qbr.kpis.reference_ranges import position_in, verdict_of
from qbr.kpis.reference_seed import SEEDED_REFERENCE_RANGES
from qbr.metrics.models import KpiDefinition, KpiReferenceRange


def test_the_seed_is_there_after_migrating(fresh_database_url: str) -> None:
    engine = make_engine(fresh_database_url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            stored = {found.kpi_name: found for found in session.scalars(select(KpiReferenceRange))}
            units = dict(session.execute(select(KpiDefinition.kpi_name, KpiDefinition.unit)).all())
        assert set(stored) == {spec.kpi_name for spec in SEEDED_REFERENCE_RANGES}
        for spec in SEEDED_REFERENCE_RANGES:
            found = stored[spec.kpi_name]
            assert (found.low, found.high, found.direction) == (spec.low, spec.high, spec.direction)
            assert found.source_publisher == spec.source_publisher
            assert found.source_url == spec.source_url
        # Ranges in the KPI's own unit: a profit margin in percent, a seat price in money, RHEM in hours.
        assert (units["Profit Margin"], stored["Profit Margin"].high) == ("percent", Decimal("25.00"))
        assert (units["AISP"], stored["AISP"].low) == ("currency", Decimal("100.00"))
        assert (units["RHEM"], stored["RHEM"].high) == ("hours", Decimal("0.25"))
        migrate.downgrade(engine, "20261203_0060")
        migrate.upgrade(engine)
        with Session(engine) as session:
            assert len(list(session.scalars(select(KpiReferenceRange)))) == len(SEEDED_REFERENCE_RANGES)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("value", "low", "high", "direction", "position", "verdict"),
    [
        ("0.31", None, "0.25", "lower_is_better", "above", "worse"),
        ("0.25", None, "0.25", "lower_is_better", "within", "within"),  # the ends belong to the range
        ("0.10", "0.20", "0.25", "lower_is_better", "below", "better"),
        ("8", "10", "25", "higher_is_better", "below", "worse"),
        ("10", "10", "25", "higher_is_better", "within", "within"),
        ("31.5", "10", "25", "higher_is_better", "above", "better"),
        ("-4", "10", None, "higher_is_better", "below", "worse"),
        ("1000000", "95", None, "higher_is_better", "within", "within"),
    ],
)
def test_where_a_figure_sits(
    value: str, low: str | None, high: str | None, direction: str, position: str, verdict: str
) -> None:
    found = position_in(Decimal(value), Decimal(low) if low else None, Decimal(high) if high else None)
    assert found == position
    assert verdict_of(found, direction) == verdict


class TestRangesCommand:
    def test_list_set_and_delete(self, engine: Engine) -> None:
        runner = CliRunner()
        listed = runner.invoke(cli, ["ranges", "list"])
        assert listed.exit_code == 0, listed.output
        assert "Profit Margin" in listed.output
        assert "undated" in listed.output  # RHEM's source carries no date
        result = runner.invoke(
            cli,
            ["ranges", "set", "total close %", "--low", "95", "--high", "105", "--publisher", "P", "--title", "T"],
        )
        assert result.exit_code == 0, result.output
        assert "added the reference range Total Close %: 95.00 to 105.00 (higher_is_better)" in result.output
        again = runner.invoke(
            cli,
            [
                "ranges",
                "set",
                "Total Close %",
                "--high",
                "110",
                "--direction",
                "lower",
                "--publisher",
                "P",
                "--title",
                "T",
            ],
        )
        assert "replaced the reference range Total Close %: — to 110.00 (lower_is_better)" in again.output
        assert runner.invoke(cli, ["ranges", "delete", "Total Close %"]).exit_code == 0
        gone = runner.invoke(cli, ["ranges", "delete", "Total Close %"])
        assert gone.exit_code != 0
        assert "has no reference range" in gone.output

    def test_refusals_name_every_problem(self, engine: Engine) -> None:
        runner = CliRunner()
        bad = runner.invoke(
            cli,
            [
                "ranges",
                "set",
                "Profit Margin",
                "--low",
                "30",
                "--high",
                "20",
                "--publisher",
                " ",
                "--title",
                "T",
                "--url",
                "ftp://x",
                "--year",
                "3000",
            ],
        )
        assert bad.exit_code != 0
        for field in ("low:", "source_publisher:", "source_url:", "source_year:"):
            assert field in bad.output
        assert "Traceback" not in bad.output
        unknown = runner.invoke(cli, ["ranges", "set", "Nope", "--low", "1", "--publisher", "P", "--title", "T"])
        assert "kpi_name: no KPI named 'Nope'" in unknown.output
        neither = runner.invoke(cli, ["ranges", "set", "AISP", "--publisher", "P", "--title", "T"])
        assert "neither end of the range was given" in neither.output
        listed = runner.invoke(cli, ["ranges", "list"]).output
        assert "Total Close" not in listed
        assert "100.00" in listed  # AISP's seeded range is untouched
