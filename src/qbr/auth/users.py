"""Dashboard users: created with an argon2 password hash and a role, optionally limited to organizations.

``authenticate_user`` and ``principal_for_user`` are what a sign-in page builds on.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qbr.auth.keys import check_role
from qbr.auth.models import User
from qbr.auth.passwords import check_password_policy, hash_password, needs_rehash, verify_password
from qbr.auth.scope import USER_SCOPE, check_organizations_exist, load_scope, set_scope
from qbr.auth.sessions import end_user_sessions
from qbr.core.principal import Principal
from qbr.errors import Conflict, InvalidInput, NotAuthenticated, NotFound

MAX_USERNAME_LENGTH = 100
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$"
_USERNAME = re.compile(USERNAME_PATTERN)
USERNAME_ACCEPTED = "1 to 100 letters, digits and . _ @ + - (an e-mail address works), starting with a letter or digit"


def normalize_username(username: str) -> str:
    # Usernames are matched case-insensitively: "Alice" and "alice" are one person.
    cleaned = username.strip().lower()
    if not _USERNAME.match(cleaned):
        raise InvalidInput.single("username", f"{username!r} is not a valid username", USERNAME_ACCEPTED)
    return cleaned


def create_user(
    session: Session, username: str, password: str, role: str, organization_ids: list[int] | None = None
) -> User:
    cleaned = normalize_username(username)
    check_role(role)
    check_password_policy(password)
    scope = check_organizations_exist(session, organization_ids or [], "organization_ids")
    if session.scalar(select(User.id).where(func.lower(User.username) == cleaned)) is not None:
        raise Conflict(f"user {cleaned!r} already exists")
    user = User(username=cleaned, password_hash=hash_password(password), role=role, is_active=True)
    session.add(user)
    session.flush()
    set_scope(session, USER_SCOPE, user.id, scope)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def find_user(session: Session, username_or_id: str | int) -> User:
    text = str(username_or_id).strip()
    found = session.get(User, int(text)) if text.isdigit() else None
    if found is None:
        found = session.scalar(select(User).where(func.lower(User.username) == text.lower()))
    if found is None:
        raise NotFound(f"no user named or numbered {text!r} (see `qbr users list`)")
    return found


def update_user(
    session: Session,
    user: User,
    *,
    role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    organization_ids: list[int] | None = None,
    all_organizations: bool = False,
) -> User:
    """Change what is given. ``organization_ids`` replaces the limit (None leaves it alone); only
    ``all_organizations=True`` removes it. An empty list is refused: it reads like "no organizations" but would
    mean "every organization", so a client clearing a list by mistake would widen the user's access."""
    if organization_ids is not None and not organization_ids:
        raise InvalidInput.single(
            "organization_ids",
            "is empty, which would lift the user's limit to some organizations",
            "one or more organization ids; to let the user see every organization, send all_organizations: true",
        )
    if all_organizations and organization_ids is not None:
        raise InvalidInput.single(
            "all_organizations", "is given with organization_ids", "one of all_organizations and organization_ids"
        )
    if role is not None:
        user.role = check_role(role)
    if is_active is not None:
        user.is_active = is_active
        if not is_active:
            # Ended for good: enabling the user again later must not bring an old cookie back to life.
            end_user_sessions(session, user.id)
    if password is not None:
        check_password_policy(password)
        user.password_hash = hash_password(password)
        end_user_sessions(session, user.id)
    if all_organizations:
        set_scope(session, USER_SCOPE, user.id, [])
    elif organization_ids is not None:
        set_scope(
            session, USER_SCOPE, user.id, check_organizations_exist(session, organization_ids, "organization_ids")
        )
    session.flush()
    return user


def authenticate_user(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password (sign-in recorded), or None.

    Unknown users cost the same time as wrong passwords, so timing does not reveal which usernames exist.
    """
    user = session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now(UTC)
    session.flush()
    return user


def principal_for_user(session: Session, user: User) -> Principal:
    """The principal of a signed-in user; a user disabled since signing in is refused."""
    if not user.is_active:
        raise NotAuthenticated(f"user {user.username!r} is disabled")
    return Principal(
        kind="user",
        id=user.id,
        name=user.username,
        role=check_role(user.role),
        organization_ids=load_scope(session, USER_SCOPE, user.id),
    )
