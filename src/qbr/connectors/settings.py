"""Connector settings: connection details and mapping rules per source, from ``QBR_<SOURCE>_<KEY>`` environment
variables (or ``.env``, read by the core settings) or stored with ``qbr connectors set``, secrets encrypted at rest.

An environment variable wins over a stored value, so a deployment can pin anything; the one exception is the
QuickBooks refresh token, which rotates: the environment only seeds it, and the newest rotated token (stored) is
used until the environment is given a different seed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qbr.connectors.http import HttpOptions, NotConfigured, RetryPolicy
from qbr.connectors.models import ConnectorSetting
from qbr.connectors.registry import all_connectors, connector_for, listed, package_name
from qbr.connectors.secrets import UndecryptableSecret, decrypt, encrypt
from qbr.connectors.setting_specs import ACCOUNT_PREFIX
from qbr.connectors.setting_specs import env_var as source_env_var
from qbr.core.dialect import dialect_insert
from qbr.core.settings import Settings, environment_variables
from qbr.errors import InvalidInput, Problem
from qbr.metrics.models import MetricDefinition
from qbr.sources import QUICKBOOKS

Origin = Literal["environment", "database", "default", "unset"]
# Bookkeeping rows kept beside the rotating refresh token; not user settings.
_REFRESH_SEED = "refresh_token_seed"
_REFRESH_EXPIRES = "refresh_token_expires_at"


# --- runtime knobs shared by every source --------------------------------------------------------------------------


def http_options(settings: Settings | None = None) -> HttpOptions:
    """Timeouts and retries of vendor requests (QBR_CONNECTOR_*); read when asked, like the settings below, so
    a changed environment applies to the next run."""
    settings = settings or Settings()
    policy = RetryPolicy(
        attempts=settings.connector_retries + 1,
        initial_wait=settings.connector_backoff_seconds,
        max_wait=max(30.0, settings.connector_backoff_seconds),
        timeout=settings.connector_timeout_seconds,
    )
    return HttpOptions(policy=policy)


# --- reading -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingValue:
    key: str
    value: str | None
    origin: Origin
    secret: bool
    env_var: str

    @property
    def shown(self) -> str:
        """The value as it may be displayed: secrets never are."""
        if self.value is None:
            return "(not set)"
        if self.secret:
            return "•••••• (set)"
        return self.value or "(empty)"

    def __repr__(self) -> str:
        # Settings end up in logs and tracebacks; a secret's value must not.
        return f"SettingValue({self.key}={self.shown!r}, origin={self.origin})"


@dataclass(frozen=True)
class SourceSettings:
    source: str
    values: dict[str, SettingValue]
    account_map: dict[str, str] = field(default_factory=dict)  # P&L account name or id → metric name
    refresh_token_expires_at: datetime | None = None

    def get(self, key: str) -> str | None:
        return self.values[key].value

    def require(self, key: str) -> str:
        value = self.values[key].value
        if not value:
            raise self.missing_error([key])
        return value

    def words(self, key: str) -> list[str]:
        value = self.values[key].value or ""
        return [item.strip() for item in value.split(",") if item.strip()]

    @property
    def missing(self) -> list[str]:
        return [s.key for s in connector_for(self.source).settings if s.required and not self.values[s.key].value]

    @property
    def is_configured(self) -> bool:
        return not self.missing

    def require_configured(self) -> None:
        if self.missing:
            raise self.missing_error(self.missing)

    def missing_error(self, keys: Iterable[str]) -> NotConfigured:
        keys = list(keys)
        names = ", ".join(self.values[k].env_var for k in keys)
        return NotConfigured(
            self.source,
            f"not configured: set {names} (or `qbr connectors set {self.source.lower()} "
            f"{' '.join(k + '=…' for k in keys)}`)",
        )


def _seed_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def stored_rows(session: Session, source: str) -> dict[str, ConnectorSetting]:
    rows = session.scalars(select(ConnectorSetting).where(ConnectorSetting.source_system == source))
    return {row.setting_key: row for row in rows}


def _stored_value(row: ConnectorSetting) -> str:
    if not row.is_secret:
        return row.setting_value
    try:
        return decrypt(row.setting_value)
    except UndecryptableSecret as exc:
        raise NotConfigured(
            row.source_system,
            f"the stored {row.setting_key} cannot be decrypted ({exc}); store it again with "
            f"`qbr connectors set {row.source_system.lower()} {row.setting_key}=…`",
        ) from exc


def load_settings(session: Session, source: str, env: Mapping[str, str] | None = None) -> SourceSettings:
    """Every setting of ``source`` with where it came from; secrets decrypted (never display ``value``)."""
    env = environment_variables() if env is None else env
    connector = connector_for(source)
    rows = stored_rows(session, source)
    values: dict[str, SettingValue] = {}
    for spec in connector.settings:
        env_var = spec.env_var(source)
        env_value = env.get(env_var)
        row = rows.get(spec.key)
        value: str | None
        origin: Origin
        if spec.key == "refresh_token" and row is not None:
            seed = rows.get(_REFRESH_SEED)
            fresh_seed = env_value and (seed is None or seed.setting_value != _seed_hash(env_value))
            value, origin = (env_value, "environment") if fresh_seed else (_stored_value(row), "database")
        elif env_value is not None:
            value, origin = env_value, "environment"
        elif row is not None:
            value, origin = _stored_value(row), "database"
        elif spec.default is not None:
            value, origin = spec.default, "default"
        else:
            value, origin = None, "unset"
        if value is not None and origin == "environment":
            try:
                value = spec.normalize(value)
            except ValueError as exc:
                raise InvalidInput.single(env_var, f"{value!r} {exc}", spec.accepted) from exc
        values[spec.key] = SettingValue(spec.key, value, origin, spec.secret, env_var)
    expires = rows.get(_REFRESH_EXPIRES)
    return SourceSettings(
        source,
        values,
        account_map=_account_map(rows, env, source_env_var(source, "account_map")) if connector.maps_accounts else {},
        refresh_token_expires_at=datetime.fromisoformat(expires.setting_value) if expires else None,
    )


def _account_map(rows: Mapping[str, ConnectorSetting], env: Mapping[str, str], env_var: str) -> dict[str, str]:
    mapping = {
        key[len(ACCOUNT_PREFIX) :]: row.setting_value for key, row in rows.items() if key.startswith(ACCOUNT_PREFIX)
    }
    raw = env.get(env_var)
    if raw:
        try:
            parsed = json.loads(raw)
        except ValueError as exc:
            raise InvalidInput.single(env_var, f"is not JSON ({exc})", ACCOUNT_MAP_ACCEPTED) from exc
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise InvalidInput.single(env_var, "is not an object of strings", ACCOUNT_MAP_ACCEPTED)
        mapping |= parsed
    return mapping


ACCOUNT_MAP_ACCEPTED = 'a JSON object, e.g. {"Managed Services": "Monthly Recurring Revenue", "54": "Product Sales"}'


# --- writing -------------------------------------------------------------------------------------------------------


def normalized_key(key: str) -> str:
    """Setting keys are lower case; an account mapping keeps the account's own spelling."""
    key = key.strip()
    if key.lower().startswith(ACCOUNT_PREFIX):
        return ACCOUNT_PREFIX + key[len(ACCOUNT_PREFIX) :].strip()
    return key.lower()


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments (split at the first ``=``) into a dict; keys are lower-cased, account keys kept."""
    assignments: dict[str, str] = {}
    problems: list[Problem] = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            problems.append(Problem(pair, "is not KEY=VALUE", "KEY=VALUE, e.g. url=https://…"))
            continue
        assignments[normalized_key(key)] = value.strip()
    if problems:
        raise InvalidInput("some settings are not KEY=VALUE", problems)
    return assignments


def store_settings(session: Session, source: str, assignments: Mapping[str, str]) -> list[str]:
    """Validate every assignment (all problems at once), then upsert them; returns the keys stored."""
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    now = datetime.now(UTC)
    connector = connector_for(source)
    for key, raw in assignments.items():
        if key.startswith(ACCOUNT_PREFIX):
            stored = _validated_account_mapping(session, source, key, raw, problems)
            if stored is not None:
                rows.append(_row(source, key, stored, secret=False, now=now))
            continue
        spec = connector.setting(key)
        if spec is None:
            known = ", ".join(s.key for s in connector.settings)
            extra = f", or {ACCOUNT_PREFIX}<account name or id>=<metric>" if connector.maps_accounts else ""
            problems.append(Problem(key, f"is not a {source} setting", known + extra))
            continue
        try:
            value = spec.normalize(raw)
        except ValueError as exc:
            problems.append(Problem(key, f"{raw!r} {exc}", spec.accepted))
            continue
        rows.append(_row(source, key, encrypt(value) if spec.secret else value, secret=spec.secret, now=now))
        if key == "refresh_token":
            # An explicitly stored token outranks whatever seed the environment still holds.
            env_seed = environment_variables().get(spec.env_var(source))
            if env_seed:
                rows.append(_row(source, _REFRESH_SEED, _seed_hash(env_seed), secret=False, now=now))
    if problems:
        raise InvalidInput(f"{source} settings refused; nothing was stored", problems)
    _upsert(session, rows)
    return list(assignments)


def unset_settings(session: Session, source: str, keys: Iterable[str]) -> int:
    """Remove stored values (the default or the environment applies again); returns how many were stored."""
    keys = [normalized_key(k) for k in keys]
    connector = connector_for(source)
    unknown = [k for k in keys if not k.startswith(ACCOUNT_PREFIX) and connector.setting(k) is None]
    if unknown:
        known = ", ".join(s.key for s in connector.settings)
        raise InvalidInput(
            f"{source} has no such setting; nothing was removed",
            [Problem(k, "is not a setting", known) for k in unknown],
        )
    if "refresh_token" in keys:
        keys += [_REFRESH_SEED, _REFRESH_EXPIRES]
    result = session.execute(
        delete(ConnectorSetting).where(ConnectorSetting.source_system == source, ConnectorSetting.setting_key.in_(keys))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def save_rotated_refresh_token(
    session: Session, refresh_token: str, expires_in: float | None, *, source: str = QUICKBOOKS
) -> None:
    """Store the newest refresh token of ``source``; the environment's seed is recorded as consumed."""
    now = datetime.now(UTC)
    rows = [_row(source, "refresh_token", encrypt(refresh_token), secret=True, now=now)]
    env_seed = environment_variables().get(source_env_var(source, "refresh_token"))
    if env_seed:
        rows.append(_row(source, _REFRESH_SEED, _seed_hash(env_seed), secret=False, now=now))
    if expires_in is not None:
        expires_at = datetime.fromtimestamp(now.timestamp() + expires_in, UTC)
        rows.append(_row(source, _REFRESH_EXPIRES, expires_at.isoformat(), secret=False, now=now))
    _upsert(session, rows)


