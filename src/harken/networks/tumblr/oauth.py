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

from django.conf import settings

from harken.networks.oauth2 import OAuthApp

APP = OAuthApp(
    network="Tumblr",
    id_variable="HARKEN_TUMBLR_CLIENT_ID",
    secret_variable="HARKEN_TUMBLR_CLIENT_SECRET",  # noqa: S106 - the variable's name
    authorize="https://www.tumblr.com/oauth2/authorize",
    authorize_setting="TUMBLR_AUTHORIZE_URL",
    #: Read the person's blogs (basic), post and answer (write), a refresh token.
    scopes=("basic", "write", "offline_access"),
    scope_separator=" ",
    signed="blog",
)
CLIENT_ID = APP.id_variable
CLIENT_SECRET = APP.secret_variable
API_URL = "https://api.tumblr.com"
configured = APP.configured
authorize_url = APP.authorize_url


def api_url() -> str:
    return str(getattr(settings, "TUMBLR_API_URL", API_URL)).rstrip("/")


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return APP.exchange_code(f"{api_url()}/v2/oauth2/token", code, redirect_uri)


def renew(refresh_token: str) -> dict[str, Any]:
    return APP.renew(f"{api_url()}/v2/oauth2/token", refresh_token)
