"""Encryption of secrets at rest (tokens, passwords) with Fernet.

Keys come from ``settings.ENCRYPTION_KEYS``, newest first: MultiFernet decrypts with any
of them and encrypts with the first, so a key can be rotated without losing data.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@cache
def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.ENCRYPTION_KEYS])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "HARKEN_ENCRYPTION_KEYS holds a key that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from None


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted: HARKEN_ENCRYPTION_KEYS lacks the key it was "
            "encrypted with."
        ) from None


def encrypt_json(value: Any) -> str:
    return encrypt(json.dumps(value, separators=(",", ":")))


def decrypt_json(token: str) -> Any:
    return json.loads(decrypt(token))
