"""The period ahead: ETS forecasts on generated series with a known trend and season, and the stated fallback."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest

from qbr.insight.forecast import (
    ETS_METHOD,
    ETS_SEASONAL_METHOD,
    FALLBACK_METHOD,
    MEAN_METHOD,
    forecast_next,
    recent_run,
)

SEASON = (3.0, -1.0, 2.0, -4.0)  # a quarterly pattern


def generated(rng: random.Random, length: int) -> list[float]:
    """Level 50, trend +1.5 a quarter, the season above, Gaussian noise of standard deviation 1."""
    return [50 + 1.5 * step + SEASON[step % 4] + rng.gauss(0, 1) for step in range(length)]


@pytest.mark.slow  # 100 model fits: 10 to 50 s, with the machine's load
def test_the_90_percent_interval_covers_the_held_out_point_in_at_least_85_of_100_quarterly_series() -> None:
    rng = random.Random(20261203)
    covered = 0
    runs = 100
    for _ in range(runs):
        series = generated(rng, 13)
        history, held_out = series[:12], series[12]
        forecast = forecast_next(history, "2026-Q1", season_length=4)
        assert forecast is not None
        assert forecast.method == ETS_SEASONAL_METHOD
        assert forecast.low <= forecast.value <= forecast.high
        covered += forecast.low <= Decimal(repr(held_out)) <= forecast.high
    # Nominal 90 %; measured 94 of 100 with this seed (28 of the first 30; 16 of 30 without the correction for
    # estimated parameters).
    assert covered >= 85, covered


MONTHLY_SEASON = tuple(3 * math.sin(2 * math.pi * month / 12) for month in range(12))


def test_monthly_series_with_two_years_get_the_seasonal_model_and_cover_most_held_out_months() -> None:
    """Level 50, trend +0.5 a month, a yearly sine of amplitude 3, noise of standard deviation 1: 24 months of
    history (the model's seasonal minimum), the 25th held out."""
    rng = random.Random(20261203)
    covered = 0
    runs = 30
    for _ in range(runs):
        series = [50 + 0.5 * step + MONTHLY_SEASON[step % 12] + rng.gauss(0, 1) for step in range(25)]
        forecast = forecast_next(series[:24], "2026-01", season_length=12)
        assert forecast is not None
        assert forecast.method == ETS_SEASONAL_METHOD
        covered += forecast.low <= Decimal(repr(series[24])) <= forecast.high
    # Measured 26 of 30 (87 %) with this seed.
    assert covered >= 24, covered


def test_the_fallback_on_short_series_covers_the_held_out_point_and_names_itself() -> None:
    """5 quarters of the generated series: too few for the model, so the mean of the last 3 with a Student-t
    interval from their spread. The season widens that spread, so the interval is wide: it covered all of 200."""
    rng = random.Random(20261203)
    covered = 0
    runs = 200
    for _ in range(runs):
        series = generated(rng, 6)
        forecast = forecast_next(series[:5], "2026-Q1", season_length=4)
        assert forecast is not None
        assert forecast.method == FALLBACK_METHOD
        covered += forecast.low <= Decimal(repr(series[5])) <= forecast.high
    assert covered >= 0.9 * runs, covered


def test_the_season_needs_two_whole_seasons() -> None:
    rng = random.Random(7)
    seven = forecast_next(generated(rng, 7), "2025-Q4", season_length=4)
    assert seven is not None
    assert seven.method == ETS_METHOD
    # The trend is followed: the forecast is above the level of the first points.
    assert seven.value > Decimal(50)


def test_short_series_fall_back_to_the_mean_of_the_last_three() -> None:
    forecast = forecast_next([1.0, 10.0, 11.0, 12.0], "2025-05", season_length=12)
    assert forecast is not None
    assert forecast.method == FALLBACK_METHOD
    assert forecast.value == Decimal("11.00")
    # Spread 1, t(0.95, 2) = 2.92, times sqrt(4/3): 3.37 either side.
    assert (forecast.low, forecast.high) == (Decimal("7.63"), Decimal("14.37"))
    assert forecast_next([1.0, 2.0], "2025-05", season_length=12) is None


def test_a_gap_restarts_the_history() -> None:
    assert recent_run([Decimal(1), None, Decimal(2), Decimal(3)]) == [2.0, 3.0]
    assert recent_run([Decimal(1), Decimal(2), None]) == []


def test_without_the_forecast_extra_the_fallback_is_used_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` installs the product without statsmodels: a long series then gets the stated simpler method,
    which does not claim the history was too short."""
    monkeypatch.setattr("qbr.insight.forecast.importlib.util.find_spec", lambda name: None)
    found = forecast_next([10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0], "2026-Q1", 4)
    assert found is not None
    assert found.method == MEAN_METHOD
    assert "too little history" not in found.method
    assert found.value == Decimal("16.00")
