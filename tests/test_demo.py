"""The demonstration MSP: deterministic, idempotent, realistic enough to show every status."""

from __future__ import annotations

import random
from datetime import date

from click.testing import CliRunner
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from qbr.catalog import DEFAULT_METRICS
from qbr.cli import app
from qbr.demo.generate import client_values, plan_clients
from qbr.demo.load import load_demo
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import KpiDefinition, MetricMonthly
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.calendar import parse_period, period_range
from qbr.periods.models import Period
from qbr.reviews.models import Recommendation, Review, ReviewGoal, ReviewVersion
from qbr.thresholds.grading import effective_thresholds, grade
from tests.metrics_support import snapshot

TODAY = date(2026, 11, 26)


def test_generation_is_deterministic() -> None:
    months = period_range(parse_period("2025-01"), parse_period("2025-12"))
    first = [client_values(p, random.Random(f"1:{p.name}"), months) for p in plan_clients(random.Random(1), 5, 12)]
    again = [client_values(p, random.Random(f"1:{p.name}"), months) for p in plan_clients(random.Random(1), 5, 12)]
    assert first == again
    other = [client_values(p, random.Random(f"2:{p.name}"), months) for p in plan_clients(random.Random(2), 5, 12)]
    assert first != other


def test_demo_loads_every_metric_for_the_msp_and_is_idempotent(session: Session) -> None:
    summary = load_demo(session, orgs=4, months=14, today=TODAY)
    assert (summary.organizations, summary.first, summary.last) == (5, "2025-09", "2026-10")
    msp = session.scalar(select(Organization).where(Organization.is_msp))
    assert msp is not None
    msp_metrics = set(session.scalars(select(MetricMonthly.metric_name).where(MetricMonthly.organization_id == msp.id)))
    assert msp_metrics == {m.metric_name for m in DEFAULT_METRICS}
    before = snapshot(session)
    again = load_demo(session, orgs=4, months=14, today=TODAY)
    assert (again.ingest.inserted, again.ingest.updated, again.created) == (0, 0, ())
    assert snapshot(session) == before


def test_periods_before_the_current_quarter_are_closed(session: Session) -> None:
    load_demo(session, orgs=2, months=8, today=TODAY)
    open_periods = set(session.scalars(select(Period.period_value).where(Period.is_active.is_(True))))
    assert open_periods == {"2026-10", "2026-Q4"}


def test_some_clients_are_in_warning_or_critical_territory(session: Session) -> None:
    load_demo(session, orgs=12, months=6, today=TODAY)
    directions = dict(session.execute(select(KpiDefinition.kpi_name, KpiDefinition.direction)).all())
    statuses: dict[str, set[str]] = {}
    for org in session.scalars(select(Organization).where(Organization.is_msp.is_(False))):
        thresholds = effective_thresholds(session, org.id)
        rows = session.execute(
            select(SmartNumber.kpi_name, SmartNumber.kpi_value).where(
                SmartNumber.organization_id == org.id, SmartNumber.period == "2026-Q3"
            )
        ).all()
        statuses[org.name] = {
            grade(value, t.warning, t.critical, directions[name])
            for name, value in rows
            if (t := thresholds.get(name)) is not None
        }
    assert sum(1 for s in statuses.values() if "critical" in s) >= 1
    assert sum(1 for s in statuses.values() if "warning" in s and "critical" not in s) >= 1
    assert sum(1 for s in statuses.values() if s == {"ok"}) >= 4
    # Client KPIs only: nothing that needs the MSP's own headcount.
    client_kpis = set(
        session.scalars(select(SmartNumber.kpi_name).where(SmartNumber.organization_id != _msp_id(session)))
    )
    assert "Reactive Service %" not in client_kpis
    assert {"RHEM", "SLA Compliance %", "AISP"} <= client_kpis
    assert session.scalar(select(func.count()).select_from(OrganizationLink)) == 12 * 3 - 1  # one has no NinjaOne


def test_scaled_demo_has_exactly_the_metrics_asked_for(session: Session) -> None:
    load_demo(session, orgs=3, months=2, metrics=35, today=TODAY)
    per_org_month = session.execute(
        select(MetricMonthly.organization_id, MetricMonthly.period, func.count()).group_by(
            MetricMonthly.organization_id, MetricMonthly.period
        )
    ).all()
    assert {count for _, _, count in per_org_month} == {35}
    assert len(per_org_month) == 4 * 2


def test_demo_cli_if_empty(engine: Engine) -> None:
    runner = CliRunner()
    loaded = runner.invoke(app, ["demo", "--orgs", "2", "--months", "3", "--today", "2026-11-26"])
    assert loaded.exit_code == 0, loaded.output
    assert "demo: 3 organizations, 2026-08 to 2026-10" in loaded.output
    skipped = runner.invoke(app, ["demo", "--if-empty"])
    assert "already holds data" in skipped.output
    bad = runner.invoke(app, ["demo", "--months", "0"])
    assert bad.exit_code != 0
    assert "1 to 240 months" in bad.output


def _msp_id(session: Session) -> int:
    return session.scalar(select(Organization.id).where(Organization.is_msp)) or 0


def test_demo_tells_the_whole_review_story(session: Session) -> None:
    load_demo(session, orgs=4, months=14, today=TODAY)
    statuses = set(session.scalars(select(Recommendation.status)))
    assert statuses == {"proposed", "approved", "in_progress", "done", "declined"}
    reviews = session.execute(select(Review.period, Review.status)).all()
    # The earlier quarter published; the newest published once and edited since, or still drafts.
    assert sorted(reviews) == [("2026-Q2", "published")] * 2 + [("2026-Q3", "draft")] * 3
    assert {period for period, _ in reviews} == {"2026-Q2", "2026-Q3"}
    versions = session.execute(select(ReviewVersion.period, func.count()).group_by(ReviewVersion.period)).all()
    assert dict(versions) == {"2026-Q2": 2, "2026-Q3": 1}
    assert session.scalar(select(func.count()).select_from(ReviewGoal)) > 0
    counts = (
        session.scalar(select(func.count()).select_from(Recommendation)),
        session.scalar(select(func.count()).select_from(ReviewVersion)),
    )
    load_demo(session, orgs=4, months=14, today=TODAY)
    again = (
        session.scalar(select(func.count()).select_from(Recommendation)),
        session.scalar(select(func.count()).select_from(ReviewVersion)),
    )
    assert again == counts
