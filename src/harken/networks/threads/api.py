"""Meta's Threads API (graph.threads.net) over ``harken.lib.http``, and its OAuth 2.0:
the authorization code becomes a short-lived token, then a long-lived one (60 days)
that Harken refreshes before it ends (``th_refresh_token``; a token must be a day old).
Errors have the Graph API's shape and are read by ``harken.networks.meta.graph``.

The ``THREADS_AUTHORIZE_URL`` and ``THREADS_GRAPH_URL`` settings point elsewhere in tests.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings

from harken.lib import http
from harken.networks.base import ConnectorError
from harken.networks.meta.graph import graph_error, json_body
from harken.networks.oauth2 import OAuthApp, exchange

APP = OAuthApp(
    network="Threads",
    id_variable="HARKEN_THREADS_APP_ID",
    secret_variable="HARKEN_THREADS_APP_SECRET",  # noqa: S106 - the variable's name
    authorize="https://threads.net/oauth/authorize",
    authorize_setting="THREADS_AUTHORIZE_URL",
    scopes=(
        "threads_basic",
        "threads_content_publish",
        "threads_read_replies",
        "threads_manage_replies",
        "threads_manage_insights",
        "threads_manage_mentions",
    ),
)
APP_ID = APP.id_variable
APP_SECRET = APP.secret_variable
GRAPH_URL = "https://graph.threads.net"
VERSION = "v1.0"
TIMEOUT = 20.0
LABEL = "Threads"
configured = APP.configured
authorize_url = APP.authorize_url


def graph_url() -> str:
    return str(getattr(settings, "THREADS_GRAPH_URL", GRAPH_URL)).rstrip("/")


def call(method: str, path: str, token: str = "", **params: Any) -> dict[str, Any]:
    """One call; a write is sent once (``find_published`` settles a lost answer)."""
    if token:
        params["access_token"] = token
    response = http.request(
        method,
        f"{graph_url()}/{path.lstrip('/')}",
        params=params if method == "GET" else None,
        data=params if method != "GET" else None,
        timeout=TIMEOUT,
        raise_for_status=False,
        attempts=3 if method == "GET" else 1,
    )
    body = json_body(response)
    if response.status_code >= 400 or "error" in body:
        raise graph_error(body, response, LABEL)
    return body


def connect_tokens(code: str, redirect_uri: str) -> dict[str, Any]:
    """The callback's code as a long-lived token: ``{"access_token", "expires_at", "user_id"}``."""
    APP.require()
    short = exchange(
        f"{graph_url()}/oauth/access_token",
        {
            "client_id": APP.client_id(),
            "client_secret": APP.client_secret(),
            "grant_type": "authorization_code",
            "redirect_uri": redirect_uri,
            "code": code,
        },
        refused="Threads refused the sign-in",
        keep=("user_id",),
    )
    try:
        long = call(
            "GET",
            "access_token",
            grant_type="th_exchange_token",
            client_secret=APP.client_secret(),
            access_token=short["access_token"],
        )
    except ConnectorError as error:
        raise ConnectorError(
            f"Threads refused the sign-in: {error.message}", permanent=True
        ) from error
    return {**_lifetime(long), "user_id": short["user_id"]}


def refresh(token: str) -> dict[str, Any]:
    """A long-lived token refreshed for another 60 days."""
    return _lifetime(
        call("GET", "refresh_access_token", grant_type="th_refresh_token", access_token=token)
    )


def _lifetime(body: dict[str, Any]) -> dict[str, Any]:
    expires = str(body.get("expires_in") or "")
    return {
        "access_token": str(body["access_token"]),
        "expires_at": int(time.time()) + int(expires) if expires.isdigit() else None,
    }
