"""``qbr demo``: load the generated MSP through the one ingest path, idempotently.

Organizations are found by name or created, values go through ``ingest_metrics`` in one batch, vendor links and
one organization's own thresholds are added, and every period before the current quarter is closed, as a real
install would have it. Running it again changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.catalog import DEFAULT_METRICS
from qbr.core.dialect import dialect_insert
from qbr.core.settings import get_settings
from qbr.demo.generate import Values, client_values, extra_metric_names, msp_values, plan_clients
from qbr.demo.reviews import load_demo_reviews
from qbr.errors import InvalidInput
from qbr.ingest.validation import MetricInput
from qbr.ingest.writing import IngestResult, ingest_metrics
from qbr.metrics.models import MetricDefinition, MetricMonthly
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.calendar import month_of, period_range
from qbr.periods.service import close_periods
from qbr.sources import CONNECTWISE, CSV, MANUAL, NINJAONE, QUICKBOOKS
from qbr.thresholds.service import set_threshold

MAX_MONTHS = 240
MAX_ORGANIZATIONS = 100_000
LINKED_SOURCES = (CONNECTWISE, NINJAONE, QUICKBOOKS)  # the demo MSP runs the systems the catalog names


@dataclass(frozen=True)
class DemoSummary:
    organizations: int
    created: tuple[str, ...]
    first: str
    last: str
    ingest: IngestResult
    closed: tuple[str, ...]


def has_data(session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(select(MetricMonthly.id).limit(1).subquery())) == 1


def load_demo(
    session: Session,
    *,
    orgs: int = 12,
    months: int = 24,
    metrics: int | None = None,
    seed: int = 2025,
    today: date | None = None,
) -> DemoSummary:
    """Load ``orgs`` clients plus the MSP over ``months`` months ending with the last complete month before today.

    ``metrics`` limits every organization to the first that many catalog metrics (more than the catalog holds adds
    generated ones), for benchmarks. Never commits.
    """
    _check_sizes(orgs, months, metrics)
    last = month_of(today or date.today()).previous()
    calendar = period_range(last.shift(1 - months), last)
    profiles = plan_clients(random.Random(seed), orgs, months)
    # One generator per organization, so adding clients never changes the figures of the existing ones.
    clients = [client_values(p, random.Random(f"{seed}:{p.name}"), calendar) for p in profiles]
    msp = msp_values(clients, random.Random(f"{seed}:msp"), calendar)
    wanted = _metric_names(metrics)
    msp_org, created = _organizations(session, [p.name for p in profiles])
    by_name = {o.name.lower(): o.id for o in session.scalars(select(Organization))}
    named = [(msp_org.name, msp), *((p.name, v) for p, v in zip(profiles, clients, strict=True))]
    if wanted is not None:
        named = [(name, _restricted(values, wanted, random.Random(f"{seed}:{name}:extra"))) for name, values in named]
    organization_values = [(by_name[name.lower()], values) for name, values in named]
    sources = {m.metric_name: m.default_source for m in DEFAULT_METRICS}
    rows = [
        MetricInput(org_id, period, name, value, _source(sources.get(name)))
        for org_id, values in organization_values
        for (period, name), value in values.items()
    ]
    result = ingest_metrics(session, rows, reopen=True, allow_new_metrics=wanted is not None)
    _links(session, [by_name[p.name.lower()] for p in profiles])
    _own_thresholds(session, by_name, [p.name for p in profiles])
    current_quarter = month_of(today or date.today()).quarter
    quarters = sorted({month.quarter for month in calendar if month.quarter < current_quarter})
    closed = close_periods(session, [quarter.value for quarter in quarters])
    if wanted is None and quarters:
        # The QBR story (reviews, goals, recommendations) of the last complete quarter, for the first clients.
        load_demo_reviews(session, [by_name[p.name.lower()] for p in profiles], quarters[-1])
    return DemoSummary(len(profiles) + 1, tuple(created), calendar[0].value, last.value, result, tuple(closed))


def _check_sizes(orgs: int, months: int, metrics: int | None) -> None:
    if not 1 <= orgs <= MAX_ORGANIZATIONS:
        raise InvalidInput.single("--orgs", f"{orgs} is out of range", f"1 to {MAX_ORGANIZATIONS} client organizations")
    if not 1 <= months <= MAX_MONTHS:
        raise InvalidInput.single("--months", f"{months} is out of range", f"1 to {MAX_MONTHS} months")
    if metrics is not None and not 1 <= metrics <= 500:
        raise InvalidInput.single("--metrics", f"{metrics} is out of range", "1 to 500 metrics")


def _metric_names(metrics: int | None) -> list[str] | None:
    if metrics is None:
        return None
    catalog = [m.metric_name for m in DEFAULT_METRICS]
    return catalog[:metrics] + extra_metric_names(max(0, metrics - len(catalog)))


def _restricted(values: Values, wanted: list[str], rng: random.Random) -> Values:
    """Exactly the ``wanted`` metrics in every month the organization has data, inventing the extra ones."""
    months = sorted({period for period, _ in values})
    restricted: Values = {}
    for period in months:
        for name in wanted:
            value = values.get((period, name))
            restricted[period, name] = value if value is not None else _invented(rng)
    return restricted


def _invented(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(0, 100_000)) / 100


def _source(default_source: str | None) -> str:
    # Values whose usual source is manual entry arrive, in the demo, as a spreadsheet import.
    return CSV if default_source in (None, MANUAL) else default_source


def _organizations(session: Session, client_names: list[str]) -> tuple[Organization, list[str]]:
    created: list[str] = []
    msp = session.scalar(select(Organization).where(Organization.is_msp))
    if msp is None:
        msp = Organization(name=get_settings().msp_name, is_msp=True, is_active=True)
        session.add(msp)
        created.append(msp.name)
    existing = {name.lower() for name in session.scalars(select(Organization.name))}
    for name in client_names:
        if name.lower() not in existing:
            session.add(Organization(name=name, is_active=True))
            created.append(name)
    session.flush()
    return msp, created


def _links(session: Session, client_ids: list[int]) -> None:
    """Vendor ids for each client; the fifth client has no NinjaOne link, which the data-quality report flags."""
    rows = [
        {
            "organization_id": org_id,
            "source_system": source,
            "external_id": f"demo-{source.lower()}-{1000 + index}",
            "external_name": None,
        }
        for index, org_id in enumerate(client_ids)
        for source in LINKED_SOURCES
        if not (source == NINJAONE and index % 12 == 4)
    ]
    if rows:
        session.execute(
            dialect_insert(session, OrganizationLink)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["source_system", "external_id"])
        )


def _own_thresholds(session: Session, by_name: dict[str, int], client_names: list[str]) -> None:
    """A school tolerates more reactive time than the default: its own, looser RHEM thresholds."""
    school = next((name for name in client_names if "Schools" in name), None)
    if school is not None and session.scalar(
        select(MetricDefinition.id).where(MetricDefinition.metric_name == "Reactive Hours")
    ):
        set_threshold(session, "RHEM", warning="0.35", critical="0.55", organization_id=by_name[school.lower()])
