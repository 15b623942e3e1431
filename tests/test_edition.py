"""qbr.dashboard.edition: who is a client user, and what the client edition of a dashboard view keeps."""

from __future__ import annotations

from sqlalchemy.orm import Session

from qbr.core.principal import Principal
from qbr.dashboard.edition import (
    CLIENT_NULL_REASON,
    apply_edition,
    edition_for,
    is_client_principal,
    principal_edition,
    report_edition,
)
from qbr.dashboard.service import build_dashboard
from tests.dashboard_support import QUARTER, seed_qbr_data


def principal(scope: set[int] | None) -> Principal:
    return Principal("user", 1, "someone", "viewer", frozenset(scope) if scope is not None else None)


class TestWhoIsAClientUser:
    def test_a_scope_without_the_msp_is_a_client(self) -> None:
        assert is_client_principal(principal({2, 3}), msp_id=1)
        assert is_client_principal(principal({2}), msp_id=None)  # no MSP recorded: a scope is a client's

    def test_unscoped_and_scopes_with_the_msp_are_staff(self) -> None:
        assert not is_client_principal(principal(None), msp_id=1)
        assert not is_client_principal(principal({1, 2}), msp_id=1)

    def test_the_msp_organization_and_the_report_flag(self, session: Session) -> None:
        data = seed_qbr_data(session)
        client = principal({data.acme})
        assert principal_edition(session, client) == "client"
        assert edition_for(session, client, data.acme) == "client"
        assert edition_for(session, principal({data.acme, data.msp}), data.acme) == "internal"
        assert edition_for(session, principal(None), data.acme) == "internal"
        assert report_edition(is_msp=False, internal=False) == "client"
        assert report_edition(is_msp=False, internal=True) == "internal"
        assert report_edition(is_msp=True, internal=False) == "internal"


class TestTheClientEdition:
    def test_keeps_client_items_and_drops_what_is_for_the_msp(self, session: Session) -> None:
        data = seed_qbr_data(session)
        internal = build_dashboard(session, data.acme, QUARTER)
        assert internal.edition == "internal"
        assert {"AISP", "RHEM"} <= {kpi.kpi_name for kpi in internal.kpis}
        view = apply_edition(internal, "client")
        assert view.edition == "client"
        assert {kpi.audience for kpi in view.kpis} == {"client"}
        assert {metric.audience for metric in view.metrics} == {"client"}
        assert "RHEM" in {kpi.kpi_name for kpi in view.kpis}
        assert "Monthly Recurring Revenue" not in {metric.metric_name for metric in view.metrics}
        assert all(kpi.calculation_method is None for kpi in view.kpis)
        assert {kpi.null_reason for kpi in view.kpis} <= {None, CLIENT_NULL_REASON}
        assert view.data_quality == []
        assert view.sources == []
        # The filter is a copy: the internal view is untouched.
        assert internal.kpis[0].calculation_method is not None

    def test_the_msp_organization_is_always_internal(self, session: Session) -> None:
        data = seed_qbr_data(session)
        view = apply_edition(build_dashboard(session, data.msp, QUARTER), "client")
        assert view.edition == "internal"
        assert "Profit Margin" in {kpi.kpi_name for kpi in view.kpis}
