"""Users as the sign-in pages use them: ``authenticate_user`` and ``principal_for_user``."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from qbr.auth.passwords import hash_password
from qbr.auth.users import authenticate_user, create_user, principal_for_user, update_user
from qbr.errors import InvalidInput, NotAuthenticated
from tests.support import make_organization

PASSWORD = "a long enough password"


class TestAuthenticateUser:
    def test_right_password_signs_in_and_records_it(self, session: Session) -> None:
        user = create_user(session, "dana", PASSWORD, "viewer")
        assert user.last_login_at is None
        assert authenticate_user(session, " DANA ", PASSWORD) is user
        assert user.last_login_at is not None

    @pytest.mark.parametrize(("username", "password"), [("dana", "wrong password!"), ("nobody", PASSWORD)])
    def test_wrong_password_or_unknown_user_is_none(self, session: Session, username: str, password: str) -> None:
        create_user(session, "dana", PASSWORD, "viewer")
        assert authenticate_user(session, username, password) is None

    def test_disabled_user_is_none(self, session: Session) -> None:
        user = create_user(session, "dana", PASSWORD, "viewer")
        update_user(session, user, is_active=False)
        assert authenticate_user(session, "dana", PASSWORD) is None

    def test_outdated_hash_is_upgraded_on_sign_in(self, session: Session) -> None:
        from argon2 import PasswordHasher

        user = create_user(session, "dana", PASSWORD, "viewer")
        user.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
        old_hash = user.password_hash
        assert authenticate_user(session, "dana", PASSWORD) is user
        assert user.password_hash != old_hash
        assert user.password_hash.startswith(hash_password("x")[:20])


class TestPrincipalForUser:
    def test_scope_and_role(self, session: Session) -> None:
        acme = make_organization(session, "Acme Corp")
        user = create_user(session, "erin", PASSWORD, "editor", [acme.id])
        principal = principal_for_user(session, user)
        assert principal.role == "editor"
        assert principal.organization_ids == frozenset({acme.id})
        assert principal.can_see(acme.id)
        assert not principal.can_see(acme.id + 1)
        with pytest.raises(InvalidInput, match="all_organizations"):
            update_user(session, user, organization_ids=[])
        assert principal_for_user(session, user).organization_ids == frozenset({acme.id})
        update_user(session, user, all_organizations=True)
        assert principal_for_user(session, user).organization_ids is None

    def test_disabled_user_has_no_principal(self, session: Session) -> None:
        user = create_user(session, "erin", PASSWORD, "viewer")
        update_user(session, user, is_active=False)
        with pytest.raises(NotAuthenticated):
            principal_for_user(session, user)


def test_bad_role_is_refused(session: Session) -> None:
    with pytest.raises(InvalidInput, match="admin, editor or viewer"):
        create_user(session, "frank", PASSWORD, "owner")
