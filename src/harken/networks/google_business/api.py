"""Google Business Profile's APIs over ``harken.lib.http``, and Google's OAuth 2.0 for them.

A profile's data is spread over several Google services, each on its own host:
``mybusinessaccountmanagement`` (the person's accounts), ``mybusinessbusinessinformation``
(an account's locations), ``mybusiness`` v4 (reviews and their owner responses, local
posts) and ``businessprofileperformance`` (daily profile views and actions). One scope,
``business.manage``, covers them all.

The installation uses the Google OAuth client YouTube uses (``HARKEN_GOOGLE_CLIENT_ID`` /
``HARKEN_GOOGLE_CLIENT_SECRET``), in a Google Cloud project where Google approved Business
Profile API access (docs/connecting-google-business.md). Access tokens live an hour and
are renewed from the refresh token a few minutes before; a refresh token Google withdrew
(``invalid_grant``) means reconnect.

Google's errors (``{"error": {"code", "message", "status"}}``) become ``ConnectorError``
in Google's words: 401 reconnect needed, 403 a permission (permanent), 429 the project's
quota (transient, a minute; a project without approved access has a quota of 0), a 4xx
on a write the content refused. ``GOOGLE_AUTHORIZE_URL``, ``GOOGLE_TOKEN_URL`` and
``GOOGLE_BUSINESS_API_URL`` (every host under one base, ``<base>/<service>``) point the
calls elsewhere in tests.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
from django.conf import settings

from harken.networks.base import ConnectorError
from harken.networks.bearer import BearerApi, Refusals, status_words
from harken.networks.oauth2 import OAuthApp

APP = OAuthApp(
    network="Google Business Profile",
    id_variable="HARKEN_GOOGLE_CLIENT_ID",
    secret_variable="HARKEN_GOOGLE_CLIENT_SECRET",  # noqa: S106 - the variable's name
    authorize="https://accounts.google.com/o/oauth2/v2/auth",
    authorize_setting="GOOGLE_AUTHORIZE_URL",
    scopes=("https://www.googleapis.com/auth/business.manage",),
    app="Google OAuth client",
    scope_separator=" ",
    signer="Google",
    signed="profile",
)
TOKEN_URL = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address
CLIENT_ID = APP.id_variable
CLIENT_SECRET = APP.secret_variable
ACCOUNTS = "mybusinessaccountmanagement"
INFORMATION = "mybusinessbusinessinformation"
REVIEWS = "mybusiness"
PERFORMANCE = "businessprofileperformance"
TIMEOUT = 20.0
#: Renew the access token this long before it ends.
MARGIN = 300
LABEL = "Google Business Profile"
configured = APP.configured


def service_url(service: str) -> str:
    base = str(getattr(settings, "GOOGLE_BUSINESS_API_URL", "") or "").rstrip("/")
    return f"{base}/{service}" if base else f"https://{service}.googleapis.com"


def authorize_url(redirect_uri: str, state: str, challenge: str) -> str:
    """Google's consent page; ``prompt=consent`` brings a refresh token on a reconnect too."""
    return APP.authorize_url(
        redirect_uri,
        state,
        code_challenge=challenge,
        code_challenge_method="S256",
        access_type="offline",
        prompt="consent",
    )


def token_url() -> str:
    return str(getattr(settings, "GOOGLE_TOKEN_URL", TOKEN_URL))


def exchange_code(code: str, verifier: str, redirect_uri: str) -> dict[str, Any]:
    tokens = APP.exchange_code(token_url(), code, redirect_uri, code_verifier=verifier)
    if not tokens["refresh_token"]:
        raise ConnectorError(
            "Google gave no refresh token, so the profile would stop working within the hour; "
            "remove Harken under myaccount.google.com › Security › Third-party access and "
            "connect again.",
            permanent=True,
        )
    return tokens


def renew(refresh_token: str) -> dict[str, Any]:
    return APP.renew(token_url(), refresh_token)


def fresh_token(config: dict[str, Any]) -> str | None:
    """The access token, renewed first when it ends within ``MARGIN``; returns the
    renewed token (``config`` updated in place) or None when nothing changed."""
    expires = config.get("expires_at")
    if config.get("access_token") and (not expires or float(expires) - time.time() > MARGIN):
        return None
    refresh = str(config.get("refresh_token") or "")
    if not refresh:
        raise ConnectorError(
            "Google Business Profile's sign-in expired and Harken holds no refresh token; "
            "reconnect the profile.",
            permanent=True,
        )
    config.update(renew(refresh))
    return str(config["access_token"])


def request(
    token: str,
    method: str,
    url: str,
    params: Any = None,
    json: Any = None,
) -> dict[str, Any]:
    """One call; reads are retried, a write is sent once (``harken.networks.bearer``)."""
    return API.send(token, method, url, params=params, json=json)[1]


def google_words(response: httpx.Response, body: dict[str, Any]) -> str:
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    message = str(error.get("message") or "").strip()
    status = str(error.get("status") or "")
    if message:
        return f"{message} ({status})" if status else message
    return status_words(response)


API = BearerApi(
    Refusals(
        LABEL,
        signer="Google",
        signed="profile",
        permission="The person who connected must manage the profile, and the Google Cloud "
        "project needs Business Profile API access (docs/connecting-google-business.md).",
        rate="Google Business Profile's quota is spent for now",
    ),
    words=google_words,
    timeout=TIMEOUT,
)
