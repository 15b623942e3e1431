"""The presentation rules that keep figures from misleading: percentage points, partial periods, labels of quarter
totals and averages, rounding of averaged counts, folded empty series, percentage axes, KPIs that are totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from qbr.catalog import DEFAULT_KPIS, DEFAULT_METRICS
from qbr.charts.layout import TrendPoint, TrendSpec, layout_trend
from qbr.dashboard.figures import change_points, is_in_progress, kpi_rollups
from qbr.presentation.figures import (
    describe_points,
    figure_label,
    fold_empty_series,
    format_figure,
    partial_label,
    partial_title,
    percent_axis,
)

D = Decimal


class TestPercentagePoints:
    def test_a_margin_from_19_to_22_6_rose_3_6_points_not_19_percent(self) -> None:
        assert change_points(D("22.60"), D("19.00")) == D("3.60")
        shown = describe_points(change_points(D("22.60"), D("19.00")), "higher_is_better", versus="2024-Q4")
        assert shown.text == "+3.6 pts"
        assert shown.verdict == "better"
        assert shown.description == "up 3.6 percentage points vs 2024-Q4 (better)"

    def test_a_fall_is_negative_points_and_worse_when_higher_is_better(self) -> None:
        shown = describe_points(change_points(D("90.5"), D("97")), "higher_is_better", versus="2024-Q4")
        assert (shown.text, shown.arrow, shown.verdict) == ("-6.5 pts", "▼", "worse")

    def test_no_change_and_no_base(self) -> None:
        assert describe_points(D("0"), "lower_is_better", versus="x").text == "0.0 pts"
        assert change_points(None, D("3")) is None
        assert describe_points(None, None, versus="2024-Q4").text == "—"

    def test_points_work_from_zero_where_a_relative_change_has_no_base(self) -> None:
        assert change_points(D("12.5"), D("0")) == D("12.50")


class TestPartialPeriods:
    def test_a_period_is_partial_until_its_last_day_has_passed(self) -> None:
        assert is_in_progress("2026-Q4", date(2026, 12, 3))
        assert is_in_progress("2026-12", date(2026, 12, 31))
        assert not is_in_progress("2026-Q3", date(2026, 12, 3))
        assert not is_in_progress("2026-11", date(2026, 12, 1))

    def test_partial_periods_are_marked_in_words(self) -> None:
        assert partial_title("2026-Q4", True) == "Q4 2026 (Oct–Dec), in progress"
        assert partial_title("2026-Q3", False) == "Q3 2026 (Jul–Sep)"
        assert partial_label("2026-Q4", True) == "2026-Q4 (partial)"
        assert partial_label("2026-Q3", False) == "2026-Q3"

    def test_a_trend_chart_marks_the_partial_quarter_and_does_not_join_it_to_the_line(self) -> None:
        points = [TrendPoint("2026-Q2", 300), TrendPoint("2026-Q3", 310), TrendPoint("2026-Q4", 95, partial=True)]
        layout = layout_trend(TrendSpec("Reactive Hours", "hours", points))
        assert [label.text for label in layout.x_labels][-1] == "2026-Q4 (partial)"
        assert [point.partial for point in layout.points] == [False, False, True]
        assert "in progress" in layout.points[-1].title
        # One line through the complete quarters only: the drop to 95 is not drawn as a collapse.
        assert len(layout.segments) == 1
        assert len(layout.segments[0]) == 2


class TestQuarterLabels:
    def test_a_summed_metric_of_a_quarter_is_the_quarter_total(self) -> None:
        assert figure_label("sum", "quarterly") == "quarter total"
        assert figure_label("sum", "quarterly", is_partial=True, months=2) == "quarter total so far, 2 of 3 months"

    def test_an_averaged_metric_is_a_monthly_average(self) -> None:
        assert figure_label("avg", "quarterly") == "monthly average"
        assert figure_label("avg", "quarterly", is_partial=True, months=1) == "monthly average, 1 of 3 months"
        assert figure_label("last", "quarterly") == "at quarter end"

    def test_months_and_ratios_need_no_label(self) -> None:
        assert figure_label("sum", "monthly") is None
        assert figure_label(None, "quarterly") is None

    def test_averaged_counts_have_no_false_precision(self) -> None:
        assert format_figure(D("122.67"), "count", "avg", "quarterly") == "123"
        assert format_figure(D("1204.5"), "count", "avg", "quarterly") == "1,205"
        assert format_figure(D("8.33"), "count", "avg", "quarterly") == "8.3"
        assert format_figure(D("1.00"), "count", "avg", "quarterly") == "1"
        assert format_figure(D("8.5"), "count", "avg", "monthly") == "8.50"  # a month's value is what was entered
        assert format_figure(D("105.25"), "hours", "sum", "quarterly") == "105.25 h"
        assert format_figure(None, "count", "avg", "quarterly") == "—"

    def test_kpis_that_only_add_summed_metrics_are_totals(self) -> None:
        rollups = kpi_rollups(
            {m.metric_name: m.rollup for m in DEFAULT_METRICS}, [(k.kpi_name, k.formula) for k in DEFAULT_KPIS]
        )
        totals = {name for name, rollup in rollups.items() if rollup == "sum"}
        assert totals == {
            "Total Revenue",
            "Total Expenses",
            "Net Profit",
            "New MRR Added",
            "Lost MRR (Churn)",
            "Net MRR Gain",
        }

    def test_a_total_defined_before_its_inputs_is_still_a_total(self) -> None:
        rollups = kpi_rollups(
            {"A": "sum", "B": "avg"}, [("Both", "[Sum] + [A]"), ("Sum", "[A] - [A]"), ("R", "[A]/[B]")]
        )
        assert rollups == {"Both": "sum", "Sum": "sum", "R": None}


class TestFoldedSeries:
    def test_series_with_no_data_or_only_zeros_are_folded(self) -> None:
        series = {"RHEM": [None, D("0.3")], "Empty": [None, None], "Zeros": [D("0"), 0, None], "Negative": [-1]}
        charted, folded = fold_empty_series(series, lambda name: series[name])
        assert charted == ["RHEM", "Negative"]
        assert folded == ["Empty", "Zeros"]


class TestPercentAxis:
    def test_the_axis_stops_at_100_when_nothing_went_beyond(self) -> None:
        assert percent_axis(80, 110, 10, [95.0, 99.5, 100.0]) == (80, 100.0)

    def test_a_value_above_100_keeps_its_room(self) -> None:
        assert percent_axis(80, 110, 10, [95.0, 104.0]) == (80, 110)

    @pytest.mark.parametrize("values", [[99.8, 99.9, 100.0], [100.0], [97.0, 100.0, 98.0, 95.0]])
    def test_chart_ticks_of_percentages_never_pass_100(self, values: list[float]) -> None:
        spec = TrendSpec("Backup Success %", "percent", [TrendPoint(str(i), v) for i, v in enumerate(values)], 98, 95)
        ticks = [tick.text for tick in layout_trend(spec).y_ticks]
        assert ticks[-1] == "100%"
        assert all(float(text.rstrip("%")) <= 100 for text in ticks)
