"""What every OAuth 2.0 connect flow shares: the ``state`` that ties a callback to the
browser session that started it, PKCE (RFC 7636), and the network's words when it sends
the person back without a code.

The state and the PKCE verifier live only in the person's session (server side), never
in a URL Harken hands out, so a callback someone else started is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping

from harken.networks.base import ConnectorError

#: Bytes of randomness in ``state`` and in the PKCE verifier (RFC 7636 asks for >= 32).
RANDOM_BYTES = 32


def new_state() -> str:
    return secrets.token_urlsafe(RANDOM_BYTES)


def check_state(expected: str | None, given: str | None) -> None:
    """Refuse a callback whose ``state`` is not the one this session started with (a
    forged one may hold any characters: compared as bytes, it is refused, not a 500)."""
    if not expected or not given or not secrets.compare_digest(expected.encode(), given.encode()):
        raise ConnectorError(
            "This sign-in link expired or was not started here; connect again.", permanent=True
        )


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``(verifier, S256 challenge)``: the verifier is 43 characters of the
    unreserved set, the challenge its SHA-256 in unpadded base64url (RFC 7636 §4)."""
    verifier = secrets.token_urlsafe(RANDOM_BYTES)
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_consent(network: str, query: Mapping[str, str]) -> str:
    """The ``code`` of a callback, or the network's reason for sending the person back
    without one (``error=access_denied`` when they pressed Cancel)."""
    error = query.get("error", "")
    if error == "access_denied":
        raise ConnectorError(
            f"Access was not granted on {network}, so nothing was connected.", permanent=True
        )
    if error:
        words = query.get("error_description") or error
        raise ConnectorError(f"{network} did not connect the account: {words}", permanent=True)
    code = query.get("code", "")
    if not code:
        raise ConnectorError(
            f"{network} sent no authorization code; connect again.", permanent=True
        )
    return code
