"""Settings come from QBR_* variables and .env, with safe defaults and clear refusals."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from qbr.core.settings import Settings, secret_key_weakness


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QBR_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///qbr.db"
    assert settings.is_sqlite
    assert settings.period_grace_days == 5


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg2://u@h/db"])
def test_postgres_urls_use_psycopg3(url: str) -> None:
    assert Settings(database_url=url).database_url == "postgresql+psycopg://u@h/db"


def test_dotenv_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("QBR_MSP_NAME", raising=False)
    (tmp_path / ".env").write_text("QBR_MSP_NAME=Bright IT\nQBR_PERIOD_GRACE_DAYS=7\n")
    settings = Settings()
    assert (settings.msp_name, settings.period_grace_days) == ("Bright IT", 7)


def test_production_refuses_placeholder_secret() -> None:
    with pytest.raises(ValidationError, match="QBR_SECRET_KEY"):
        Settings(environment="production")
    Settings(environment="production", secret_key=secrets.token_urlsafe(48))


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("a" * 64, "1 different characters"),
        ("0123456789abcdef" * 3, "repeats a pattern"),
        ("ab" * 30, "2 different characters"),
        ("short", "5 characters long"),
    ],
)
def test_production_refuses_weak_keys(key: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings(environment="production", secret_key=key)


def test_random_keys_of_the_advised_kinds_are_accepted() -> None:
    for _ in range(50):
        assert secret_key_weakness(secrets.token_urlsafe(48)) is None
        assert secret_key_weakness(secrets.token_hex(32)) is None


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(ValidationError, match="IANA"):
        Settings(business_timezone="Mars/Olympus")


def test_forwarded_headers_are_believed_only_from_named_proxies() -> None:
    from qbr.cli.serve import trusted_proxies

    assert trusted_proxies(Settings()) is None  # not even from loopback, uvicorn's own default
    named = Settings(trusted_proxies=" 10.0.0.5, 10.1.0.0/16 ,")
    assert trusted_proxies(named) == ["10.0.0.5", "10.1.0.0/16"]
