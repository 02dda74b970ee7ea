"""Google's OAuth 2.0 for installed and web apps, as YouTube uses it: the authorization
code with PKCE, ``access_type=offline`` for a refresh token, and renewals with it
(developers.google.com/identity/protocols/oauth2/web-server).

The installation registers one OAuth client in a Google Cloud project
(``HARKEN_GOOGLE_CLIENT_ID`` / ``HARKEN_GOOGLE_CLIENT_SECRET``, of type "Web application")
with Harken's callback as an authorized redirect URI. Access tokens live an hour; the
refresh token does not rotate, so a renewal only replaces the access token and is kept by
the caller (``Connector.config_changed``). Google withdraws a refresh token the person
revoked, or one unused for six months, with ``invalid_grant``: reconnect needed.

Token requests go through ``harken.networks.oauth2.exchange``. The ``GOOGLE_AUTHORIZE_URL`` and
``GOOGLE_TOKEN_URL`` settings point them elsewhere (a local server in tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.oauth2 import exchange

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address
CLIENT_ID = "HARKEN_GOOGLE_CLIENT_ID"
CLIENT_SECRET = "HARKEN_GOOGLE_CLIENT_SECRET"  # noqa: S105 - the variable's name


def client_id() -> str:
    return env_secret(CLIENT_ID).strip()


def client_secret() -> str:
    return env_secret(CLIENT_SECRET).strip()


def configured() -> bool:
    """Whether this installation registered a Google OAuth client."""
    return bool(client_id() and client_secret())


def authorize_url(redirect_uri: str, state: str, challenge: str, scopes: Sequence[str]) -> str:
    """Google's consent page. ``prompt=consent`` makes Google hand out a refresh token
    again on a reconnect (it gives one only on the first consent otherwise)."""
    base = getattr(settings, "GOOGLE_AUTHORIZE_URL", AUTHORIZE_URL)
    query = {
        "client_id": client_id(),
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
    }
    return f"{base}?{urlencode(query)}"


def exchange_code(code: str, verifier: str, redirect_uri: str, label: str) -> dict[str, Any]:
    """The callback's ``code`` (with the PKCE verifier) as token config keys."""
    tokens = _token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        f"{label} refused the sign-in",
    )
    if not tokens.get("refresh_token"):
        raise ConnectorError(
            f"Google gave no refresh token, so {label} would stop working within the hour; "
            "remove Harken under myaccount.google.com › Security › Third-party access and "
            "connect again.",
            permanent=True,
        )
    return tokens


def renew(refresh_token: str, label: str) -> dict[str, Any]:
    """A fresh access token from the refresh token (which Google keeps as it is)."""
    tokens = _token_request(
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        f"{label} refused to renew the account's sign-in; reconnect it",
    )
    tokens.setdefault("refresh_token", refresh_token)
    if not tokens["refresh_token"]:
        tokens["refresh_token"] = refresh_token
    return tokens


def _token_request(form: dict[str, str], refused: str) -> dict[str, Any]:
    if not configured():
        raise ConnectorError(
            f"Connecting needs this installation's Google OAuth client: set {CLIENT_ID} and "
            f"{CLIENT_SECRET}.",
            permanent=True,
        )
    return exchange(
        getattr(settings, "GOOGLE_TOKEN_URL", TOKEN_URL),
        {**form, "client_id": client_id(), "client_secret": client_secret()},
        refused=refused,
        words=google_words,
    )


def google_words(response: Any, body: dict[str, Any]) -> str:
    """Google's reason: an OAuth ``error_description (error)``, an API error's
    ``message`` with its ``reason``, else the status line."""
    error = body.get("error")
    if isinstance(error, dict):
        reasons = [str(e.get("reason")) for e in error.get("errors") or [] if isinstance(e, dict)]
        message = str(error.get("message") or "").strip()
        why = ", ".join(r for r in reasons if r and r != "None") or str(error.get("status") or "")
        if message:
            return f"{message} ({why})" if why else message
    description = str(body.get("error_description") or "")
    if description and error:
        return f"{description} ({error})"
    return (
        description or str(error or "") or f"HTTP {response.status_code} {response.reason_phrase}"
    )
