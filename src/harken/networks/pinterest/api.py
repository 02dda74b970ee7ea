"""Pinterest's REST API v5 over ``harken.lib.http``, and its OAuth 2.0.

The installation registers one app on developers.pinterest.com (``HARKEN_PINTEREST_APP_ID``
/ ``HARKEN_PINTEREST_APP_SECRET``) with Harken's callback as a redirect URI. The code is
exchanged at ``/v5/oauth/token`` with the app's id and secret as HTTP Basic credentials;
access tokens live 30 days and are renewed with the refresh token a week before.

Pinterest's errors (``{"code", "message"}``) become ``ConnectorError`` in its words: 401
reconnect needed, 403 a permission (permanent), 429 its rate limit (``harken.lib.http``
waits out ``Retry-After`` and the ``X-RateLimit-*`` headers, then a transient error), a
4xx on a write the content refused. ``PINTEREST_AUTHORIZE_URL`` and ``PINTEREST_API_URL``
point the calls elsewhere in tests.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

from harken.networks.bearer import BearerApi, Refusals
from harken.networks.oauth2 import OAuthApp

APP = OAuthApp(
    network="Pinterest",
    id_variable="HARKEN_PINTEREST_APP_ID",
    secret_variable="HARKEN_PINTEREST_APP_SECRET",  # noqa: S106 - the variable's name
    authorize="https://www.pinterest.com/oauth/",
    authorize_setting="PINTEREST_AUTHORIZE_URL",
    #: Read the account and its boards and pins (with their analytics), create pins.
    scopes=("user_accounts:read", "boards:read", "pins:read", "pins:write"),
    basic_auth=True,
)
APP_ID = APP.id_variable
APP_SECRET = APP.secret_variable
API_URL = "https://api.pinterest.com"
TIMEOUT = 30.0
#: Renew the 30-day access token this long before it ends.
RENEW_BEFORE = 7 * 24 * 3600
configured = APP.configured
authorize_url = APP.authorize_url


def api_url() -> str:
    return str(getattr(settings, "PINTEREST_API_URL", API_URL)).rstrip("/")


def token_url() -> str:
    return f"{api_url()}/v5/oauth/token"


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return APP.exchange_code(token_url(), code, redirect_uri)


def renew(refresh_token: str) -> dict[str, Any]:
    return APP.renew(token_url(), refresh_token)


def request(
    token: str, method: str, path: str, params: Any = None, json: Any = None
) -> dict[str, Any]:
    """One call; reads are retried, a write is sent once (``harken.networks.bearer``)."""
    url = f"{api_url()}/v5/{path.lstrip('/')}"
    return API.send(token, method, url, params=params, json=json)[1]


def pinterest_words(response: httpx.Response, body: dict[str, Any]) -> str:
    """Pinterest's ``message`` with its ``code``, else the status line."""
    message = str(body.get("message") or "").strip()
    code = body.get("code")
    if not message:
        return f"HTTP {response.status_code} {response.reason_phrase}"
    return f"{message} (code {code})" if code is not None else message


API = BearerApi(
    Refusals(
        "Pinterest",
        permission="Analytics need a business account; posting needs the app's Standard "
        "access (docs/connecting-pinterest.md).",
    ),
    words=pinterest_words,
    timeout=TIMEOUT,
)
