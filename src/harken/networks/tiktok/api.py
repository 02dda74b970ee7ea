"""TikTok's API for developers (open.tiktokapis.com, v2) over ``harken.lib.http``, and its
OAuth 2.0 (Login Kit for the web).

The installation registers one app on developers.tiktok.com (``HARKEN_TIKTOK_CLIENT_KEY``
/ ``HARKEN_TIKTOK_CLIENT_SECRET``) with Login Kit, the Display API and the Content Posting
API, and Harken's callback as its redirect URI. Access tokens live 24 hours and are
renewed with the refresh token (a year; TikTok may send a new one) an hour before.

Every answer carries ``{"error": {"code", "message", "log_id"}}``; a code other than
"ok" becomes ``ConnectorError`` in TikTok's words: ``access_token_invalid`` reconnect
needed, ``scope_not_authorized`` a permission the person did not grant (permanent),
``rate_limit_exceeded`` transient (a minute), a refusal of the content (``spam_risk_*``,
``privacy_level_option_mismatch``, ``invalid_params``…) rejected on a write.
``TIKTOK_AUTHORIZE_URL`` and ``TIKTOK_API_URL`` point the calls elsewhere in tests.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from harken.lib import http
from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.oauth2 import exchange

AUTHORIZE_URL = "https://www.tiktok.com/v2/auth/authorize/"
API_URL = "https://open.tiktokapis.com"
CLIENT_KEY = "HARKEN_TIKTOK_CLIENT_KEY"
CLIENT_SECRET = "HARKEN_TIKTOK_CLIENT_SECRET"  # noqa: S105 - the variable's name
#: The profile and its figures, the videos with theirs, posting directly and to drafts.
SCOPES = (
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.publish",
    "video.upload",
)
TIMEOUT = 30.0
UPLOAD_TIMEOUT = 120.0
READ_ATTEMPTS = 3
#: Renew the 24-hour access token this long before it ends.
RENEW_BEFORE = 3600
#: Codes that mean the person must connect again, or grant what is missing.
RECONNECT = frozenset({"access_token_invalid", "token_expired"})
PERMISSION = frozenset({"scope_not_authorized", "scope_permission_missed"})
RATE = frozenset({"rate_limit_exceeded"})


def client_key() -> str:
    return env_secret(CLIENT_KEY).strip()


def client_secret() -> str:
    return env_secret(CLIENT_SECRET).strip()


def configured() -> bool:
    return bool(client_key() and client_secret())


def api_url() -> str:
    return str(getattr(settings, "TIKTOK_API_URL", API_URL)).rstrip("/")


def authorize_url(redirect_uri: str, state: str) -> str:
    base = getattr(settings, "TIKTOK_AUTHORIZE_URL", AUTHORIZE_URL)
    query = {
        "client_key": client_key(),
        "scope": ",".join(SCOPES),
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": state,
    }
    return f"{base}?{urlencode(query)}"


def _token_request(form: dict[str, str], refused: str) -> dict[str, Any]:
    if not configured():
        raise ConnectorError(
            f"Connecting TikTok needs this installation's TikTok app: set {CLIENT_KEY} and "
            f"{CLIENT_SECRET}.",
            permanent=True,
        )
    return exchange(
        f"{api_url()}/v2/oauth/token/",
        {**form, "client_key": client_key(), "client_secret": client_secret()},
        refused=refused,
        keep=("open_id",),
    )


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return _token_request(
        {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        "TikTok refused the sign-in",
    )


def renew(refresh_token: str) -> dict[str, Any]:
    tokens = _token_request(
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        "TikTok refused to renew the account's sign-in; reconnect it",
    )
    tokens["refresh_token"] = tokens["refresh_token"] or refresh_token
    return tokens


def request(
    token: str,
    method: str,
    path: str,
    params: Any = None,
    json: Any = None,
    write: bool = False,
) -> dict[str, Any]:
    """One call; the answer's ``data``. Reads (and status polls, POSTs that change
    nothing) are retried by ``harken.lib.http``; a ``write`` is sent once."""
    response = http.request(
        method,
        f"{api_url()}/{path.lstrip('/')}",
        params=params,
        json=json,
        headers={
            "Authorization": f"Bearer {token}",
            **({"Content-Type": "application/json; charset=UTF-8"} if json is not None else {}),
        },
        timeout=TIMEOUT,
        raise_for_status=False,
        attempts=1 if write else READ_ATTEMPTS,
    )
    body = json_body(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    if response.status_code >= 400 or str(error.get("code") or "ok") != "ok":
        raise tiktok_error(response, error, write)
    data = body.get("data")
    return data if isinstance(data, dict) else {}


def upload(url: str, chunk: bytes, start: int, total: int, content_type: str) -> None:
    """One chunk of a ``FILE_UPLOAD`` to the ``upload_url`` TikTok gave (206 until the
    last, then 201)."""
    end = start + len(chunk) - 1
    response = http.request(
        "PUT",
        url,
        content=chunk,
        headers={"Content-Type": content_type, "Content-Range": f"bytes {start}-{end}/{total}"},
        timeout=UPLOAD_TIMEOUT,
        raise_for_status=False,
        attempts=3,
    )
    if response.status_code >= 400:
        said = json_body(response).get("error") or {}
        words = said.get("message") if isinstance(said, dict) else ""
        raise ConnectorError(
            f"TikTok did not take the video: {words or f'HTTP {response.status_code}'}",
            rejected=400 <= response.status_code < 500,
        )


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def tiktok_error(response: httpx.Response, error: dict[str, Any], write: bool) -> ConnectorError:
    status = response.status_code
    code = str(error.get("code") or "")
    message = str(error.get("message") or "").strip()
    said = message or f"HTTP {status} {response.reason_phrase}"
    said = f"{said} ({code})" if code and code != "ok" else said
    if code in RECONNECT or status == 401:
        return ConnectorError(
            f"TikTok refused the account's sign-in; reconnect it. TikTok said: {said}",
            permanent=True,
        )
    if code in PERMISSION or status == 403:
        return ConnectorError(
            f"TikTok did not allow Harken this: {said}. Connect the account again and grant "
            "every permission; posting needs the app's Content Posting API approval "
            "(docs/connecting-tiktok.md).",
            permanent=True,
        )
    if code in RATE or status == 429:
        return ConnectorError(f"TikTok rate limit: {said}", retry_after=60.0)
    if status >= 500 or code == "internal_error":
        return ConnectorError(f"TikTok: {said}")
    if write:
        return ConnectorError(f"TikTok refused it: {said}", rejected=True)
    return ConnectorError(f"TikTok: {said}", permanent=True)
