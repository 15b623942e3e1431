"""One settings object for the whole product, read from ``QBR_*`` environment variables and a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///qbr.db"
# Known only so that development works out of the box; refused outside development.
DEVELOPMENT_SECRET_KEY = "qbr-development-secret-key-change-me"  # noqa: S105


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

    @field_validator("database_url")
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
    def _no_placeholder_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32
        ):
            raise ValueError(
                "QBR_SECRET_KEY must be set to a random value of at least 32 characters in production "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
