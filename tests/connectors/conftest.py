"""Fixtures for the connector tests: the three fake vendor servers on loopback, a retry policy that does not make
the suite wait (sleeps are recorded instead of slept), and the scenario world the sync tests start from."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fakes.autotask import FakeAutotask
from fakes.connectwise import FakeConnectWise
from fakes.dattormm import FakeDattoRmm
from fakes.halopsa import FakeHaloPsa
from fakes.month import Month
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks
from fakes.server import FakeVendorServer
from fakes.xero import FakeXero
from qbr.cli import app
from qbr.connectors.http import HttpOptions, RetryPolicy
from qbr.core.settings import get_settings
from qbr.metrics.models import MetricMonthly
from qbr.organizations.models import Organization
from qbr.sources import CONNECTOR_SOURCES
from tests.connectors import scenario
from tests.connectors.scenario import ACME, GLOBEX, MSP


class SleepRecorder:
    """Stands in for ``time.sleep``: remembers how long each retry would have waited."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def policy() -> RetryPolicy:
    return RetryPolicy(attempts=4, initial_wait=0.5, max_wait=8.0, timeout=5.0)


@pytest.fixture
def connectwise() -> Iterator[FakeConnectWise]:
    with FakeConnectWise() as fake:
        yield fake


class FakeClock:
    """A monotonic clock the test moves by hand, shared by a client and a fake so token expiry is exact."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def options(policy: RetryPolicy, sleeps: SleepRecorder, clock: FakeClock) -> HttpOptions:
    return HttpOptions(policy=policy, sleep=sleeps, clock=clock)


@pytest.fixture
def ninjaone(clock: FakeClock) -> Iterator[FakeNinjaOne]:
    with FakeNinjaOne(clock=clock) as fake:
        yield fake


class MemoryTokenStore:
    """A RefreshTokenStore that remembers every token it was given, in order."""

    def __init__(self, token: str) -> None:
        self.saved: list[str] = []
        self._token = token

    def load(self) -> str:
        return self._token

    def save(self, refresh_token: str, expires_in: float | None) -> None:
        self.saved.append(refresh_token)
        self._token = refresh_token


@pytest.fixture
def quickbooks(clock: FakeClock) -> Iterator[FakeQuickBooks]:
    with FakeQuickBooks(clock=clock) as fake:
        yield fake


@pytest.fixture
def connector_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No connector variables from the outside world, no .env, and retries that do not make the suite wait."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("QBR_CONNECTOR_", "QBR_SYNC_")) or any(
            name.startswith(f"QBR_{source.upper()}_") for source in CONNECTOR_SOURCES
        ):
            monkeypatch.delenv(name)
    monkeypatch.setenv("QBR_CONNECTOR_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("QBR_CONNECTOR_RETRIES", "2")
    monkeypatch.setenv("QBR_CONNECTOR_TIMEOUT_SECONDS", "5")
    return monkeypatch


def point_at(env: pytest.MonkeyPatch, *fakes: FakeVendorServer) -> None:
    """Set the QBR_* connection variables of each fake, as an operator would for a real vendor."""
    for fake in fakes:
        if isinstance(fake, FakeConnectWise):
            env.setenv("QBR_CONNECTWISE_URL", fake.api_url)
            env.setenv("QBR_CONNECTWISE_COMPANY_ID", fake.company_id)
            env.setenv("QBR_CONNECTWISE_PUBLIC_KEY", "pub-key")
            env.setenv("QBR_CONNECTWISE_PRIVATE_KEY", "priv-key")
            env.setenv("QBR_CONNECTWISE_CLIENT_ID", fake.client_id)
        elif isinstance(fake, FakeNinjaOne):
            env.setenv("QBR_NINJAONE_URL", fake.url)
            env.setenv("QBR_NINJAONE_CLIENT_ID", fake.client_id)
            env.setenv("QBR_NINJAONE_CLIENT_SECRET", fake.client_secret)
        elif isinstance(fake, FakeQuickBooks):
            env.setenv("QBR_QUICKBOOKS_URL", fake.api_url)
            env.setenv("QBR_QUICKBOOKS_TOKEN_URL", fake.token_url)
            env.setenv("QBR_QUICKBOOKS_CLIENT_ID", fake.client_id)
            env.setenv("QBR_QUICKBOOKS_CLIENT_SECRET", fake.client_secret)
            env.setenv("QBR_QUICKBOOKS_REALM_ID", fake.realm_id)
            env.setenv("QBR_QUICKBOOKS_REFRESH_TOKEN", "rt-initial")
        elif isinstance(fake, FakeDattoRmm):
            env.setenv("QBR_DATTORMM_URL", fake.url)
            env.setenv("QBR_DATTORMM_API_KEY", fake.api_key)
            env.setenv("QBR_DATTORMM_API_SECRET", fake.api_secret)
        elif isinstance(fake, FakeHaloPsa):
            env.setenv("QBR_HALOPSA_URL", fake.url)
            env.setenv("QBR_HALOPSA_CLIENT_ID", fake.client_id)
            env.setenv("QBR_HALOPSA_CLIENT_SECRET", fake.client_secret)
        elif isinstance(fake, FakeAutotask):
            env.setenv("QBR_AUTOTASK_DISCOVERY_URL", fake.discovery_url)
            env.setenv("QBR_AUTOTASK_USERNAME", fake.username)
            env.setenv("QBR_AUTOTASK_SECRET", fake.secret)
            env.setenv("QBR_AUTOTASK_INTEGRATION_CODE", fake.integration_code)
        elif isinstance(fake, FakeXero):
            env.setenv("QBR_XERO_URL", fake.api_url)
            env.setenv("QBR_XERO_TOKEN_URL", fake.token_url)
            env.setenv("QBR_XERO_CLIENT_ID", fake.client_id)
            env.setenv("QBR_XERO_CLIENT_SECRET", fake.client_secret)
            env.setenv("QBR_XERO_TENANT_ID", fake.tenant_id)
            env.setenv("QBR_XERO_REFRESH_TOKEN", fake.refresh_token)


def qbr(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def monthly(session: Session, organization: int, period: str, source: str) -> dict[str, Decimal]:
    rows = session.execute(
        select(MetricMonthly.metric_name, MetricMonthly.metric_value).where(
            MetricMonthly.organization_id == organization,
            MetricMonthly.period == period,
            MetricMonthly.source_system == source,
        )
    )
    return {name: value for name, value in rows}  # noqa: C416


@pytest.fixture
def month(connector_env: pytest.MonkeyPatch) -> Month:
    connector_env.setenv("QBR_BUSINESS_TIMEZONE", scenario.TIMEZONE)
    get_settings.cache_clear()
    return Month.current(scenario.TIMEZONE)


@pytest.fixture
def world(
    engine: Engine,
    month: Month,
    connector_env: pytest.MonkeyPatch,
    connectwise: FakeConnectWise,
    ninjaone: FakeNinjaOne,
    quickbooks: FakeQuickBooks,
) -> dict[str, int]:
    """Organizations, links and the account mapping made with the CLI, as an operator would; the fakes filled."""
    point_at(connector_env, connectwise, ninjaone, quickbooks)
    scenario.fill_connectwise(connectwise, month)
    scenario.fill_ninjaone(ninjaone, month)
    scenario.fill_quickbooks(quickbooks, month)
    for args in (("orgs", "create", MSP, "--msp"), ("orgs", "create", ACME), ("orgs", "create", GLOBEX)):
        assert qbr(*args).exit_code == 0
    for source, links in (
        ("connectwise", scenario.CW_LINKS),
        ("ninjaone", scenario.NINJA_LINKS),
        ("quickbooks", scenario.QBO_LINKS),
    ):
        for external_id, org in links.items():
            result = qbr("link", org, source, external_id)
            assert result.exit_code == 0, result.output
    mapping = [f"account:{account}={metric}" for account, metric in scenario.ACCOUNT_MAP.items()]
    assert qbr("connectors", "set", "quickbooks", *mapping).exit_code == 0
    with Session(engine) as session:
        return {o.name: o.id for o in session.scalars(select(Organization))}
