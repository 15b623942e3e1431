"""One settings object for the whole product, read from ``QBR_*`` environment variables and a ``.env`` file."""

from __future__ import annotations

import math
import os
import zlib
from collections import Counter
from functools import lru_cache
from typing import Literal

from dotenv import dotenv_values
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "QBR_"
ENV_FILE = ".env"  # in the working directory; the process environment wins over it
DEFAULT_DATABASE_URL = "sqlite:///qbr.db"
# Known only so that development works out of the box; refused outside development.
DEVELOPMENT_SECRET_KEY = "qbr-development-secret-key-change-me"  # noqa: S105


# A production key must look random: 32+ characters, many different ones, no pattern that compresses away.
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 10
MIN_SECRET_BITS = 90.0
KEY_ADVICE = (
    "QBR_SECRET_KEY must be a random value of at least 32 characters in production "
    "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
)


def secret_key_weakness(key: str) -> str | None:
    """Why ``key`` is too weak to sign sessions and encrypt secrets in production, or None when it looks random.

    Character-frequency entropy and compressibility catch ``aaaa…``, ``abcabc…`` and short alphabets; a random
    key of the advised kind (or 32+ hex digits) passes easily.
    """
    if key == DEVELOPMENT_SECRET_KEY:
        return "it is the development placeholder"
    if len(key) < MIN_SECRET_LENGTH:
        return f"it is {len(key)} characters long"
    counts = Counter(key)
    bits = max(0.0, -sum(n * math.log2(n / len(key)) for n in counts.values()))
    if len(counts) < MIN_SECRET_DISTINCT or bits < MIN_SECRET_BITS:
        return f"it uses only {len(counts)} different characters (about {bits:.0f} bits)"
    repeats = any(key == (key[:period] * len(key))[: len(key)] for period in range(1, len(key) // 2 + 1))
    if repeats or len(zlib.compress(key.encode(), 9)) < 0.6 * len(key.encode()):
        return "it repeats a pattern"
    return None


def settings_error_text(error: ValidationError) -> str:
    """A ValidationError of the settings as one line per problem, naming the variable (``QBR_SECRET_KEY: …``)."""
    lines = []
    for problem in error.errors():
        where = "_".join(str(part) for part in problem["loc"]).upper()
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"QBR_{where}: {message}" if where else message)
    return "invalid settings: " + "; ".join(lines)


def normalize_database_url(url: str) -> str:
    """Map the URLs people write to the drivers we ship (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every setting of the product; each field is documented in README.md."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=ENV_FILE, extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = Field(default=DEVELOPMENT_SECRET_KEY, repr=False)
    business_timezone: str = "UTC"
    period_grace_days: int = Field(default=5, ge=0, le=90)
    # Periods are accepted from 2000-01 to December of this year plus this many years (see periods.calendar).
    period_years_ahead: int = Field(default=1, ge=0, le=10)
    msp_name: str = "Your MSP"
    msp_logo_path: str | None = None
    # Failed sign-ins or bad API keys one client may make per window before it is refused with 429.
    auth_failure_limit: int = Field(default=10, ge=1, le=10_000)
    auth_failure_window_seconds: int = Field(default=300, ge=1, le=86_400)
    # The API description (/docs, /openapi.json) needs credentials like every other route unless made public.
    public_api_docs: bool = False
    # A dashboard session ends after this many hours without a page load (the cookie is renewed on each one).
    session_hours: int = Field(default=8, ge=1, le=24 * 30)
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For / -Proto `qbr serve` believes; empty: none.
    trusted_proxies: str = ""
    # An optional PostgreSQL streaming replica for read-only requests (see docs/scaling.md); empty: none.
    database_read_url: str = ""
    # After a request writes, that client's reads go to the primary for this many seconds (read-your-writes).
    read_your_writes_seconds: float = Field(default=5.0, ge=0, le=3600)
    # The in-process cache of built views and rendered reports (per worker): at most this many entries and MB.
    view_cache_entries: int = Field(default=512, ge=0, le=1_000_000)
    view_cache_megabytes: int = Field(default=64, ge=0, le=65_536)
    # Where people reach the dashboard from outside: the base of share links and of the links in e-mails.
    public_url: str = "http://127.0.0.1:8000"
    # Outgoing e-mail (values stored with `qbr email config set` win over these).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = Field(default=None, repr=False)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_from: str | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # What a QBR e-mail carries by default: the PDF report attached, the share link in the body, or both.
    email_attach_pdf: bool = True
    email_include_link: bool = True
    email_max_attempts: int = Field(default=5, ge=1, le=20)
    email_backoff_seconds: float = Field(default=60.0, ge=0, le=86_400)
    # How often `qbr serve` sends what the e-mail schedules ask for (0: never; `qbr email run-due` still does).
    email_check_minutes: int = Field(default=10, ge=0, le=24 * 60)
    # A message being sent for longer than this belongs to a sender that died; it is then sent again.
    email_claim_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # Vendor requests of the connectors: how long one may take, how often it is retried, the first retry's wait.
    connector_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    connector_retries: int = Field(default=4, ge=0, le=10)
    connector_backoff_seconds: float = Field(default=0.5, ge=0, le=60)
    # HH:MM in the business time zone when `qbr serve` runs the daily sync; unset: no daily sync in the server.
    sync_daily_at: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _normalize_url(cls, value: str) -> str:
        return normalize_database_url(value.strip())

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an absolute http(s) URL, e.g. https://qbr.example.com")
        return value.rstrip("/")

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'America/New_York'") from exc
        return value

    @model_validator(mode="after")
    def _no_weak_secret_in_production(self) -> Settings:
        if self.environment == "production":
            weakness = secret_key_weakness(self.secret_key)
            if weakness is not None:
                raise ValueError(f"{KEY_ADVICE}; the one given is refused: {weakness}")
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def environment_variables() -> dict[str, str]:
    """Every QBR_* variable, from ``.env`` and the process environment (which wins), as :class:`Settings` reads
    them: the connectors' per-source settings (QBR_<SOURCE>_<KEY>) are not fields of it, so they are looked up
    here."""
    from_file = {k: v for k, v in dotenv_values(ENV_FILE).items() if v is not None and k.startswith(ENV_PREFIX)}
    return from_file | {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
