"""Every secret of a run — API keys (good and bad), passwords (right and wrong), the secret key, connector
secrets — stays out of every log record (SQL statements and their parameters included) and out of every response
and CLI output, but for the one response that hands a new key to its creator."""

from __future__ import annotations

import hmac
import logging
import secrets

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from qbr.auth.keys import check_api_key, create_api_key, revoke_api_key
from qbr.cli import app as cli
from qbr.core.database import unit_of_work
from qbr.core.settings import Settings, get_settings
from qbr.server.app import create_app
from tests.web.support import csrf_from


def test_no_secret_of_a_run_is_logged_returned_or_printed(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret_key = secrets.token_urlsafe(40)
    monkeypatch.setenv("QBR_SECRET_KEY", secret_key)
    get_settings.cache_clear()
    password, wrong_password = "a password nobody guesses 7!", "a wrong password tried 8?"
    private_key, client_secret = "cw-private-" + secrets.token_hex(8), "ninja-secret-" + secrets.token_hex(8)
    bad_key = "qbr_deadbeef_" + secrets.token_urlsafe(32)
    with unit_of_work(engine) as session:
        _, admin_key = create_api_key(session, "admin", "admin")
    admin = {"X-API-Key": admin_key}
    shown: list[str] = []  # every response body and header, and every CLI output

    # Every logger at DEBUG; SQLAlchemy's (which it sets to WARNING itself) logs each statement and its parameters.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.INFO, logger="sqlalchemy.engine"):
        runner = CliRunner()
        for args in (
            ["connectors", "set", "connectwise", f"private_key={private_key}", "public_key=pub", "company_id=acme"],
            ["connectors", "set", "ninjaone", f"client_secret={client_secret}", "client_id=ninja-app"],
            ["connectors", "show"],
        ):
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, result.output
            shown.append(result.output)

        settings = Settings(database_url=database_url, secret_key=secret_key, auth_failure_limit=100)
        with TestClient(create_app(settings, engine=engine)) as client:
            created = client.post("/api/v1/api-keys", json={"name": "script", "role": "viewer"}, headers=admin)
            assert created.status_code == 201
            new_key = created.json()["key"]  # shown once, to its creator: this response is the exception
            responses = [
                client.post(
                    "/api/v1/users",
                    json={"username": "dana", "password": password, "role": "editor"},
                    headers=admin,
                ),
                client.get("/api/v1/organizations", headers={"X-API-Key": new_key}),
                client.get("/api/v1/organizations", headers={"X-API-Key": bad_key}),
                client.get("/api/v1/api-keys", headers=admin),
                client.get("/api/v1/api-keys", params={"format": "csv"}, headers=admin),
                client.get("/api/v1/users", headers=admin),
                client.get("/api/v1/connectors", headers=admin),
                client.get("/api/v1/connectors/connectwise", headers=admin),
                client.get("/api/v1/connectors/ninjaone", headers=admin),
            ]
            for attempt in (wrong_password, password):
                form = client.get("/login")
                responses.append(form)
                data = {"username": "dana", "password": attempt, "next": "/", "csrf_token": csrf_from(form.text)}
                responses.append(client.post("/login", data=data, follow_redirects=False))
            assert [r.status_code for r in responses[-4:]] == [200, 401, 200, 303]
            assert responses[2].status_code == 401
        shown += [r.text for r in responses] + [str(dict(r.headers)) for r in [*responses, created]]

    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''} {record.args!r}" for record in caplog.records)
    assert "INSERT INTO" in logged  # the statements were captured, parameters and all
    everything = logged + "\n".join(shown)
    for secret in (secret_key, admin_key, new_key, bad_key, password, wrong_password, private_key, client_secret):
        assert secret not in everything
    assert created.text.count(new_key) == 1


def test_every_key_check_compares_one_hash_in_constant_time(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A well-formed key, an unknown prefix, a malformed key and a revoked key each cost exactly one
    ``hmac.compare_digest`` of two SHA-256 hex digests: how long a check takes says nothing about the key."""
    with unit_of_work(engine) as session:
        _, good = create_api_key(session, "good", "viewer")
        _, revoked = create_api_key(session, "revoked", "viewer")
        revoke_api_key(session, revoked[:12])
    compared: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(left: str, right: str) -> bool:
        compared.append((len(left), len(right)))
        return real(left, right)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    cases = {good: True, "qbr_00000000_" + "x" * 43: False, "not a key at all": False, revoked: False}
    for presented, valid in cases.items():
        compared.clear()
        with Session(engine) as session:
            assert (check_api_key(session, presented) is not None) is valid
        assert compared == [(64, 64)], presented
