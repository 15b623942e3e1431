"""What each connector's settings are: names, environment variables, defaults, secrecy and validation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from qbr.errors import InvalidInput

CONNECTWISE, NINJAONE, QUICKBOOKS = "ConnectWise", "NinjaOne", "QuickBooks"
SOURCES = (CONNECTWISE, NINJAONE, QUICKBOOKS)
ACCOUNT_PREFIX = "account:"


def source_system(name: str) -> str:
    """``connectwise`` / ``NinjaOne`` / ``QUICKBOOKS`` … → the stored source_system value."""
    for source in SOURCES:
        if name.strip().casefold() == source.casefold():
            return source
    raise InvalidInput.single("SOURCE", f"{name!r} is not a connector", "connectwise, ninjaone or quickbooks")


# --- what each source's settings are ------------------------------------------------------------------------------


def _url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("is not an http(s) URL")
    return value.rstrip("/")


def _word_list(value: str) -> str:
    """A comma-separated list, tidied; may be empty (the setting's description says what empty means)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    return ", ".join(dict.fromkeys(items))


def _nonempty_word_list(value: str) -> str:
    tidy = _word_list(value)
    if not tidy:
        raise ValueError("is empty")
    return tidy


def _node_classes(value: str) -> str:
    items = [item.strip().upper() for item in value.split(",") if item.strip()]
    bad = [item for item in items if not re.fullmatch(r"[A-Z0-9_*]+", item)]
    if bad:
        raise ValueError(f"{', '.join(bad)} are not node classes")
    if not items:
        raise ValueError("is empty")
    return ", ".join(dict.fromkeys(items))


def _accounting_method(value: str) -> str:
    for method in ("Accrual", "Cash"):
        if value.strip().casefold() == method.casefold():
            return method
    raise ValueError("is neither Accrual nor Cash")


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


@dataclass(frozen=True)
class SettingSpec:
    key: str
    description: str
    required: bool = False
    secret: bool = False
    default: str | None = None
    normalize: Callable[[str], str] = _text
    accepted: str = "text"

    def env_var(self, source: str) -> str:
        return f"QBR_{source.upper()}_{self.key.upper()}"


ENDPOINT_CLASSES = (
    "WINDOWS_SERVER, WINDOWS_WORKSTATION, LINUX_SERVER, LINUX_WORKSTATION, MAC, MAC_SERVER, VMWARE_VM_HOST, "
    "HYPERV_VMM_HOST"
)
SEAT_CLASSES = "WINDOWS_WORKSTATION, LINUX_WORKSTATION, MAC"
URL_ACCEPTED = "an http(s) URL"
LIST_ACCEPTED = "a comma-separated list"

SPECS: dict[str, tuple[SettingSpec, ...]] = {
    CONNECTWISE: (
        SettingSpec(
            "url",
            "API base, e.g. https://api-na.myconnectwise.net/v4_6_release/apis/3.0",
            True,
            normalize=_url,
            accepted=URL_ACCEPTED,
        ),
        SettingSpec("company_id", "company id used at login", True),
        SettingSpec("public_key", "API member public key", True),
        SettingSpec("private_key", "API member private key", True, secret=True),
        SettingSpec("client_id", "integration clientId (a GUID from developer.connectwise.com)", True),
        SettingSpec(
            "reactive_boards",
            "service boards whose tickets are reactive",
            default="Help Desk",
            normalize=_nonempty_word_list,
            accepted=LIST_ACCEPTED,
        ),
        SettingSpec(
            "closed_statuses",
            "statuses that mean closed (empty: any status ConnectWise flags as closed)",
            default="",
            normalize=_word_list,
            accepted=LIST_ACCEPTED,
        ),
        SettingSpec(
            "agreement_types",
            "agreement types that are managed services (empty: every type)",
            default="",
            normalize=_word_list,
            accepted=LIST_ACCEPTED,
        ),
    ),
    NINJAONE: (
        SettingSpec(
            "url",
            "instance, e.g. https://app.ninjarmm.com (or us2, eu, ca, oc)",
            True,
            normalize=_url,
            accepted=URL_ACCEPTED,
        ),
        SettingSpec("client_id", "API client app id (client credentials)", True),
        SettingSpec("client_secret", "API client app secret", True, secret=True),
        SettingSpec("scope", "OAuth scope", default="monitoring"),
        SettingSpec(
            "endpoint_node_classes",
            "node classes counted as endpoints (* wildcards allowed)",
            default=ENDPOINT_CLASSES,
            normalize=_node_classes,
            accepted="NinjaOne node classes, comma-separated",
        ),
        SettingSpec(
            "seat_node_classes",
            "node classes counted as seats",
            default=SEAT_CLASSES,
            normalize=_node_classes,
            accepted="NinjaOne node classes, comma-separated",
        ),
        SettingSpec(
            "critical_patch_severities",
            "patch severities that break patch compliance when pending or failed",
            default="CRITICAL",
            normalize=_node_classes,
            accepted=LIST_ACCEPTED,
        ),
    ),
    QUICKBOOKS: (
        SettingSpec(
            "url",
            "API base up to /v3 (sandbox: https://sandbox-quickbooks.api.intuit.com/v3)",
            True,
            default="https://quickbooks.api.intuit.com/v3",
            normalize=_url,
            accepted=URL_ACCEPTED,
        ),
        SettingSpec(
            "token_url",
            "OAuth2 token endpoint",
            True,
            default="https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
            normalize=_url,
            accepted=URL_ACCEPTED,
        ),
        SettingSpec("client_id", "app client id", True),
        SettingSpec("client_secret", "app client secret", True, secret=True),
        SettingSpec("realm_id", "company (realm) id", True),
        SettingSpec(
            "refresh_token",
            "OAuth2 refresh token (the first one; rotated tokens are stored automatically)",
            True,
            secret=True,
        ),
        SettingSpec(
            "accounting_method",
            "P&L basis",
            default="Accrual",
            normalize=_accounting_method,
            accepted="Accrual or Cash",
        ),
    ),
}


def spec_for(source: str, key: str) -> SettingSpec | None:
    return next((s for s in SPECS[source] if s.key == key), None)
