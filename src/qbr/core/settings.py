"""One settings object for the whole product, read from ``QBR_*`` environment variables and a ``.env`` file."""

from __future__ import annotations

import math
import zlib
from collections import Counter
from functools import lru_cache
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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

    model_config = SettingsConfigDict(env_prefix="QBR_", env_file=".env", extra="ignore")

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

    @field_validator("database_url", "database_read_url")
    @classmethod
    def _normalize_url(cls, value: str) -> str:
        return normalize_database_url(value.strip())

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
