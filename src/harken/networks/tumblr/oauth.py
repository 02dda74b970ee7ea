"""Tumblr's OAuth 2.0 (www.tumblr.com/docs/en/api/v2 › Authentication › OAuth 2.0): the
authorization code, exchanged with the app's secret; ``offline_access`` brings a refresh
token. Access tokens live about 42 minutes; the refresh token is spent by a renewal and
a new one comes with the answer, so renewals go through ``harken.networks.renewal``
(one renewal across all workers).

The installation registers one app on tumblr.com/oauth/apps (``HARKEN_TUMBLR_CLIENT_ID``
/ ``HARKEN_TUMBLR_CLIENT_SECRET``) with Harken's callback as its OAuth2 redirect URL.
The ``TUMBLR_AUTHORIZE_URL`` and ``TUMBLR_API_URL`` settings point elsewhere in tests.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.oauth2 import exchange

AUTHORIZE_URL = "https://www.tumblr.com/oauth2/authorize"
API_URL = "https://api.tumblr.com"
CLIENT_ID = "HARKEN_TUMBLR_CLIENT_ID"
CLIENT_SECRET = "HARKEN_TUMBLR_CLIENT_SECRET"  # noqa: S105 - the variable's name
#: Read the person's blogs (basic), post and answer (write), a refresh token.
SCOPES = ("basic", "write", "offline_access")


def client_id() -> str:
    return env_secret(CLIENT_ID).strip()


def client_secret() -> str:
    return env_secret(CLIENT_SECRET).strip()


def configured() -> bool:
    return bool(client_id() and client_secret())


def api_url() -> str:
    return str(getattr(settings, "TUMBLR_API_URL", API_URL)).rstrip("/")


def authorize_url(redirect_uri: str, state: str) -> str:
    base = getattr(settings, "TUMBLR_AUTHORIZE_URL", AUTHORIZE_URL)
    query = {
        "client_id": client_id(),
        "response_type": "code",
        "scope": " ".join(SCOPES),
        "state": state,
        "redirect_uri": redirect_uri,
    }
    return f"{base}?{urlencode(query)}"


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return _token_request(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        "Tumblr refused the sign-in",
    )


def renew(refresh_token: str) -> dict[str, Any]:
    tokens = _token_request(
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        "Tumblr refused to renew the blog's sign-in; reconnect it",
    )
    tokens["refresh_token"] = tokens["refresh_token"] or refresh_token
    return tokens


def _token_request(form: dict[str, str], refused: str) -> dict[str, Any]:
    if not configured():
        raise ConnectorError(
            f"Connecting Tumblr needs this installation's Tumblr app: set {CLIENT_ID} and "
            f"{CLIENT_SECRET}.",
            permanent=True,
        )
    return exchange(
        f"{api_url()}/v2/oauth2/token",
        {**form, "client_id": client_id(), "client_secret": client_secret()},
        refused=refused,
    )
