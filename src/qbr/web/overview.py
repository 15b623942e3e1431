"""The overview: every visible organization with the status of its key KPIs for one period, worst first.

Five queries whatever the number of organizations (key KPIs, organizations, their values, the thresholds, the
portfolio's values), graded with the same ``grade`` and the same threshold overrides the dashboard uses; each key
KPI's quartile among the active client organizations comes from qbr.insight.portfolio, and a row's overall
standing is the mean of its key KPIs' percentiles (staff only).

Rows are ordered on the server (``?sort=``): worst status first (the default), best overall standing first, or by
name; a plain link per order, no script.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.errors import InvalidInput, Problem
from qbr.insight.portfolio import Quartile, portfolio_rows, quartile_of, standings
from qbr.kpis.models import SmartNumber
from qbr.metrics.audience import Edition, client_names_only
from qbr.metrics.models import KpiDefinition
from qbr.organizations.models import Organization
from qbr.periods.calendar import PeriodRef
from qbr.presentation.status import STATUSES, severity, shown_status
from qbr.thresholds.grading import effective_thresholds_of_organizations, grade


@dataclass(frozen=True)
class KeyKpi:
    kpi_name: str
    unit: str
    direction: str | None
    audience: str


@dataclass(frozen=True)
class OverviewCell:
    kpi_name: str
    unit: str
    kpi_value: Decimal | None
    status: str
    quartile: int | None = None  # among the MSP's active client organizations (see qbr.insight.portfolio)
    percentile: Decimal | None = None


Sort = Literal["status", "standing", "name"]
SORTS: tuple[Sort, ...] = ("status", "standing", "name")


@dataclass(frozen=True)
class OverallStanding:
    """A row's standing over its key KPIs: the mean of their percentiles, and the quartile of that mean."""

    percentile: Decimal
    quartile: Quartile
    kpis: int  # how many key KPIs had a standing


@dataclass
class OverviewRow:
    organization_id: int
    organization_name: str
    is_msp: bool
    cells: list[OverviewCell] = field(default_factory=list)
    url: str = ""  # the page's address, filled in by the route

    @property
    def worst_status(self) -> str:
        return min((cell.status for cell in self.cells), key=severity, default="no_data")

    @property
    def standing(self) -> OverallStanding | None:
        """None for the MSP, an inactive organization or one without any key KPI compared."""
        percentiles = [cell.percentile for cell in self.cells if cell.percentile is not None]
        if not percentiles:
            return None
        mean = (sum(percentiles, Decimal(0)) / len(percentiles)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return OverallStanding(mean, quartile_of(mean), len(percentiles))

    def sort_key(self) -> tuple[int, int, int, str]:
        counts = Counter(cell.status for cell in self.cells)
        return severity(self.worst_status), -counts["critical"], -counts["warning"], self.organization_name.lower()

    def standing_key(self) -> tuple[bool, Decimal, str]:
        """Best overall standing first; rows without one last, by name."""
        standing = self.standing
        return standing is None, -(standing.percentile if standing else Decimal(0)), self.organization_name.lower()

    def name_key(self) -> tuple[str, int]:
        return self.organization_name.lower(), self.organization_id


@dataclass(frozen=True)
class Overview:
    period: str
    kpis: list[KeyKpi]
    rows: list[OverviewRow]
    sort: str = "status"

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        """How many organizations have each status as their worst, worst first."""
        counts = Counter(row.worst_status for row in self.rows)
        return [(status, counts[status]) for status in STATUSES]


def build_overview(
    session: Session,
    principal: Principal,
    period: PeriodRef,
    search: str = "",
    *,
    edition: Edition = "internal",
    sort: str = "status",
) -> Overview:
    """``edition``: a client user's overview has only the client's key KPIs as columns, and no standing (it is
    drawn from other organizations' values), so it cannot be sorted by one either."""
    offered = SORTS if edition == "internal" else ("status", "name")
    if sort not in offered:
        problem = Problem("query.sort", f"cannot sort the overview by {sort!r}", ", ".join(offered))
        raise InvalidInput(str(problem), [problem])
    kpis = [
        KeyKpi(name, unit, direction, audience)
        for name, unit, direction, audience in session.execute(
            select(KpiDefinition.kpi_name, KpiDefinition.unit, KpiDefinition.direction, KpiDefinition.audience)
            .where(KpiDefinition.is_key, client_names_only(edition, KpiDefinition.kpi_name))
            .order_by(KpiDefinition.sort_order, KpiDefinition.kpi_name)
        )
    ]
    visible = select(Organization.id).where(Organization.is_active, principal.organization_filter(Organization.id))
    if search.strip():
        visible = visible.where(func.lower(Organization.name).contains(search.strip().lower(), autoescape=True))
    organizations = session.execute(
        select(Organization.id, Organization.name, Organization.is_msp).where(Organization.id.in_(visible))
    ).all()
    names = [kpi.kpi_name for kpi in kpis]
    values = {
        (org_id, name): value
        for org_id, name, value in session.execute(
            select(SmartNumber.organization_id, SmartNumber.kpi_name, SmartNumber.kpi_value).where(
                SmartNumber.period == period.value,
                SmartNumber.kpi_name.in_(names),
                SmartNumber.organization_id.in_(visible),
            )
        )
    }
    thresholds_of = effective_thresholds_of_organizations(session, visible, names)
    # Peers are every active client, visible or not: the standing is the same whoever looks.
    standing_of = standings(portfolio_rows(session.connection(), period.value), {k.kpi_name: k.direction for k in kpis})
    rows = []
    for org_id, org_name, is_msp in organizations:
        row = OverviewRow(org_id, org_name, is_msp)
        thresholds = thresholds_of(org_id)
        for kpi in kpis:
            value = values.get((org_id, kpi.kpi_name))
            threshold = thresholds.get(kpi.kpi_name)
            warning, critical = (threshold.warning, threshold.critical) if threshold else (None, None)
            status = shown_status(grade(value, warning, critical, kpi.direction), warning, critical)
            standing = standing_of.get((org_id, kpi.kpi_name))
            if standing is None or edition == "client":
                row.cells.append(OverviewCell(kpi.kpi_name, kpi.unit, value, status))
            else:
                cell = OverviewCell(kpi.kpi_name, kpi.unit, value, status, standing.quartile, standing.percentile)
                row.cells.append(cell)
        rows.append(row)
    order = {"status": OverviewRow.sort_key, "standing": OverviewRow.standing_key, "name": OverviewRow.name_key}
    rows.sort(key=order[sort])
    return Overview(period.value, kpis, rows, sort)
