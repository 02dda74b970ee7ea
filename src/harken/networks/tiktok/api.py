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

import httpx
from django.conf import settings

from harken.lib import http
from harken.networks.base import ConnectorError
from harken.networks.bearer import BearerApi, Refusals, json_body, status_words
from harken.networks.oauth2 import OAuthApp

APP = OAuthApp(
    network="TikTok",
    id_variable="HARKEN_TIKTOK_CLIENT_KEY",
    secret_variable="HARKEN_TIKTOK_CLIENT_SECRET",  # noqa: S106 - the variable's name
    authorize="https://www.tiktok.com/v2/auth/authorize/",
    authorize_setting="TIKTOK_AUTHORIZE_URL",
    #: The profile and its figures, the videos with theirs, posting directly and to drafts.
    scopes=(
        "user.info.basic",
        "user.info.profile",
        "user.info.stats",
        "video.list",
        "video.publish",
        "video.upload",
    ),
    id_parameter="client_key",
    keep=("open_id",),
)
CLIENT_KEY = APP.id_variable
CLIENT_SECRET = APP.secret_variable
API_URL = "https://open.tiktokapis.com"
TIMEOUT = 30.0
UPLOAD_TIMEOUT = 120.0
#: Renew the 24-hour access token this long before it ends.
RENEW_BEFORE = 3600
#: TikTok's codes, as the HTTP status each stands for (the first of 401, 403, 429 that
#: the code or the status says wins): the person must connect again, or grant what is
#: missing; its rate limit; its own failure.
CODES = {
    "access_token_invalid": 401,
    "token_expired": 401,
    "scope_not_authorized": 403,
    "scope_permission_missed": 403,
    "rate_limit_exceeded": 429,
    "internal_error": 500,
}
configured = APP.configured
authorize_url = APP.authorize_url


def api_url() -> str:
    return str(getattr(settings, "TIKTOK_API_URL", API_URL)).rstrip("/")


def token_url() -> str:
    return f"{api_url()}/v2/oauth/token/"


def exchange_code(code: str, redirect_uri: str) -> dict[str, Any]:
    return APP.exchange_code(token_url(), code, redirect_uri)


def renew(refresh_token: str) -> dict[str, Any]:
    return APP.renew(token_url(), refresh_token)


def request(
    token: str,
    method: str,
    path: str,
    params: Any = None,
    json: Any = None,
    write: bool = False,
) -> dict[str, Any]:
    """One call; the answer's ``data``. Reads (and status polls, POSTs that change
    nothing) are retried; a ``write`` is sent once (``harken.networks.bearer``)."""
    json_type = {"Content-Type": "application/json; charset=UTF-8"} if json is not None else {}
    url = f"{api_url()}/{path.lstrip('/')}"
    _, body = API.send(token, method, url, params=params, json=json, headers=json_type, write=write)
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


def tiktok_failure(response: httpx.Response, body: dict[str, Any]) -> tuple[int, str] | None:
    """Every answer carries ``error``; a code other than "ok" (even in a 200) is a
    refusal, read as the HTTP status it stands for (a refusal of the content: 400)."""
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    assert isinstance(error, dict)
    code = str(error.get("code") or "")
    status = response.status_code
    if status < 400 and code in ("", "ok"):
        return None
    message = str(error.get("message") or "").strip()
    said = message or f"HTTP {status} {response.reason_phrase}"
    said = f"{said} ({code})" if code and code != "ok" else said
    stands = {CODES.get(code), status}
    for worst in (401, 403, 429):
        if worst in stands:
            return worst, said
    if status >= 500 or CODES.get(code) == 500:
        return max(status, 500), said
    return max(status, 400), said


API = BearerApi(
    Refusals(
        "TikTok",
        permission="Connect the account again and grant every permission; posting needs "
        "the app's Content Posting API approval (docs/connecting-tiktok.md).",
    ),
    words=lambda response, body: status_words(response),
    timeout=TIMEOUT,
    failure=tiktok_failure,
)
