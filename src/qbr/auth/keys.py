"""API keys: created with a random secret shown once, stored as a SHA-256 hash, found by a public prefix.

A key looks like ``qbr_1a2b3c4d_<43 random characters>``; ``qbr_1a2b3c4d`` is its prefix, stored in clear so the
row can be found without comparing every hash. Keys carry 256 bits of randomness, so a fast hash is safe here
(passwords, which people choose, use argon2 instead).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, literal, or_, select, true, update
from sqlalchemy.orm import Session

from qbr.auth.models import ApiKey, api_key_organizations
from qbr.auth.scope import KEY_SCOPE, check_organizations_exist, set_scope
from qbr.core.principal import Principal, Role
from qbr.errors import Conflict, InvalidInput, NotFound

KEY_MARKER = "qbr_"
_PREFIX_LENGTH = len(KEY_MARKER) + 8
# Recording every single use would turn each read into a write; a minute's precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=1)
_DUMMY_HASH = hashlib.sha256(b"qbr-no-such-key").hexdigest()
_keys = ApiKey.__table__
# A key and the organizations it is limited to, in one statement: a row per organization, or one with NULL.
_KEY_BY_PREFIX = (
    select(
        _keys.c.id,
        _keys.c.name,
        _keys.c.role,
        _keys.c.key_hash,
        _keys.c.revoked_at,
        _keys.c.last_used_at,
        api_key_organizations.c.organization_id,
    )
    .outerjoin(api_key_organizations, api_key_organizations.c.api_key_id == _keys.c.id)
    .where(_keys.c.key_prefix == bindparam("prefix"))
)
# One row to hang the key's rows on, so that the lookup with a failure flag answers even for an unknown prefix.
_ANCHOR = select(literal(1).label("anchor")).subquery("anchor")


@dataclass(frozen=True)
class CheckedKey:
    """An active API key that matched: who it makes the caller, and when it was last recorded as used."""

    principal: Principal
    last_used_at: datetime | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str | None:
    """The public prefix of a well-formed key, or None when ``key`` cannot be one of ours."""
    if not key.startswith(KEY_MARKER) or len(key) < _PREFIX_LENGTH + 2 or key[_PREFIX_LENGTH] != "_":
        return None
    return key[:_PREFIX_LENGTH]


def check_role(role: str, location: str = "role") -> Role:
    if role not in ("admin", "editor", "viewer"):
        raise InvalidInput.single(location, f"{role!r} is not a role", "admin, editor or viewer")
    return role  # type: ignore[return-value]


def create_api_key(
    session: Session, name: str, role: str, organization_ids: list[int] | None = None
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored or shown again."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 100:
        raise InvalidInput.single("name", "must be 1 to 100 characters", "a short label such as 'reporting script'")
    check_role(role)
    scope = check_organizations_exist(session, organization_ids or [], "organization_ids")
    key = f"{KEY_MARKER}{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"
    api_key = ApiKey(name=cleaned, role=role, key_prefix=key_prefix(key), key_hash=hash_key(key))
    session.add(api_key)
    session.flush()
    set_scope(session, KEY_SCOPE, api_key.id, scope)
    return api_key, key


def list_api_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def find_api_key(session: Session, id_or_prefix: str | int) -> ApiKey:
    text = str(id_or_prefix).strip()
    found = session.get(ApiKey, int(text)) if text.isdigit() else None
    if found is None:
        found = session.scalar(select(ApiKey).where(ApiKey.key_prefix == text))
    if found is None:
        raise NotFound(f"no API key with id or prefix {text!r} (see `qbr keys list`)")
    return found


def revoke_api_key(session: Session, id_or_prefix: str | int) -> ApiKey:
    api_key = find_api_key(session, id_or_prefix)
    if api_key.revoked_at is not None:
        raise Conflict(f"API key {api_key.key_prefix} ({api_key.name!r}) was already revoked")
    api_key.revoked_at = datetime.now(UTC)
    session.flush()
    return api_key


def check_api_key(session: Session, key: str) -> CheckedKey | None:
    """The active key matching ``key`` as the caller it makes, or None; one statement, and it only reads (the
    caller records the use, ``record_key_use``). Revocation counts at once: the row is read on every call."""
    prefix = key_prefix(key)
    rows = session.connection().execute(_KEY_BY_PREFIX, {"prefix": prefix}).all() if prefix else []
    return _checked(rows, key)


def check_api_key_flagged(
    session: Session, key: str, flag: ColumnElement[bool], parameters: Mapping[str, Any]
) -> tuple[CheckedKey | None, bool]:
    """``check_api_key`` and the value of ``flag`` (a condition on other tables, executed with ``parameters``:
    recent failures of this client) in the same single statement, so that the usual request spends one round
    trip on its credentials."""
    statement = _flagged_key_statement(flag)
    rows = session.connection().execute(statement, {**parameters, "prefix": key_prefix(key)}).all()
    flagged = bool(rows[0].flag)
    return _checked([row for row in rows if row.id is not None], key), flagged


@lru_cache(maxsize=4)
def _flagged_key_statement(flag: ColumnElement[bool]) -> Select[Any]:
    # Built once per flag (a constant condition with bound parameters): building a statement costs more than
    # running this one.
    key_rows = _KEY_BY_PREFIX.subquery("key_rows")
    return select(flag.label("flag"), *key_rows.c).select_from(_ANCHOR.outerjoin(key_rows, true()))


def _checked(rows: Sequence[Any], key: str) -> CheckedKey | None:
    found = rows[0] if rows else None
    # Compare in constant time, and compare something even for an unknown prefix.
    matches = hmac.compare_digest(found.key_hash if found else _DUMMY_HASH, hash_key(key))
    if found is None or not matches or found.revoked_at is not None:
        return None
    scope = frozenset(row.organization_id for row in rows if row.organization_id is not None)
    principal = Principal("api_key", found.id, found.name, check_role(found.role), scope or None)
    return CheckedKey(principal, found.last_used_at)


def key_use_due(last_used: datetime | None, now: datetime) -> bool:
    """Whether a use of a key last recorded at ``last_used`` should be recorded (at most once per
    LAST_USED_PRECISION)."""
    return last_used is None or now - _aware(last_used) >= LAST_USED_PRECISION


def record_key_use(session: Session, api_key_id: int, now: datetime) -> None:
    """Record a use of the key with one conditional UPDATE, which concurrent requests may all run.

    Run it first in a transaction of its own, never after reads in the same one: SQLite cannot turn a transaction
    that has read into one that writes once another connection has written meanwhile (it fails at once, whatever
    the busy timeout), and concurrent requests with the same key do exactly that. A transaction that starts with
    the write waits for the lock instead.
    """
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == api_key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at <= now - LAST_USED_PRECISION),
        )
        .values(last_used_at=now)
    )


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
