"""Meta's Graph API over ``harken.lib.http``: every call with a timeout, retries on
429/5xx for reads, the URL guard, the usage headers (``harken.networks.meta.usage``),
``appsecret_proof`` when the installation's app secret is set, and Meta's error codes
turned into ``ConnectorError`` in Meta's own words.

The ``FACEBOOK_GRAPH_URL`` setting points every call elsewhere (a local Graph in tests).
Paging follows ``paging.cursors.after`` on Harken's own base URL: the ``next`` links Meta
sends are never fetched as they are, so an answer cannot send Harken to another host.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from django.conf import settings

from harken.lib import http
from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.meta import usage

GRAPH_URL = "https://graph.facebook.com"
#: The Graph API version Harken speaks; Meta keeps each for about two years.
VERSION = "v23.0"
APP_ID = "HARKEN_FACEBOOK_APP_ID"
APP_SECRET = "HARKEN_FACEBOOK_APP_SECRET"  # noqa: S105 - the variable's name
#: Reads are retried by ``harken.lib.http``; a write is sent once (a lost answer is
#: settled by ``find_published``, never by sending again).
READ_ATTEMPTS = 3
TIMEOUT = 20.0

#: Meta's codes for "too many calls": app (4), user (17), Pages (32), a specific
#: method (613) and the business use cases (80001 Pages, 80002 Instagram, ...).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
#: The token is expired, withdrawn or unusable: only reconnecting helps.
TOKEN_CODES = frozenset({102, 190})
#: Subcodes of 190, as Meta documents them, in words for the owner.
TOKEN_SUBCODES = {
    458: "Harken's app was removed from the account",
    459: "the Facebook account is checkpointed",
    460: "the password was changed",
    463: "the sign-in expired",
    464: "the Facebook account is not confirmed",
    467: "the person logged out or the token was withdrawn",
    492: "the person no longer has a role on the Page",
}
#: Permission refused (10, 200-299).
PERMISSION_CODES = frozenset({10, *range(200, 300)})
#: Content Meta refuses (a duplicate, a bad image, a policy block): no retry helps.
DUPLICATE = 506
BLOCKED = 368
#: Codes of content refused: a bad parameter (100), a duplicate (506), a policy block
#: (368), a link Meta will not post (1609005), media it could not fetch or use (9004,
#: 352; and 36000-36999, an image's size or aspect ratio).
REFUSED_CODES = frozenset({100, DUPLICATE, BLOCKED, 1609005, 9004, 352})


class GraphError(ConnectorError):
    """Meta answered with an ``error`` object; its code and subcode ride along."""

    def __init__(
        self,
        message: str,
        *,
        code: int = 0,
        subcode: int = 0,
        permanent: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.code = code
        self.subcode = subcode

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES


#: What Meta's object ids look like: digits, or two groups of digits ("page_post").
OBJECT_ID = re.compile(r"\d{1,32}(?:_\d{1,32})?")


def check_id(value: str, label: str) -> str:
    """``value`` when it is a Graph object id; a rejection otherwise. Ids that reach a
    URL's path (a reply's parent, a post to measure) may come from an imported file: one
    such as ``1/feed?x=`` must not turn a reply into a post elsewhere."""
    if not OBJECT_ID.fullmatch(value or ""):
        raise ConnectorError(f"{label} has no item with the id {value!r}.", rejected=True)
    return value


def base_url() -> str:
    return f"{getattr(settings, 'FACEBOOK_GRAPH_URL', GRAPH_URL).rstrip('/')}/{VERSION}"


def app_id() -> str:
    return env_secret(APP_ID).strip()


def app_secret() -> str:
    return env_secret(APP_SECRET).strip()


def proof(token: str) -> str:
    """``appsecret_proof``: the token signed with the app secret, so a token copied out of
    Harken is useless without the secret too (when the app requires it)."""
    return hmac.new(app_secret().encode(), token.encode(), hashlib.sha256).hexdigest()


class Graph:
    """Calls made with one token. ``owner`` names the budget they count against (a Page's
    or an Instagram account's id); ``label`` is the network as people read it."""

    def __init__(self, token: str, *, owner: str = "", label: str = "Facebook") -> None:
        if not token:
            raise ConnectorError(
                f"This {label} account has no access token; connect it again.", permanent=True
            )
        self.token = token
        self.owner = owner or "user"
        self.label = label
        #: The highest share of an hourly allowance the last answer reported (percent).
        self.usage_percent = 0.0

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        return self._call("GET", path, params=params)

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        return self._call("POST", path, data=data)

    def walk(self, path: str, max_pages: int, **params: Any) -> Iterator[dict[str, Any]]:
        """The ``data`` items of ``path``, page after page by the ``after`` cursor."""
        for _ in range(max_pages):
            body = self.get(path, **params)
            yield from items(body)
            after = _next_cursor(body)
            if not after:
                return
            params = {**params, "after": after}

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        usage.check_usage(self.owner, self.label)
        signed = {"access_token": self.token}
        if app_secret():
            signed["appsecret_proof"] = proof(self.token)
        url = f"{base_url()}/{path.lstrip('/')}"
        response = http.request(
            method,
            url,
            params={**(params or {}), **signed} if method == "GET" else None,
            data={**_form(data or {}), **signed} if method != "GET" else None,
            timeout=TIMEOUT,
            raise_for_status=False,
            attempts=READ_ATTEMPTS if method == "GET" else 1,
        )
        return self._answer(response)

    def _answer(self, response: httpx.Response) -> dict[str, Any]:
        seen = usage.read_usage(response.headers)
        self.usage_percent = seen.percent
        usage.note_usage(self.owner, seen)
        body = json_body(response)
        if response.status_code >= 400 or "error" in body:
            error = graph_error(body, response, self.label, seen.regain_seconds)
            if error.rate_limited:
                usage.pause(self.owner, error.retry_after or usage.PAUSE_SECONDS)
            raise error
        return body


def graph_error(
    body: Mapping[str, Any], response: httpx.Response, label: str, regain: float = 0.0
) -> GraphError:
    """Meta's ``error`` object as a ``GraphError`` in Meta's words, classified."""
    code, subcode = error_codes(body)
    words = str(_error(body).get("error_user_msg") or _error(body).get("message") or "").strip()
    said = meta_words(body, response)
    if code in TOKEN_CODES:
        why = TOKEN_SUBCODES.get(subcode, "the token is no longer valid")
        return GraphError(
            f"{label} refused the account's token: {why}. Reconnect the account. {label} "
            f"said: {said}",
            code=code,
            subcode=subcode,
            permanent=True,
        )
    if code in RATE_LIMIT_CODES:
        wait = regain or usage.PAUSE_SECONDS
        return GraphError(
            f"{label} rate limit: {said}", code=code, subcode=subcode, retry_after=wait
        )
    if code in PERMISSION_CODES or (code == 100 and "permission" in words.lower()):
        return GraphError(
            f"{label} did not allow Harken this: {said}. Reconnect the account and allow "
            "every permission Harken asks for (see the README's “connecting networks”).",
            code=code,
            subcode=subcode,
            permanent=True,
        )
    return GraphError(f"{label}: {said}", code=code, subcode=subcode)


def _error(body: Mapping[str, Any]) -> dict[str, Any]:
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def error_codes(body: Mapping[str, Any]) -> tuple[int, int]:
    """The ``code`` and ``error_subcode`` of Meta's error object (0 when absent)."""
    error = _error(body)
    return _int(error.get("code")), _int(error.get("error_subcode"))


def meta_words(body: Mapping[str, Any], response: httpx.Response) -> str:
    """Meta's own words for an error, with its code: the message meant for people
    (``error_user_msg``) where Meta gives one, else ``message``, else the status line."""
    error = _error(body)
    words = str(error.get("error_user_msg") or error.get("message") or "").strip()
    words = words or f"HTTP {response.status_code} {response.reason_phrase}"
    code, subcode = error_codes(body)
    return f"{words} (code {code}{f', subcode {subcode}' if subcode else ''})"


def as_refused(error: ConnectorError, label: str) -> ConnectorError:
    """A write's ``error``, as a rejection when Meta refused the content itself (a bad
    parameter or media, a duplicate, a policy block): retrying the same post cannot help,
    and the account stays connected. The token's faults and rate limits stay as they are."""
    if not isinstance(error, GraphError) or error.permanent or error.rate_limited:
        return error
    if error.code in REFUSED_CODES or 36000 <= error.code < 37000:
        refused = ConnectorError(f"{label} refused the post: {error.message}", rejected=True)
        refused.__cause__ = error
        return refused
    return error


def _form(data: Mapping[str, Any]) -> dict[str, str]:
    """Form fields as Meta reads them: dicts as JSON, lists comma-separated, booleans lower."""
    out = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | dict):
            out[key] = json.dumps(value) if isinstance(value, dict) else ",".join(map(str, value))
        else:
            out[key] = str(value)
    return out


def json_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def items(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    data = body.get("data")
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def next_cursor(body: Mapping[str, Any]) -> str:
    """The ``after`` cursor of an edge (a page, or one nested in an object's fields, such
    as a conversation's ``messages``) that has more, else ""."""
    return _next_cursor(body)


def _next_cursor(body: Mapping[str, Any]) -> str:
    """The ``after`` cursor of a page that has a next one ("" on the last page: Meta
    sends cursors there too, but no ``next``)."""
    paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
    assert isinstance(paging, dict)
    if not paging.get("next"):
        return ""
    cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
    assert isinstance(cursors, dict)
    after = str(cursors.get("after") or "")
    if after:
        return after
    return (parse_qs(urlsplit(str(paging["next"])).query).get("after") or [""])[0]


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def parse_time(raw: str) -> datetime:
    """Meta's ``2021-08-10T18:45:03+0000`` as an aware datetime."""
    return datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")
