"""LinkedIn's OAuth 2.0 three-legged flow (learn.microsoft.com › LinkedIn › Authorization
Code Flow), for a member who administers an organization page.

Access tokens live 60 days. Refresh tokens (a year) come only to apps LinkedIn enabled
for them (Community Management API partners); with one, Harken renews before expiry;
without one, the owners get an e-mail a week before the token ends
(``harken.networks.linkedin.expiry``) and the page must be connected again.

The ``LINKEDIN_OAUTH_URL`` and ``LINKEDIN_API_URL`` settings point elsewhere in tests.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.oauth2 import exchange

OAUTH_URL = "https://www.linkedin.com/oauth/v2"
CLIENT_ID = "HARKEN_LINKEDIN_CLIENT_ID"
CLIENT_SECRET = "HARKEN_LINKEDIN_CLIENT_SECRET"  # noqa: S105 - the variable's name
#: Read the page's posts and comments, post and comment as the page, and list the pages
#: the member administers with their follower statistics.
SCOPES = ("r_organization_social", "w_organization_social", "rw_organization_admin")


def client_id() -> str:
    return env_secret(CLIENT_ID).strip()


def client_secret() -> str:
    return env_secret(CLIENT_SECRET).strip()


def configured() -> bool:
    return bool(client_id() and client_secret())


def oauth_url() -> str:
    return str(getattr(settings, "LINKEDIN_OAUTH_URL", OAUTH_URL)).rstrip("/")


def authorize_url(redirect_uri: str, state: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id(),
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": " ".join(SCOPES),
    }
    return f"{oauth_url()}/authorization?{urlencode(query)}"


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return _token_request(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        "LinkedIn refused the sign-in",
    )


def renew(refresh_token: str) -> dict[str, Any]:
    tokens = _token_request(
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        "LinkedIn refused to renew the page's sign-in; reconnect it",
    )
    tokens["refresh_token"] = tokens["refresh_token"] or refresh_token
    return tokens


def _token_request(form: dict[str, str], refused: str) -> dict[str, Any]:
    if not configured():
        raise ConnectorError(
            f"Connecting LinkedIn needs this installation's LinkedIn app: set {CLIENT_ID} and "
            f"{CLIENT_SECRET}.",
            permanent=True,
        )
    return exchange(
        f"{oauth_url()}/accessToken",
        {**form, "client_id": client_id(), "client_secret": client_secret()},
        refused=refused,
    )
