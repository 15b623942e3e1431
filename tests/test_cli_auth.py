"""``qbr keys`` and ``qbr users``: keys shown once and revocable, users with hashed passwords and scopes."""

from __future__ import annotations

import re

from click.testing import CliRunner
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from qbr.auth.keys import check_api_key
from qbr.auth.models import User
from qbr.auth.users import authenticate_user
from qbr.cli import app
from tests.support import make_organization

KEY_PATTERN = re.compile(r"^qbr_[0-9a-f]{8}_\S{43}$", re.MULTILINE)


def invoke(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def fails(*args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    return result.output


class TestKeysCommands:
    def test_create_prints_the_key_once_and_list_never_shows_it(self, engine: Engine, session: Session) -> None:
        acme = make_organization(session, "Acme Corp")
        session.commit()
        output = invoke("keys", "create", "--name", "reports", "--role", "viewer", "--org", "Acme Corp")
        match = KEY_PATTERN.search(output)
        assert match is not None, output
        key = match.group(0)
        assert f"organizations {acme.id}" in output
        listing = invoke("keys", "list")
        assert key[:12] in listing
        assert key not in listing
        assert f"orgs={acme.id}" in listing
        assert "last used never" in listing
        assert check_api_key(session, key) is not None

    def test_revoke_by_prefix_then_again_is_refused(self, engine: Engine) -> None:
        key = KEY_PATTERN.search(invoke("keys", "create", "--name", "ci", "--role", "admin"))
        assert key is not None
        prefix = key.group(0)[:12]
        assert "revoked API key" in invoke("keys", "revoke", prefix)
        assert "already revoked" in fails("keys", "revoke", prefix)
        assert "revoked" in invoke("keys", "list")
        assert prefix not in invoke("keys", "list", "--active")

    def test_bad_input_is_one_clear_line(self, engine: Engine) -> None:
        assert "no organization named or numbered 'Nowhere'" in fails(
            "keys", "create", "--name", "x", "--role", "viewer", "--org", "Nowhere"
        )
        assert "'owner' is not one of" in fails("keys", "create", "--name", "x", "--role", "owner")
        assert "no API key" in fails("keys", "revoke", "qbr_ffffffff")


class TestUsersCommands:
    def test_create_list_disable_enable_password(self, engine: Engine, session: Session) -> None:
        make_organization(session, "Acme Corp")
        session.commit()
        password = {"QBR_USER_PASSWORD": "correct horse battery"}
        invoke("users", "create", "Alice@Example.com", "--role", "editor", "--org", "Acme Corp", env=password)
        listing = invoke("users", "list")
        assert "alice@example.com" in listing
        assert "editor" in listing
        assert "active" in listing
        user = session.scalar(select(User))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash

        invoke("users", "disable", "alice@example.com")
        session.rollback()  # a new snapshot, to see what the command committed
        assert authenticate_user(session, "alice@example.com", "correct horse battery") is None
        assert "disabled" in invoke("users", "list")
        invoke("users", "enable", "ALICE@example.com")
        invoke("users", "password", "alice@example.com", env={"QBR_USER_PASSWORD": "a new long password"})
        session.rollback()
        assert authenticate_user(session, "alice@example.com", "a new long password") is not None

    def test_password_is_asked_for_hidden_and_confirmed(self, engine: Engine) -> None:
        result = CliRunner().invoke(
            app, ["users", "create", "bob", "--role", "viewer"], input="long enough pw\nlong enough pw\n"
        )
        assert result.exit_code == 0, result.output
        assert "long enough pw" not in result.output

    def test_refusals(self, engine: Engine) -> None:
        short = {"QBR_USER_PASSWORD": "short"}
        assert "at least 10 characters" in fails("users", "create", "carol", "--role", "viewer", env=short)
        good = {"QBR_USER_PASSWORD": "long enough password"}
        invoke("users", "create", "carol", "--role", "viewer", env=good)
        assert "already exists" in fails("users", "create", "CAROL", "--role", "viewer", env=good)
        assert "not a valid username" in fails("users", "create", "has space", "--role", "viewer", env=good)
        assert "no user named" in fails("users", "disable", "nobody")


class TestSetupCommands:
    def test_if_none_creates_the_first_key_and_user_only(self, engine: Engine) -> None:
        first = invoke("keys", "create", "--name", "demo admin", "--role", "admin", "--if-none")
        assert KEY_PATTERN.search(first)
        assert "none created" in invoke("keys", "create", "--name", "again", "--role", "admin", "--if-none")
        user = invoke("users", "create", "admin", "--role", "admin", "--generate-password", "--if-none")
        password = user.split("password (shown only once): ")[1].strip()
        assert len(password) >= 20
        assert "none created" in invoke(
            "users", "create", "other", "--role", "admin", "--generate-password", "--if-none"
        )
        from qbr.core.database import unit_of_work

        with unit_of_work(engine) as session:
            assert authenticate_user(session, "admin", password) is not None
