"""Helpers of the reliability tests: running jobs at the same instant, and the state the engine writes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.core.database import unit_of_work
from qbr.kpis.models import SmartNumber
from qbr.kpis.recompute import recompute_everything
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.organizations.models import Organization
from qbr.periods.models import Period


def run_together(jobs: Sequence[Callable[[], None]]) -> list[BaseException]:
    """Run ``jobs`` on threads released at the same instant; the errors they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        barrier.wait()
        try:
            job()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


# A monthly value without its id and time: what two runs that wrote the same data agree on.
MONTHLY_ROW = (
    MetricMonthly.organization_id,
    MetricMonthly.period,
    MetricMonthly.metric_name,
    MetricMonthly.source_system,
    MetricMonthly.metric_value,
)


def derived_state(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Every row the engine writes, by organization name instead of id, without ids and timestamps."""
    with Session(engine) as session:
        names = dict(session.execute(select(Organization.id, Organization.name)).all())
        monthly = session.execute(select(*MONTHLY_ROW))
        quarterly = session.execute(
            select(
                MetricQuarterly.organization_id,
                MetricQuarterly.period,
                MetricQuarterly.metric_name,
                MetricQuarterly.metric_value,
            )
        )
        kpis = session.execute(
            select(
                SmartNumber.organization_id,
                SmartNumber.period,
                SmartNumber.kpi_name,
                SmartNumber.kpi_value,
                SmartNumber.calculation_method,
            )
        )
        periods = session.execute(select(Period.period_value, Period.period_type, Period.is_active))
        return {
            "metrics_monthly": {(names[row[0]], *row[1:]) for row in monthly},
            "metrics_quarterly": {(names[row[0]], *row[1:]) for row in quarterly},
            "smartnumbers": {(names[row[0]], *row[1:]) for row in kpis},
            "periods": {tuple(row) for row in periods},
        }


def assert_derived_figures_match_their_inputs(engine: Engine) -> None:
    """Recomputing everything from the stored monthly values changes nothing: no figure is stale or mixed."""
    before = derived_state(engine)
    with unit_of_work(engine) as session:
        recompute_everything(session)
    assert derived_state(engine) == before
