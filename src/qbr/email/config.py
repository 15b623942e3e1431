"""The SMTP settings in force: values stored in the database (the password encrypted like connector secrets)
win over the ``QBR_SMTP_*`` environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Literal, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from qbr.connectors.secrets import UndecryptableSecret, decrypt, encrypt
from qbr.core.settings import Settings
from qbr.email.models import EmailSetting
from qbr.errors import InvalidInput

Security = Literal["none", "starttls", "tls"]
SECURITIES: tuple[Security, ...] = ("none", "starttls", "tls")
# Setting keys as `qbr email config set` takes them; the password is the one secret.
KEYS = ("host", "port", "username", "password", "security", "from")
SECRET_KEYS = frozenset({"password"})


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    security: Security
    from_address: str
    timeout: float

    @property
    def sender_domain(self) -> str:
        return parseaddr(self.from_address)[1].rpartition("@")[2] or "localhost"


def _stored(session: Session, settings: Settings) -> dict[str, str]:
    values: dict[str, str] = {}
    for row in session.scalars(select(EmailSetting)):
        if row.is_secret:
            try:
                values[row.setting_key] = decrypt(row.setting_value, secret_key=settings.secret_key)
            except UndecryptableSecret as exc:
                raise InvalidInput.single(
                    f"stored SMTP setting {row.setting_key}", str(exc), "store it again with `qbr email config set`"
                ) from exc
        else:
            values[row.setting_key] = row.setting_value
    return values


def effective_values(session: Session, settings: Settings) -> dict[str, tuple[str | None, str]]:
    """Each key's value and where it comes from (``database``, ``environment`` or ``default``)."""
    environment: dict[str, str | None] = {
        "host": settings.smtp_host,
        "port": str(settings.smtp_port),
        "username": settings.smtp_username,
        "password": settings.smtp_password,
        "security": settings.smtp_security,
        "from": settings.smtp_from,
    }
    stored = _stored(session, settings)
    result: dict[str, tuple[str | None, str]] = {}
    for key in KEYS:
        if key in stored:
            result[key] = (stored[key], "database")
        else:
            result[key] = (environment[key], "environment" if environment[key] is not None else "default")
    return result


def smtp_config(session: Session, settings: Settings) -> SmtpConfig:
    """The complete SMTP configuration, or a clear error naming what is missing."""
    values = {key: value for key, (value, _) in effective_values(session, settings).items()}
    missing = [f"QBR_SMTP_{key.upper()}" for key in ("host", "from") if not values[key]]
    if missing:
        raise InvalidInput.single(
            "SMTP settings",
            f"{' and '.join(missing)} not set",
            "the environment variables, or `qbr email config set host=… from=…`",
        )
    return SmtpConfig(
        host=str(values["host"]),
        port=int(values["port"] or 587),
        username=values["username"] or None,
        password=values["password"] or None,
        security=cast(Security, values["security"] or "starttls"),
        from_address=str(values["from"]),
        timeout=settings.smtp_timeout_seconds,
    )


def _checked(key: str, value: str) -> str:
    if key not in KEYS:
        raise InvalidInput.single(key, "is not an SMTP setting", ", ".join(KEYS))
    if key == "port" and not (value.isdigit() and 1 <= int(value) <= 65535):
        raise InvalidInput.single("port", f"{value!r} is not a TCP port", "a number from 1 to 65535")
    if key == "security" and value not in SECURITIES:
        raise InvalidInput.single("security", f"{value!r} is not a security mode", ", ".join(SECURITIES))
    if key == "from":
        name, address = parseaddr(value)
        if "@" not in address:
            raise InvalidInput.single("from", f"{value!r} is not an e-mail address", "Name <qbr@example.com>")
        Address(display_name=name, addr_spec=address)  # refuses what the message could not carry
    return value


def store_smtp_settings(session: Session, settings: Settings, values: dict[str, str]) -> None:
    """Store the given settings (all checked first: nothing is stored if one is wrong)."""
    checked = {key: _checked(key, value.strip()) for key, value in values.items()}
    for key, value in checked.items():
        row = session.scalar(select(EmailSetting).where(EmailSetting.setting_key == key))
        if row is None:
            row = EmailSetting(setting_key=key, setting_value="", updated_at=datetime.now(UTC))
            session.add(row)
        row.is_secret = key in SECRET_KEYS
        row.setting_value = encrypt(value, secret_key=settings.secret_key) if row.is_secret else value
        row.updated_at = datetime.now(UTC)
    session.flush()


def unset_smtp_settings(session: Session, keys: list[str]) -> None:
    unknown = [key for key in keys if key not in KEYS]
    if unknown:
        raise InvalidInput.single(", ".join(unknown), "is not an SMTP setting", ", ".join(KEYS))
    session.execute(delete(EmailSetting).where(EmailSetting.setting_key.in_(keys)))
