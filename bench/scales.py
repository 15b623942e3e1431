"""How big each benchmark run is: the dataset and the bounds of every workload."""

from __future__ import annotations

from dataclasses import dataclass

from qbr.periods.calendar import PeriodRef, period_range

# The dataset always ends with a complete year, so every quarter in it is complete and the dashboard's trend of
# eight quarters is full at full scale.
LAST_MONTH = PeriodRef(2025, 12, "monthly")
CATALOG_METRICS = 32  # the seeded catalog (reference/METRICS.md)


@dataclass(frozen=True)
class Scale:
    """One size of run. ``full`` is the issue's: 1,000 organizations × 40 metrics × 36 months."""

    name: str
    organizations: int
    months: int
    extra_metrics: int  # registered on top of the catalog's 32
    concurrency: int  # simultaneous clients of the dashboard load runs
    load_requests: int  # at most this many requests per load run…
    load_seconds: float  # …and at most this long
    scale_rows: tuple[int, ...]  # monthly rows of the scale workload's databases
    latency_requests: int  # sequential requests per size of the scale workload
    report_organizations: tuple[int, ...]  # active organizations of each run of the all-reports workload

    @property
    def metrics(self) -> int:
        return CATALOG_METRICS + self.extra_metrics

    @property
    def monthly_rows(self) -> int:
        return self.organizations * self.metrics * self.months

    @property
    def calendar(self) -> list[PeriodRef]:
        return period_range(LAST_MONTH.shift(1 - self.months), LAST_MONTH)

    @property
    def dashboard_period(self) -> PeriodRef:
        """The quarter the dashboard workloads ask for: the last one of the dataset."""
        return LAST_MONTH.quarter


SCALES = {
    scale.name: scale
    for scale in (
        # Seconds: what the smoke test runs. Every workload and comparison, each as short as still measures
        # something: its time goes to starting servers and migrating databases, not to the load itself.
        Scale("tiny", 4, 6, 8, 2, 20, 1.0, (2_000, 6_000), 10, (4,)),
        # A minute or two: for working on the harness itself.
        Scale("small", 100, 36, 8, 8, 2_000, 15.0, (10_000, 100_000, 1_000_000), 200, (20, 100)),
        # The dataset; the scale workload goes to 10 M monthly rows.
        Scale("full", 1_000, 36, 8, 8, 20_000, 30.0, (10_000, 1_000_000, 10_000_000), 500, (200, 1_000)),
    )
}
