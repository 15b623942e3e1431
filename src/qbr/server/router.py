"""Every resource router under /api/v1, each documented with the problem responses it can give."""

from __future__ import annotations

from fastapi import APIRouter

from qbr.api.problems import PROBLEM_RESPONSES
from qbr.auth import endpoints as credentials
from qbr.connectors import endpoints as connectors
from qbr.dashboard import endpoints as dashboard
from qbr.ingest import definition_endpoints as metrics
from qbr.ingest import value_endpoints as metric_values
from qbr.kpis import endpoints as kpis
from qbr.kpis import reference_range_endpoints as reference_ranges
from qbr.kpis import smartnumber_endpoints as smartnumbers
from qbr.organizations import endpoints as organizations
from qbr.periods import endpoints as periods
from qbr.reviews import endpoints as reviews
from qbr.sharing import endpoints as sharing
from qbr.thresholds import endpoints as thresholds

api_router = APIRouter(responses=PROBLEM_RESPONSES)
for domain_router in (
    organizations.router,
    dashboard.router,
    reviews.router,
    sharing.router,
    metric_values.router,
    smartnumbers.router,
    periods.router,
    thresholds.router,
    metrics.definitions_router,
    kpis.definitions_router,
    reference_ranges.router,
    credentials.router,
    connectors.router,
):
    api_router.include_router(domain_router)
