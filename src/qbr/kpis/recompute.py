"""Recomputing derived figures (quarterly rollups, then KPIs) for exactly the pairs whose inputs changed."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.core.bulk import allow_large_sorts
from qbr.kpis.compute import compute_staged_kpis
from qbr.kpis.models import SmartNumber
from qbr.metrics.locks import lock_all_organizations, lock_organizations
from qbr.metrics.models import MetricMonthly, MetricQuarterly
from qbr.metrics.rollup import rollup_staged_quarters
from qbr.metrics.scope import Pair, expand_pairs, stage_scope


def recompute(session: Session, pairs: Iterable[Pair]) -> tuple[Pair, ...]:
    """Recompute rollups and KPIs of ``pairs`` (organization id, 'YYYY-MM' or 'YYYY-Qn'), set-based.

    A month brings its quarter with it. Returns every pair recomputed. Never commits.
    """
    expanded = expand_pairs(pairs)
    if not expanded:
        return ()
    # Every path that recomputes (imports, manual values, a recompute on request) takes its organizations' locks;
    # a caller that already holds them (an import) takes them again for free.
    lock_organizations(session, {organization_id for organization_id, _ in expanded})
    allow_large_sorts(session, len(expanded) * 30)  # about 30 metric values per pair
    stage_scope(session, expanded)
    rollup_staged_quarters(session)
    compute_staged_kpis(session)
    return tuple(expanded)


def recompute_everything(session: Session) -> tuple[Pair, ...]:
    """Recompute every pair with data or derived rows (after a catalog change: a new formula, a rollup rule)."""
    lock_all_organizations(session)
    return recompute(session, pairs_of_organizations(session, None))


def pairs_of_organizations(session: Session, organization_ids: Collection[int] | None) -> set[Pair]:
    """Every (organization, period) with values or derived rows, for the given organizations (None: all).

    Pairs that only have derived rows left (their inputs were deleted) are included, so those rows go too.
    """
    pairs: set[Pair] = set()
    for model in (MetricMonthly, MetricQuarterly, SmartNumber):
        statement = select(model.organization_id, model.period).distinct()
        if organization_ids is not None:
            statement = statement.where(model.organization_id.in_(sorted(organization_ids)))
        pairs.update((organization_id, period) for organization_id, period in session.execute(statement).all())
    return pairs
