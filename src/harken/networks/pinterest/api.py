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

import base64
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from harken.lib import http
from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.oauth2 import exchange

AUTHORIZE_URL = "https://www.pinterest.com/oauth/"
API_URL = "https://api.pinterest.com"
APP_ID = "HARKEN_PINTEREST_APP_ID"
APP_SECRET = "HARKEN_PINTEREST_APP_SECRET"  # noqa: S105 - the variable's name
#: Read the account and its boards and pins (with their analytics), create pins.
SCOPES = ("user_accounts:read", "boards:read", "pins:read", "pins:write")
TIMEOUT = 30.0
READ_ATTEMPTS = 3
#: Renew the 30-day access token this long before it ends.
RENEW_BEFORE = 7 * 24 * 3600


def app_id() -> str:
    return env_secret(APP_ID).strip()


def app_secret() -> str:
    return env_secret(APP_SECRET).strip()


def configured() -> bool:
    return bool(app_id() and app_secret())


def api_url() -> str:
    return str(getattr(settings, "PINTEREST_API_URL", API_URL)).rstrip("/")


def authorize_url(redirect_uri: str, state: str) -> str:
    base = getattr(settings, "PINTEREST_AUTHORIZE_URL", AUTHORIZE_URL)
    query = {
        "client_id": app_id(),
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": ",".join(SCOPES),
        "state": state,
    }
    return f"{base}?{urlencode(query)}"


def _token_request(form: dict[str, str], refused: str) -> dict[str, Any]:
    if not configured():
        raise ConnectorError(
            f"Connecting Pinterest needs this installation's Pinterest app: set {APP_ID} and "
            f"{APP_SECRET}.",
            permanent=True,
        )
    basic = base64.b64encode(f"{app_id()}:{app_secret()}".encode()).decode("ascii")
    return exchange(
        f"{api_url()}/v5/oauth/token",
        form,
        refused=refused,
        headers={"Authorization": f"Basic {basic}"},
    )


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return _token_request(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        "Pinterest refused the sign-in",
    )


def renew(refresh_token: str) -> dict[str, Any]:
    tokens = _token_request(
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        "Pinterest refused to renew the account's sign-in; reconnect it",
    )
    tokens["refresh_token"] = tokens["refresh_token"] or refresh_token
    return tokens


def request(
    token: str, method: str, path: str, params: Any = None, json: Any = None
) -> dict[str, Any]:
    """One call; reads are retried by ``harken.lib.http``, a write is sent once."""
    write = method != "GET"
    response = http.request(
        method,
        f"{api_url()}/v5/{path.lstrip('/')}",
        params=params,
        json=json,
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
        raise_for_status=False,
        attempts=1 if write else READ_ATTEMPTS,
    )
    body = json_body(response)
    if response.status_code >= 400:
        raise pinterest_error(response, body, write)
    return body


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def pinterest_error(response: httpx.Response, body: dict[str, Any], write: bool) -> ConnectorError:
    status = response.status_code
    message = str(body.get("message") or "").strip()
    code = body.get("code")
    said = message or f"HTTP {status} {response.reason_phrase}"
    said = f"{said} (code {code})" if code is not None and message else said
    if status == 401:
        return ConnectorError(
            f"Pinterest refused the account's sign-in; reconnect it. Pinterest said: {said}",
            permanent=True,
        )
    if status == 403:
        return ConnectorError(
            f"Pinterest did not allow Harken this: {said}. Analytics need a business account; "
            "posting needs the app's Standard access (docs/connecting-pinterest.md).",
            permanent=True,
        )
    if status == 429:
        return ConnectorError(f"Pinterest rate limit: {said}", retry_after=60.0)
    if write and 400 <= status < 500:
        return ConnectorError(f"Pinterest refused it: {said}", rejected=True)
    return ConnectorError(f"Pinterest: {said}", permanent=400 <= status < 500)
