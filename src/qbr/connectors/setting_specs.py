"""How a connector setting is described (name, environment variable, default, secrecy) and validated; each vendor
package lists its own."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

ACCOUNT_PREFIX = "account:"


def url_value(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("is not an http(s) URL")
    return value.rstrip("/")


def word_list(value: str) -> str:
    """A comma-separated list, tidied; may be empty (the setting's description says what empty means)."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    return ", ".join(dict.fromkeys(items))


def nonempty_word_list(value: str) -> str:
    tidy = word_list(value)
    if not tidy:
        raise ValueError("is empty")
    return tidy


def text_value(value: str) -> str:
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
    normalize: Callable[[str], str] = text_value
    accepted: str = "text"

    def env_var(self, source: str) -> str:
        return env_var(source, self.key)


def env_var(source: str, key: str) -> str:
    """``QBR_<SOURCE>_<KEY>``: the environment variable of one setting of one source."""
    return f"QBR_{source.upper()}_{key.upper()}"


URL_ACCEPTED = "an http(s) URL"
LIST_ACCEPTED = "a comma-separated list"
