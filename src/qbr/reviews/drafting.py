"""The executive summary drafted from a period's figures: deterministic plain text the account manager edits.

It names every KPI (and graded metric) that crossed a threshold since the previous period, in either direction,
with its value, the threshold and the previous value; what else improved and worsened; and what stays at warning
or critical, since when; and, when the view carries forecasts, the KPIs forecast to cross a threshold next period.
The same figures always give the same text: nothing external is asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from qbr.dashboard.schemas import DashboardKpi, DashboardMetric, DashboardView
from qbr.insight.forecast import FALLBACK_METHOD, FALLBACK_METHODS
from qbr.periods.calendar import parse_period
from qbr.presentation.periods import period_noun, period_title
from qbr.presentation.values import format_value
from qbr.thresholds.grading import grade

Item = DashboardKpi | DashboardMetric
_GRADED = ("ok", "warning", "critical")
_RANK = {"ok": 0, "warning": 1, "critical": 2}
MOST_CHANGES_NAMED = 5


@dataclass(frozen=True)
class Figure:
    """One graded number of the view, whatever its kind."""

    name: str
    value: Decimal | None
    previous: Decimal | None
    unit: str
    direction: str | None
    status: str
    previous_status: str
    warning: Decimal | None
    critical: Decimal | None
    change_pct: Decimal | None
    streak: int  # how many periods in a row, this one included, it has had its status


def figures_of(view: DashboardView) -> list[Figure]:
    """The view's KPIs, then its metrics that have thresholds, as ``Figure``s."""
    items: list[tuple[str, Item, Decimal | None]] = [(kpi.kpi_name, kpi, kpi.kpi_value) for kpi in view.kpis]
    items += [
        (metric.metric_name, metric, metric.metric_value)
        for metric in view.metrics
        if metric.warning_value is not None or metric.critical_value is not None
    ]
    return [_figure(name, item, value) for name, item, value in items]


def _figure(name: str, item: Item, value: Decimal | None) -> Figure:
    def graded(amount: Decimal | None) -> str:
        return grade(amount, item.warning_value, item.critical_value, item.direction)

    status = graded(value)
    streak = 0
    # The trend ends with this period; the same thresholds judge the earlier ones, so "since when" is consistent.
    for point in reversed(item.trend):
        if graded(point.value) != status:
            break
        streak += 1
    return Figure(
        name=name,
        value=value,
        previous=item.previous_value,
        unit=item.unit,
        direction=item.direction,
        status=status,
        previous_status=graded(item.previous_value),
        warning=item.warning_value,
        critical=item.critical_value,
        change_pct=item.change_pct,
        streak=max(streak, 1),
    )


def draft_summary(view: DashboardView) -> str:
    """The executive summary of ``view`` as paragraphs separated by blank lines."""
    period = view.period.period_value
    previous = view.previous_period
    figures = figures_of(view)
    kpis = [figure for figure in figures[: len(view.kpis)] if figure.status in _GRADED]
    paragraphs = [_opening(view, kpis)]
    crossings = [figure for figure in figures if _crossed(figure)]
    if crossings:
        paragraphs.append(" ".join(crossing_sentence(figure, period, previous) for figure in crossings))
    crossed = {figure.name for figure in crossings}
    moved = [figure for figure in kpis if figure.name not in crossed]
    improved = _moved(moved, better=True)
    worsened = _moved(moved, better=False)
    if improved:
        paragraphs.append("Improved: " + "; ".join(_movement(f, previous) for f in improved) + ".")
    if worsened:
        paragraphs.append("Worsened: " + "; ".join(_movement(f, previous) for f in worsened) + ".")
    forecasts = [sentence for kpi in view.kpis if (sentence := forecast_sentence(kpi, period))]
    if forecasts:
        paragraphs.append(" ".join(forecasts))
    attention = sorted(
        (figure for figure in figures if figure.status in ("warning", "critical")),
        key=lambda figure: (-_RANK[figure.status], -figure.streak, figure.name),
    )
    if attention:
        trend_length = max((len(kpi.trend) for kpi in view.kpis), default=0)
        paragraphs.append(" ".join(attention_sentence(figure, period, trend_length) for figure in attention))
    elif kpis:
        paragraphs.append(f"Every graded KPI is within its thresholds this {period_noun(period)}.")
    return "\n\n".join(paragraphs)


def _opening(view: DashboardView, kpis: Sequence[Figure]) -> str:
    period = view.period.period_value
    text = f"{view.organization.name}, {short_title(period)}."
    if view.period.period_type == "quarterly" and len(view.months) < 3:
        text += f" The figures cover {len(view.months)} of the quarter's 3 months so far."
    if not kpis:
        return text + " No KPI could be graded for this period yet."
    counts = {status: sum(1 for figure in kpis if figure.status == status) for status in _GRADED}
    parts = [
        f"{counts[status]} {label}"
        for status, label in (("ok", "on target"), ("warning", "at warning"), ("critical", "critical"))
        if counts[status]
    ]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{text} Of {len(kpis)} graded KPIs, {listed}."


def _crossed(figure: Figure) -> bool:
    return figure.status in _GRADED and figure.previous_status in _GRADED and figure.status != figure.previous_status


