"""``qbr connectors`` and ``qbr link``/``unlink``/``links`` through Click's runner, against the fake vendors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from fakes.connectwise import FakeConnectWise
from fakes.ninjaone import FakeNinjaOne
from fakes.quickbooks import FakeQuickBooks
from qbr.cli import app
from tests.connectors.conftest import point_at


def qbr(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_set_show_unset_never_print_secrets(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    result = qbr("connectors", "set", "ConnectWise", "private_key=hunter2-secret", "company_id=brightit")
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    shown = qbr("connectors", "show", "connectwise")
    assert shown.exit_code == 0, shown.output
    assert "hunter2" not in shown.output
    assert "brightit" in shown.output
    assert "missing url, public_key, client_id" in shown.output
    assert qbr("connectors", "unset", "connectwise", "private_key").exit_code == 0
    assert "private_key                (not set)" in qbr("connectors", "show", "connectwise").output


def test_set_refuses_bad_input_in_one_message(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    result = qbr("connectors", "set", "ninjaone", "url=not-a-url", "shoe_size=42")
    assert result.exit_code != 0
    assert "url: 'not-a-url' is not an http(s) URL" in result.output
    assert "shoe_size: is not a NinjaOne setting" in result.output
    assert "Traceback" not in result.output


def test_set_notes_when_the_environment_wins(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    connector_env.setenv("QBR_NINJAONE_URL", "https://eu.ninjarmm.com")
    result = qbr("connectors", "set", "ninjaone", "url=https://app.ninjarmm.com")
    assert "QBR_NINJAONE_URL is set in the environment" in result.output


def test_connection_test_against_each_fake(
    engine: Engine,
    connector_env: pytest.MonkeyPatch,
    connectwise: FakeConnectWise,
    ninjaone: FakeNinjaOne,
    quickbooks: FakeQuickBooks,
) -> None:
    point_at(connector_env, connectwise, ninjaone, quickbooks)
    for source, expected in (("connectwise", "v2024.1"), ("ninjaone", "token accepted"), ("quickbooks", "Bright IT")):
        result = qbr("connectors", "test", source)
        assert result.exit_code == 0, result.output
        assert expected in result.output
    connector_env.setenv("QBR_CONNECTWISE_PRIVATE_KEY", "wrong")
    refused = qbr("connectors", "test", "connectwise")
    assert refused.exit_code != 0
    assert "ConnectWise: GET /system/info answered HTTP 401: Invalid credentials" in refused.output


def test_unconfigured_source_names_what_to_set(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    result = qbr("connectors", "test", "ninjaone")
    assert result.exit_code != 0
    assert "QBR_NINJAONE_URL, QBR_NINJAONE_CLIENT_ID, QBR_NINJAONE_CLIENT_SECRET" in result.output


def test_discover_suggests_and_links(
    engine: Engine, connector_env: pytest.MonkeyPatch, connectwise: FakeConnectWise
) -> None:
    point_at(connector_env, connectwise)
    for name in ("Acme Corp", "Globex", "Initech"):
        assert qbr("orgs", "create", name).exit_code == 0
    connectwise.company(23, "ACME Corporation")
    connectwise.company(24, "Globex, Inc.")
    connectwise.company(25, "Umbrella")
    connectwise.company(26, "Initech Holdings")
    result = qbr("connectors", "discover", "connectwise")
    assert result.exit_code == 0, result.output
    assert "suggest 'Acme Corp' (100%): qbr link \"Acme Corp\" connectwise 23" in result.output
    assert "suggest 'Globex' (100%)" in result.output
    assert "Umbrella" in result.output
    assert "Umbrella (Umbrella)  -> not linked" in result.output
    linked = qbr("connectors", "discover", "connectwise", "--link-exact")
    assert "linked 2 record(s)" in linked.output
    assert "Initech Holdings (InitechHoldings)  -> not linked" in linked.output  # too different to suggest
    listing = qbr("links")
    assert "Acme Corp" in listing.output
    assert "ConnectWise  23 (ACME Corporation)" in listing.output


def test_link_and_unlink(engine: Engine, connector_env: pytest.MonkeyPatch) -> None:
    assert qbr("orgs", "create", "Acme Corp").exit_code == 0
    assert qbr("orgs", "create", "Globex").exit_code == 0
    result = qbr("link", "acme corp", "QUICKBOOKS", "12")
    assert result.exit_code == 0, result.output
    assert "'Acme Corp' is linked to QuickBooks id 12" in result.output
    assert qbr("link", "Acme Corp", "quickbooks", "12").exit_code == 0  # again: no change
    taken = qbr("link", "Globex", "quickbooks", "12")
    assert taken.exit_code != 0
    assert "already linked to 'Acme Corp'" in taken.output
    assert "qbr unlink quickbooks 12" in taken.output
    assert qbr("unlink", "quickbooks", "12").exit_code == 0
    missing = qbr("unlink", "quickbooks", "12")
    assert missing.exit_code != 0
    assert "not linked" in missing.output
    assert qbr("link", "Nobody", "ninjaone", "3").exit_code != 0
