"""Portfolio benchmark: standings on hand-made portfolios (ties, small portfolios, inactive organizations, the
direction of "better"), the dashboard's ``portfolio`` field, and what a client may read of it."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.branding.service import Brand
from qbr.catalog import HIGHER, LOWER
from qbr.dashboard.edition import apply_edition
from qbr.dashboard.service import build_dashboard
from qbr.insight.portfolio import portfolio_rows, quartile_of, shared_portfolio_reads, standing, standings
from qbr.kpis.models import SmartNumber
from qbr.organizations.models import Organization
from qbr.reports.pdf import render_qbr_pdf
from tests.api.test_dashboard import counting
from tests.support import make_organization, make_periods

D = Decimal
QUARTER = "2025-Q1"


class TestStanding:
    def test_best_and_worst_follow_the_direction(self) -> None:
        values = [D(1), D(2), D(3), D(4)]
        best_high = standing(D(4), values, HIGHER)
        best_low = standing(D(1), values, LOWER)
        assert best_high is not None
        assert best_low is not None
        assert (best_high.percentile, best_high.quartile) == (D("87.50"), 1)
        assert (best_low.percentile, best_low.quartile) == (D("87.50"), 1)
        worst_low = standing(D(4), values, LOWER)
        assert worst_low is not None
        assert (worst_low.percentile, worst_low.quartile) == (D("12.50"), 4)

    def test_ties_share_the_mid_rank(self) -> None:
        values = [D(1), D(2), D(2), D(3)]
        tied = standing(D(2), values, HIGHER)
        # One worse, two the same (this one included) counting half: (1 + 2/2) / 4 = 50 %.
        assert tied is not None
        assert (tied.percentile, tied.quartile, tied.median) == (D("50.00"), 2, D("2.00"))
        everyone = standing(D(5), [D(5)] * 7, LOWER)
        assert everyone is not None
        assert everyone.percentile == D("50.00")

    def test_a_portfolio_of_one(self) -> None:
        alone = standing(D("0.3"), [D("0.3")], LOWER)
        assert alone is not None
        assert (alone.percentile, alone.quartile, alone.median, alone.organizations) == (D("50.00"), 2, D("0.30"), 1)
        assert alone.client_statement() is None

    def test_no_direction_no_standing(self) -> None:
        assert standing(D(1), [D(1), D(2)], None) is None

    def test_median_of_an_even_portfolio(self) -> None:
        found = standing(D(1), [D(1), D(2), D(3), D(10)], HIGHER)
        assert found is not None
        assert found.median == D("2.50")

    def test_the_client_statement_needs_five_other_organizations(self) -> None:
        five = standing(D(5), [D(1), D(2), D(3), D(4), D(5)], HIGHER)
        six = standing(D(6), [D(1), D(2), D(3), D(4), D(5), D(6)], HIGHER)
        assert five is not None
        assert five.client_statement() is None
        assert six is not None
        assert six.client_statement() == "top quartile of the 6 organizations we support"

    def test_quartile_bounds(self) -> None:
        assert [quartile_of(D(p)) for p in (100, 75, "74.99", 50, 25, "24.99", 0)] == [1, 1, 2, 2, 3, 4, 4]

    def test_standings_for_everyone_agree_with_one(self) -> None:
        rows = [(1, "RHEM", D("0.4")), (2, "RHEM", D("0.2")), (3, "RHEM", D("0.2")), (1, "AISP", D(90))]
        directions = {"RHEM": LOWER, "AISP": HIGHER}
        everyone = standings(rows, directions)
        assert everyone[2, "RHEM"] == everyone[3, "RHEM"]
        assert everyone[1, "RHEM"].quartile == 4
        assert everyone[1, "AISP"].organizations == 1
        assert standings(rows, directions, organization_id=1) == {
            key: value for key, value in everyone.items() if key[0] == 1
        }


def _record(session: Session, organization: Organization, kpi_name: str, value: str) -> None:
    session.add(
        SmartNumber(
            organization_id=organization.id,
            period=QUARTER,
            kpi_name=kpi_name,
            kpi_value=D(value),
            calculation_method="recorded for the test",
        )
    )


def _portfolio(session: Session) -> dict[str, Organization]:
    """Seven active clients with RHEM 0.10 … 0.70 (lower is better), an inactive client and the MSP with better
    figures than anyone: the last two must never count."""
    make_periods(session, QUARTER)
    organizations = {f"Client {n}": make_organization(session, f"Client {n}") for n in range(1, 8)}
    for number, organization in enumerate(organizations.values(), start=1):
        _record(session, organization, "RHEM", f"0.{number}1")
    closed = make_organization(session, "Closed Account")
    closed.is_active = False
    msp = make_organization(session, "Our MSP", is_msp=True)
    _record(session, closed, "RHEM", "0.01")
    _record(session, msp, "RHEM", "0.02")
    session.flush()
    return {**organizations, "closed": closed, "msp": msp}


class TestPeers:
    def test_inactive_organizations_and_the_msp_are_not_peers(self, session: Session) -> None:
        portfolio = _portfolio(session)
        rows = portfolio_rows(session.connection(), QUARTER)
        assert {row[0] for row in rows} == {portfolio[f"Client {n}"].id for n in range(1, 8)}
        best = standings(rows, {"RHEM": LOWER}, portfolio["Client 1"].id)[portfolio["Client 1"].id, "RHEM"]
        assert (best.organizations, best.quartile, best.median) == (7, 1, D("0.41"))

    def test_the_dashboard_item(self, session: Session) -> None:
        portfolio = _portfolio(session)
        view = build_dashboard(session, portfolio["Client 7"].id, QUARTER)
        rhem = next(kpi for kpi in view.kpis if kpi.kpi_name == "RHEM")
        assert rhem.portfolio is not None
        # Worst of 7: half of itself over 7 organizations.
        assert (rhem.portfolio.percentile, rhem.portfolio.quartile) == (D("7.14"), 4)
        assert (rhem.portfolio.median, rhem.portfolio.organizations) == (D("0.41"), 7)
        assert rhem.portfolio.statement == "bottom quartile of the 7 organizations we support"
        assert all(kpi.portfolio is None for kpi in view.kpis if kpi.kpi_name != "RHEM")

    def test_none_for_the_msp_and_an_inactive_organization(self, session: Session) -> None:
        portfolio = _portfolio(session)
        for organization in (portfolio["msp"], portfolio["closed"]):
            view = build_dashboard(session, organization.id, QUARTER)
            assert all(kpi.portfolio is None for kpi in view.kpis)

    def test_one_statement_for_every_kpi(self, engine: Engine, session: Session) -> None:
        portfolio = _portfolio(session)
        _record(session, portfolio["Client 1"], "AISP", "95")
        session.flush()
        with counting(engine) as statements:
            build_dashboard(session, portfolio["Client 1"].id, QUARTER)
        assert sum("smartnumbers" in s and "is_msp" in s and "GROUP BY" not in s for s in statements) == 1


def _peer_reads(statements: list[str]) -> int:
    return sum("smartnumbers" in s and "is_msp" in s for s in statements)


class TestSharedReads:
    """A batch of reports reads the peers once per period, and again only after a write changed them."""

    def test_one_read_until_a_write_changes_the_portfolio(self, engine: Engine, session: Session) -> None:
        portfolio = _portfolio(session)
        session.commit()
        with shared_portfolio_reads(), counting(engine) as statements:
            first = portfolio_rows(session.connection(), QUARTER)
            assert portfolio_rows(session.connection(), QUARTER) == first
            assert _peer_reads(statements) == 1
            _record(session, portfolio["Client 1"], "AISP", "95")
            session.commit()
            changed = portfolio_rows(session.connection(), QUARTER)
            assert _peer_reads(statements) == 2
            assert sorted(changed) == sorted([*first, (portfolio["Client 1"].id, "AISP", D(95))])

    def test_outside_the_block_every_call_reads(self, engine: Engine, session: Session) -> None:
        _portfolio(session)
        session.commit()
        with counting(engine) as statements:
            portfolio_rows(session.connection(), QUARTER)
            portfolio_rows(session.connection(), QUARTER)
        assert _peer_reads(statements) == 2


class TestClientEdition:
    def test_no_other_organizations_value_or_name(self, session: Session) -> None:
        portfolio = _portfolio(session)
        client = portfolio["Client 1"]
        view = apply_edition(build_dashboard(session, client.id, QUARTER), "client")
        shown = view.model_dump_json()
        rhem = next(kpi for kpi in view.kpis if kpi.kpi_name == "RHEM")
        assert rhem.portfolio is not None
        assert rhem.portfolio.model_dump() == {
            "percentile": None,
            "quartile": None,
            "median": None,
            "organizations": None,
            "statement": "top quartile of the 7 organizations we support",
        }
        for _name, other in portfolio.items():
            if other.id != client.id:
                assert other.name not in shown
        for value in ("0.21", "0.31", "0.41", "0.51", "0.61", "0.71", "0.01", "0.02"):
            assert value not in shown, value

    def test_nothing_with_fewer_than_five_others(self, session: Session) -> None:
        make_periods(session, QUARTER)
        clients = [make_organization(session, f"Small {n}") for n in range(5)]
        for number, organization in enumerate(clients):
            _record(session, organization, "RHEM", f"0.{number}5")
        session.flush()
        rhem = next(kpi for kpi in build_dashboard(session, clients[0].id, QUARTER).kpis if kpi.kpi_name == "RHEM")
        assert rhem.portfolio is not None
        assert rhem.portfolio.organizations == 5
        assert rhem.portfolio.for_client() is None


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


class TestReport:
    def test_staff_read_the_standing_a_client_only_the_statement(self, session: Session) -> None:
        portfolio = _portfolio(session)
        view = build_dashboard(session, portfolio["Client 7"].id, QUARTER)
        brand = Brand(msp_name="Bright IT Services")

        internal = _pdf_text(render_qbr_pdf(view, brand=brand))
        assert "Against the portfolio" in internal
        assert "7.14" in internal  # the percentile
        assert "0.41" in internal  # the portfolio's median, for staff only

        client = _pdf_text(render_qbr_pdf(apply_edition(view, "client"), brand=brand))
        assert "Against the portfolio" not in client
        assert "bottom quartile of the 7 organizations we support" in client
        for other in ("0.41", "7.14", *(name for name in portfolio if name != "Client 7")):
            assert other not in client, other

    def test_the_msps_own_report_has_no_standing(self, session: Session) -> None:
        portfolio = _portfolio(session)
        view = build_dashboard(session, portfolio["msp"].id, QUARTER)
        shown = _pdf_text(render_qbr_pdf(view, brand=Brand(msp_name="Bright IT Services")))
        assert "Against the portfolio" not in shown
        assert "organizations we support" not in shown
