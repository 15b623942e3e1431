"""The fingerprint of the data one organization's report is read from: its data versions and the shared ones."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.metrics.models import MetricMonthly


def report_fingerprint(session: Session, organization_id: int) -> str:
    # Stand-in until the data versions exist: changes whenever the organization's monthly values change.
    row = session.execute(
        select(func.count(), func.sum(MetricMonthly.metric_value)).where(
            MetricMonthly.organization_id == organization_id
        )
    ).one()
    return hashlib.sha256(repr(tuple(row)).encode()).hexdigest()[:32]