def crossing_sentence(figure: Figure, period: str, previous: str) -> str:
    """``RHEM crossed the critical threshold of 0.40 h: 0.45 h in Q1 2025, from 0.38 h in Q4 2024.``"""
    worse = _RANK[figure.status] > _RANK[figure.previous_status]
    if worse:
        kind = figure.status
        verb = "crossed"
    else:
        # Back past the threshold of the status it left: critical → warning recrosses the critical one.
        kind = figure.previous_status if figure.status == "warning" else "warning"
        verb = "came back within"
    limit = figure.critical if kind == "critical" else figure.warning
    if limit is None:  # improved from critical to ok with no warning threshold set
        kind, limit = "critical", figure.critical
    return (
        f"{figure.name} {verb} the {kind} threshold of {_value(limit, figure)}: "
        f"{_value(figure.value, figure)} in {short_title(period)}, "
        f"from {_value(figure.previous, figure)} in {short_title(previous)}."
    )


def may_cross_a_threshold(kpi: DashboardKpi) -> bool:
    """Whether a forecast of ``kpi`` could make a sentence of ``forecast_sentence``: it needs a graded value, a
    direction and a threshold; without one of them the forecast says nothing here."""
    return (
        kpi.kpi_value is not None
        and kpi.direction in ("higher_is_better", "lower_is_better")
        and (kpi.warning_value is not None or kpi.critical_value is not None)
    )


def forecast_sentence(kpi: DashboardKpi, period: str) -> str | None:
    """``Patch Compliance % is forecast to fall below its warning threshold of 95% next quarter (forecast 93%,
    90 % range 90%–96%).``, or None when the forecast stays where the KPI is (or there is none).

    The forecast's point decides whether a threshold is crossed; its interval is quoted beside it, so a range that
    still straddles the threshold shows how sure the forecast is. The stated simpler method, when it was used, is
    named. Forecasts come with the view (qbr.dashboard.forecasts): computed from the figures, never stored."""
    forecast = kpi.forecast
    if forecast is None or kpi.direction not in ("higher_is_better", "lower_is_better"):
        return None
    now = grade(kpi.kpi_value, kpi.warning_value, kpi.critical_value, kpi.direction)
    ahead = grade(forecast.value, kpi.warning_value, kpi.critical_value, kpi.direction)
    if now not in _GRADED or ahead not in _GRADED or now == ahead:
        return None
    if _RANK[ahead] > _RANK[now]:
        kind = ahead
        movement = "fall below" if kpi.direction == "higher_is_better" else "rise above"
    else:
        kind = "critical" if now == "critical" and ahead == "warning" else "warning"
        movement = "come back within"
    limit = kpi.critical_value if kind == "critical" else kpi.warning_value
    if limit is None:  # from critical to ok with no warning threshold set
        kind, limit = "critical", kpi.critical_value

    def shown(value: Decimal | None) -> str:
        return format_value(value, kpi.unit)

    # The fallback says less than the model, so the reader is told which one spoke.
    how = ""
    if forecast.method in FALLBACK_METHODS:
        how = f"; from the mean of the last 3 {period_noun(period)}s only"
        if forecast.method == FALLBACK_METHOD:
            how += ", too little history for a model"
    return (
        f"{kpi.kpi_name} is forecast to {movement} its {kind} threshold of {shown(limit)} next "
        f"{period_noun(period)} (forecast {shown(forecast.value)}, 90 % range {shown(forecast.low)}–"
        f"{shown(forecast.high)}{how})."
    )


def attention_sentence(figure: Figure, period: str, trend_length: int) -> str:
    """``RHEM is critical at 0.45 h (critical threshold 0.40 h; previous 0.47 h), for 5 quarters now.``"""
    limit = figure.critical if figure.status == "critical" else figure.warning
    noun = period_noun(period)
    if figure.streak == 1:
        how_long = f"new this {noun}"
    else:
        since = short_title(_shift_back(period, figure.streak - 1))
        # The trend is all the history the view holds: a streak as long as it may have started earlier.
        at_least = "at least " if figure.streak >= trend_length else ""
        how_long = f"for {at_least}{figure.streak} {noun}s now, since {since}"
    status = "at warning" if figure.status == "warning" else "critical"
    return (
        f"{figure.name} is {status} at {_value(figure.value, figure)} ({figure.status} threshold "
        f"{_value(limit, figure)}; previous {_value(figure.previous, figure)}), {how_long}."
    )


def _moved(figures: Sequence[Figure], *, better: bool) -> list[Figure]:
    """The KPIs that moved the good (or bad) way, biggest relative change first."""
    chosen = []
    for figure in figures:
        if figure.change_pct is None or figure.change_pct == 0 or figure.direction is None:
            continue
        is_better = (figure.change_pct > 0) == (figure.direction == "higher_is_better")
        if is_better == better:
            chosen.append(figure)
    chosen.sort(key=lambda figure: (-abs(figure.change_pct or Decimal(0)), figure.name))
    return chosen[:MOST_CHANGES_NAMED]


def _movement(figure: Figure, previous: str) -> str:
    return (
        f"{figure.name} {_value(figure.value, figure)} "
        f"(from {_value(figure.previous, figure)} in {short_title(previous)})"
    )


def _value(value: Decimal | None, figure: Figure) -> str:
    return format_value(value, figure.unit)


def short_title(period: str) -> str:
    """``Q1 2025`` or ``March 2025``: the period as a sentence names it."""
    ref = parse_period(period)
    return period_title(period) if ref.is_monthly else f"Q{ref.number} {ref.year}"


def _shift_back(period: str, steps: int) -> str:
    return parse_period(period).shift(-steps).value
