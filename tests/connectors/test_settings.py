"""Connector settings: environment or database, secrets encrypted and never shown, validation with every problem
named, QuickBooks account mapping, and the rotating refresh token's precedence rules."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.connectors.http import NotConfigured
from qbr.connectors.models import ConnectorSetting
from qbr.connectors.registry import source_system
from qbr.connectors.settings import (
    http_options,
    load_settings,
    parse_assignments,
    save_rotated_refresh_token,
    store_settings,
    unset_settings,
)
from qbr.core.settings import Settings, get_settings
from qbr.errors import InvalidInput
from qbr.sources import CONNECTWISE, NINJAONE, QUICKBOOKS


@pytest.mark.parametrize("name", ["connectwise", "ConnectWise", "CONNECTWISE", " connectWise "])
def test_source_names_in_any_case(name: str) -> None:
    assert source_system(name) == CONNECTWISE


def test_unknown_source_says_what_is_accepted() -> None:
    with pytest.raises(InvalidInput, match="connectwise, ninjaone, quickbooks"):
        source_system("kaseya")


def test_secrets_are_encrypted_at_rest(engine: Engine, session: Session, connector_env: pytest.MonkeyPatch) -> None:
    store_settings(session, CONNECTWISE, {"private_key": "s3cret-value", "company_id": "brightit"})
    rows = {r.setting_key: r for r in session.scalars(select(ConnectorSetting))}
    assert rows["private_key"].is_secret
    assert "s3cret-value" not in rows["private_key"].setting_value
    assert rows["company_id"].setting_value == "brightit"
    settings = load_settings(session, CONNECTWISE)
    assert settings.get("private_key") == "s3cret-value"
    assert settings.values["private_key"].origin == "database"
    assert "s3cret" not in settings.values["private_key"].shown


def test_a_changed_secret_key_gives_a_clear_error(
    engine: Engine, session: Session, connector_env: pytest.MonkeyPatch
) -> None:
    store_settings(session, NINJAONE, {"client_secret": "abc"})
    connector_env.setenv("QBR_SECRET_KEY", "another-secret-key-of-enough-length-0123456789")
    get_settings.cache_clear()
    try:
        with pytest.raises(NotConfigured, match="cannot be decrypted"):
            load_settings(session, NINJAONE)
    finally:
        get_settings.cache_clear()


def test_environment_wins_over_stored_values(
    engine: Engine, session: Session, connector_env: pytest.MonkeyPatch
) -> None:
    store_settings(session, NINJAONE, {"url": "https://eu.ninjarmm.com/"})
    assert load_settings(session, NINJAONE).get("url") == "https://eu.ninjarmm.com"
    connector_env.setenv("QBR_NINJAONE_URL", "https://app.ninjarmm.com")
    value = load_settings(session, NINJAONE).values["url"]
    assert (value.value, value.origin) == ("https://app.ninjarmm.com", "environment")


def test_defaults_and_missing_settings(engine: Engine, session: Session, connector_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(session, CONNECTWISE)
    assert settings.words("reactive_boards") == ["Help Desk"]
    assert settings.values["reactive_boards"].origin == "default"
    assert not settings.is_configured
    with pytest.raises(NotConfigured) as caught:
        settings.require_configured()
    for variable in ("QBR_CONNECTWISE_URL", "QBR_CONNECTWISE_PRIVATE_KEY", "QBR_CONNECTWISE_CLIENT_ID"):
        assert variable in str(caught.value)


def test_every_problem_is_reported_and_nothing_stored(
    engine: Engine, session: Session, connector_env: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidInput) as caught:
        store_settings(
            session,
            NINJAONE,
            {"url": "ftp://x", "colour": "blue", "seat_node_classes": "WINDOWS WORKSTATION", "client_id": "ok"},
        )
    locations = {p.location for p in caught.value.problems}
    assert locations == {"url", "colour", "seat_node_classes"}
    assert session.scalars(select(ConnectorSetting)).all() == []


def test_lists_are_tidied(engine: Engine, session: Session, connector_env: pytest.MonkeyPatch) -> None:
    store_settings(session, NINJAONE, {"endpoint_node_classes": " windows_server,MAC , mac,NMS_*"})
    store_settings(session, CONNECTWISE, {"closed_statuses": "Closed, >Closed,  Completed"})
    assert load_settings(session, NINJAONE).words("endpoint_node_classes") == ["WINDOWS_SERVER", "MAC", "NMS_*"]
    assert load_settings(session, CONNECTWISE).words("closed_statuses") == ["Closed", ">Closed", "Completed"]
    with pytest.raises(InvalidInput, match="is empty"):
        store_settings(session, CONNECTWISE, {"reactive_boards": " , "})


def test_quickbooks_accounts_map_to_currency_metrics(
    engine: Engine, session: Session, connector_env: pytest.MonkeyPatch
) -> None:
    assignments = parse_assignments(
        ["account:Managed Services=monthly recurring revenue", "account: 54 =Product Sales"]
    )
    store_settings(session, QUICKBOOKS, assignments)
    connector_env.setenv("QBR_QUICKBOOKS_ACCOUNT_MAP", '{"Payroll": "Employee Expense"}')
    assert load_settings(session, QUICKBOOKS).account_map == {
        "Managed Services": "Monthly Recurring Revenue",
        "54": "Product Sales",
        "Payroll": "Employee Expense",
    }
    with pytest.raises(InvalidInput, match="not a currency metric"):
        store_settings(session, QUICKBOOKS, {"account:Tickets": "Reactive Tickets Closed"})
    with pytest.raises(InvalidInput, match="belong to quickbooks"):
        store_settings(session, CONNECTWISE, {"account:Tickets": "Product Sales"})
    unset_settings(session, QUICKBOOKS, ["account:54"])
    assert "54" not in load_settings(session, QUICKBOOKS).account_map


def test_assignments_must_be_key_value() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_assignments(["url", "=x", "URL=https://a"])
    assert [p.location for p in caught.value.problems] == ["url", "=x"]
    assert parse_assignments(["URL=https://a=b"]) == {"url": "https://a=b"}


def test_the_environment_only_seeds_the_rotating_refresh_token(
    engine: Engine, session: Session, connector_env: pytest.MonkeyPatch
) -> None:
    connector_env.setenv("QBR_QUICKBOOKS_REFRESH_TOKEN", "seed-1")
    assert load_settings(session, QUICKBOOKS).get("refresh_token") == "seed-1"
    save_rotated_refresh_token(session, "rotated-1", 8726400)
    settings = load_settings(session, QUICKBOOKS)
    assert (settings.get("refresh_token"), settings.values["refresh_token"].origin) == ("rotated-1", "database")
    assert settings.refresh_token_expires_at is not None
    # The operator authorizes again and puts the new token in the environment: that one is newer.
    connector_env.setenv("QBR_QUICKBOOKS_REFRESH_TOKEN", "seed-2")
    assert load_settings(session, QUICKBOOKS).get("refresh_token") == "seed-2"
    # ... and an explicit `connectors set` outranks the seed still in the environment.
    store_settings(session, QUICKBOOKS, {"refresh_token": "typed-in"})
    assert load_settings(session, QUICKBOOKS).get("refresh_token") == "typed-in"


def test_runtime_settings_build_the_retry_policy(connector_env: pytest.MonkeyPatch) -> None:
    connector_env.setenv("QBR_CONNECTOR_RETRIES", "3")
    connector_env.setenv("QBR_CONNECTOR_TIMEOUT_SECONDS", "12.5")
    policy = http_options().policy
    assert (policy.attempts, policy.timeout) == (4, 12.5)
    connector_env.setenv("QBR_SYNC_DAILY_AT", "25:00")
    with pytest.raises(ValueError, match="sync_daily_at"):
        Settings()


def test_secrets_stay_out_of_reprs(engine: Engine, session: Session, connector_env: pytest.MonkeyPatch) -> None:
    store_settings(session, NINJAONE, {"client_secret": "very-secret-value", "client_id": "visible-id"})
    text = repr(load_settings(session, NINJAONE))
    assert "very-secret-value" not in text
    assert "visible-id" in text
