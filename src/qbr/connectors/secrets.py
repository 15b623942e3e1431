"""Encrypting connector secrets at rest with Fernet, under a key derived from ``QBR_SECRET_KEY``.

HKDF turns the configured secret (any length, high entropy in production) into the 32-byte key Fernet needs;
the fixed salt and info bind the key to this one purpose, so the same secret can sign sessions elsewhere.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from qbr.core.settings import get_settings

_SALT = b"qbr-dashboard/connector-settings"
_INFO = b"fernet-v1"


class UndecryptableSecret(ValueError):
    """The stored value was encrypted under a different QBR_SECRET_KEY (or is damaged)."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str, *, secret_key: str | None = None) -> str:
    return _fernet(secret_key or get_settings().secret_key).encrypt(value.encode()).decode()


def decrypt(token: str, *, secret_key: str | None = None) -> str:
    try:
        return _fernet(secret_key or get_settings().secret_key).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret("encrypted under a different QBR_SECRET_KEY, or damaged") from exc
