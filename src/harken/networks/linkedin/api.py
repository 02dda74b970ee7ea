"""LinkedIn's versioned REST API (``/rest``, Rest.li 2.0) over ``harken.lib.http``.

Every call names the API version Harken speaks (``LinkedIn-Version``, YYYYMM; LinkedIn
keeps each for a year) and the Rest.li protocol. URNs in a path or a query are
percent-encoded whole, as Rest.li 2.0 asks. LinkedIn's errors
(``{"serviceErrorCode", "message", "status"}``) become ``ConnectorError`` in its words:
401 reconnect needed, 403 a permission the app or the member lacks (permanent), 429 its
daily limit (transient, an hour), a 4xx on a write the content refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from harken.lib import http
from harken.networks.bearer import READ_ATTEMPTS, BearerApi, Refusals, json_body, status_words

API_URL = "https://api.linkedin.com"
#: The monthly version of LinkedIn's API Harken is written against.
VERSION = "202511"
TIMEOUT = 20.0
UPLOAD_TIMEOUT = 60.0


def api_url() -> str:
    return str(getattr(settings, "LINKEDIN_API_URL", API_URL)).rstrip("/")


def urn(value: str) -> str:
    """A URN (or any value) percent-encoded for a Rest.li path or query."""
    return quote(value, safe="")


def headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "LinkedIn-Version": VERSION,
        "X-Restli-Protocol-Version": "2.0.0",
    }


def request(
    token: str,
    method: str,
    path: str,
    query: Mapping[str, Any] | None = None,
    json: Any = None,
) -> httpx.Response:
    """One call; ``query`` values are encoded here (URNs whole), not by httpx."""
    url = f"{api_url()}/rest/{path.lstrip('/')}"
    if query:
        url += "?" + "&".join(f"{key}={urn(str(value))}" for key, value in query.items())
    return API.send(token, method, url, json=json, headers=headers(token))[0]


def upload(token: str, url: str, data: bytes, content_type: str) -> None:
    """PUT an image's bytes to the ``uploadUrl`` LinkedIn's ``initializeUpload`` gave.
    Repeating it is harmless (the same bytes to the same address), so it is retried."""
    response = http.request(
        "PUT",
        url,
        content=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        timeout=UPLOAD_TIMEOUT,
        raise_for_status=False,
        attempts=READ_ATTEMPTS,
    )
    if response.status_code >= 400:
        raise API.refused(response, write=True)


body = json_body


def linkedin_words(response: httpx.Response, found: dict[str, Any]) -> str:
    message = str(found.get("message") or found.get("error_description") or "").strip()
    code = found.get("serviceErrorCode")
    words = message or status_words(response)
    return f"{words} (code {code})" if code else words


API = BearerApi(
    Refusals(
        "LinkedIn",
        signed="page",
        permission="The member must be an administrator of the page, and the app needs the "
        "Community Management API (docs/connecting-linkedin.md).",
        rate_wait=3600.0,
    ),
    words=linkedin_words,
    timeout=TIMEOUT,
)
