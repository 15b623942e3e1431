"""The period ahead: a forecast of a KPI's next value with a 90 % interval, computed on demand, never stored.

With at least 6 points the forecast is statsmodels' ETS model (additive error, additive trend), seasonal only with
two whole seasons of history (8 quarters, or 24 months). On series this short the model's own interval is too
narrow (it ignores that its parameters are estimated: on generated seasonal series of 12 points it covered about
half the held-out points), so its half-width is scaled by sqrt(n / (n - k)), k the fitted parameters and initial
states; the test measures the coverage. With 3 to 5 points it falls back to the mean of
the last 3 with a Student-t interval from their spread. Fewer than 3 points, no forecast.

statsmodels (with numpy, scipy and pandas, about 200 MB) is the optional extra ``forecast``: `make run` installs the
product without it, and then every forecast is the stated fallback; `pip install 'qbr-dashboard[forecast]'` (and
`make test`) bring the model.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MODEL_MIN_POINTS = 6
FALLBACK_MIN_POINTS = 3
LEVEL = 0.90  # the interval's nominal coverage
_T_90_TWO_DF = 2.919985580  # Student's t, 95th percentile, 2 degrees of freedom (the last 3 points' spread)
_CENT = Decimal("0.01")

ETS_METHOD = "exponential smoothing (ETS, trend), 90 % interval"
ETS_SEASONAL_METHOD = "exponential smoothing (ETS, trend, seasonal), 90 % interval"
FALLBACK_METHOD = "mean of the last 3 periods (too little history for a model), 90 % interval from their spread"
# The same fallback where the history was long enough but no model spoke (statsmodels is not installed, or the fit
# did not converge): saying "too little history" there would be untrue.
MEAN_METHOD = "mean of the last 3 periods, 90 % interval from their spread"
FALLBACK_METHODS = frozenset({FALLBACK_METHOD, MEAN_METHOD})


@dataclass(frozen=True)
class Forecast:
    period: str
    value: Decimal
    low: Decimal
    high: Decimal
    method: str


def recent_run(values: Sequence[Decimal | None]) -> list[float]:
    """The values after the last gap, oldest first: a model needs evenly spaced points."""
    run: list[float] = []
    for value in values:
        run = [] if value is None else [*run, float(value)]
    return run


def forecast_next(values: Sequence[float], period: str, season_length: int) -> Forecast | None:
    """The forecast of ``period``, the one after the last of ``values`` (evenly spaced, oldest first)."""
    # Whether the model is installed is part of the key: the same series gives the fallback without it.
    has_model = importlib.util.find_spec("statsmodels") is not None
    return _forecast(tuple(values), period, season_length, has_model)


# Remembered in memory, never written anywhere: a page shown again, or the review drafted from the same figures,
# does not fit the same models again. A fit is deterministic, so a remembered forecast is the one a fit would give.
@functools.lru_cache(maxsize=2048)
def _forecast(values: tuple[float, ...], period: str, season_length: int, has_model: bool) -> Forecast | None:
    if has_model and len(values) >= MODEL_MIN_POINTS:
        found = _ets(values, season_length)
        if found is not None:
            return _rounded(period, *found)
    if len(values) >= FALLBACK_MIN_POINTS:
        value, low, high = _mean_of_last_three(values)
        method = MEAN_METHOD if len(values) >= MODEL_MIN_POINTS else FALLBACK_METHOD
        return _rounded(period, value, low, high, method)
    return None


def _mean_of_last_three(values: Sequence[float]) -> tuple[float, float, float]:
    last = values[-3:]
    mean = sum(last) / 3
    spread = math.sqrt(sum((value - mean) ** 2 for value in last) / 2)
    # The interval of a new point around a mean of 3: the spread of one point plus that of the mean.
    half = _T_90_TWO_DF * spread * math.sqrt(1 + 1 / 3)
    return mean, mean - half, mean + half


def _ets(values: Sequence[float], season_length: int) -> tuple[float, float, float, str] | None:
    # Only with the `forecast` extra installed (see forecast_next); without it, the fallback names itself.
    # Imported here: statsmodels takes about a second to import, which no other command should pay.
    import numpy as np
    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    seasonal = len(values) >= 2 * season_length
    series = pd.Series(list(values), dtype=float)
    try:
        with warnings.catch_warnings():
            # Short series make the optimizer warn about convergence; the interval says how uncertain it is.
            warnings.simplefilter("ignore")
            model = ETSModel(
                series,
                error="add",
                trend="add",
                seasonal="add" if seasonal else None,
                seasonal_periods=season_length if seasonal else None,
            )
            fitted = model.fit(disp=False)
            frame = fitted.get_prediction(start=len(values), end=len(values)).summary_frame(alpha=1 - LEVEL)
    except (ValueError, np.linalg.LinAlgError):
        return None
    mean, low, high = (float(frame[column].iloc[0]) for column in ("mean", "pi_lower", "pi_upper"))
    spare = len(values) - len(fitted.params)
    if spare < 2 or not all(math.isfinite(number) for number in (mean, low, high)):
        return None  # too many parameters for the points: the fallback says less, and says so
    scale = math.sqrt(len(values) / spare)
    low, high = mean - (mean - low) * scale, mean + (high - mean) * scale
    return mean, low, high, ETS_SEASONAL_METHOD if seasonal else ETS_METHOD


def _rounded(period: str, value: float, low: float, high: float, method: str) -> Forecast:
    def cents(number: float) -> Decimal:
        return Decimal(repr(number)).quantize(_CENT, rounding=ROUND_HALF_UP)

    return Forecast(period, cents(value), cents(low), cents(high), method)
