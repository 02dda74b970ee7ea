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

from django.conf import settings

from harken.networks.oauth2 import OAuthApp

OAUTH_URL = "https://www.linkedin.com/oauth/v2"
APP = OAuthApp(
    network="LinkedIn",
    id_variable="HARKEN_LINKEDIN_CLIENT_ID",
    secret_variable="HARKEN_LINKEDIN_CLIENT_SECRET",  # noqa: S106 - the variable's name
    authorize=OAUTH_URL,
    authorize_setting="LINKEDIN_OAUTH_URL",
    authorize_path="/authorization",
    #: Read the page's posts and comments, post and comment as the page, and list the
    #: pages the member administers with their follower statistics.
    scopes=("r_organization_social", "w_organization_social", "rw_organization_admin"),
    scope_separator=" ",
    signed="page",
)
CLIENT_ID = APP.id_variable
CLIENT_SECRET = APP.secret_variable
configured = APP.configured
authorize_url = APP.authorize_url


def oauth_url() -> str:
    return str(getattr(settings, "LINKEDIN_OAUTH_URL", OAUTH_URL)).rstrip("/")


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return APP.exchange_code(f"{oauth_url()}/accessToken", code, redirect_uri)


def renew(refresh_token: str) -> dict[str, Any]:
    return APP.renew(f"{oauth_url()}/accessToken", refresh_token)