def _validated_account_mapping(
    session: Session, source: str, key: str, metric: str, problems: list[Problem]
) -> str | None:
    account = key[len(ACCOUNT_PREFIX) :]
    if not connector_for(source).maps_accounts:
        mappers = listed([package_name(c.source) for c in all_connectors() if c.maps_accounts], "or")
        problems.append(
            Problem(key, f"account mappings belong to {mappers}", f"{mappers} account:<name or id>=<metric>")
        )
        return None
    if not account:
        problems.append(Problem(key, "names no account", "account:<P&L account name or id>=<metric>"))
        return None
    definition = session.scalar(
        select(MetricDefinition).where(func.lower(MetricDefinition.metric_name) == metric.strip().lower())
    )
    if definition is None or definition.unit != "currency":
        problems.append(
            Problem(key, f"{metric!r} is not a currency metric", "a currency metric such as Monthly Recurring Revenue")
        )
        return None
    return definition.metric_name


def _row(source: str, key: str, value: str, *, secret: bool, now: datetime) -> dict[str, object]:
    return {"source_system": source, "setting_key": key, "setting_value": value, "is_secret": secret, "updated_at": now}


def _upsert(session: Session, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    statement = dialect_insert(session, ConnectorSetting).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["source_system", "setting_key"],
            set_={
                "setting_value": statement.excluded.setting_value,
                "is_secret": statement.excluded.is_secret,
                "updated_at": statement.excluded.updated_at,
            },
        )
    )
