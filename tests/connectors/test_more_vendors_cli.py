"""``qbr connectors test`` and ``show`` for the connectors beyond the first three, against their fakes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from fakes.autotask import FakeAutotask
from fakes.dattormm import FakeDattoRmm
from fakes.halopsa import FakeHaloPsa
from fakes.server import FakeVendorServer
from fakes.xero import FakeXero
from tests.connectors.conftest import FakeClock, point_at, qbr

FAKES = {"dattormm": FakeDattoRmm, "halopsa": FakeHaloPsa, "autotask": FakeAutotask, "xero": FakeXero}
SAID = {
    "dattormm": "Datto RMM (token accepted)",
    "halopsa": "HaloPSA (token accepted)",
    "autotask": "Autotask (credentials accepted)",
    "xero": "Xero organisation 'Bright IT'",
}


@pytest.fixture(params=sorted(FAKES))
def vendor(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[tuple[str, FakeVendorServer]]:
    with FAKES[request.param](clock=clock) as fake:
        yield request.param, fake


def test_the_credentials_are_proved_and_secrets_never_shown(
    engine: Engine, connector_env: pytest.MonkeyPatch, vendor: tuple[str, FakeVendorServer]
) -> None:
    source, fake = vendor
    point_at(connector_env, fake)
    result = qbr("connectors", "test", source)
    assert result.exit_code == 0, result.output
    assert SAID[source] in result.output
    shown = qbr("connectors", "show", source)
    assert shown.exit_code == 0, shown.output
    for secret in ("datto-secret", "halo-secret", "at-secret", "AT-INTEGRATION", "xero-secret", "xero-rt"):
        assert secret not in shown.output


def test_missing_settings_are_named(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    result = qbr("connectors", "test", "autotask")
    assert result.exit_code != 0
    assert "QBR_AUTOTASK_USERNAME, QBR_AUTOTASK_SECRET, QBR_AUTOTASK_INTEGRATION_CODE" in result.output
