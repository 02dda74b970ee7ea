"""Facebook Login for a Page or the Instagram account linked to one (Meta's "manually
build a login flow"):

1. the person consents on Facebook's dialog (``authorize_url``), which sends them back
   with a ``code``;
2. the code becomes a short-lived user token (``/oauth/access_token``), then a
   long-lived one (``grant_type=fb_exchange_token``, about 60 days);
3. ``/me/accounts`` lists the Pages the person manages with a Page token each; a Page
   token obtained from a long-lived user token does not expire, so the account keeps
   working until the person withdraws it (a 190 error then says "reconnect").

Only the chosen Page's token is kept (encrypted in the account's config); the user
token is dropped once the Page is chosen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from harken.lib import http
from harken.networks.base import ConnectorError
from harken.networks.meta import graph

DIALOG_URL = "https://www.facebook.com"
#: Pages fields read while choosing: the Page token and its Instagram account.
PAGE_FIELDS = "id,name,username,access_token,tasks,instagram_business_account{id,username}"
MAX_PAGES = 10  # pages of /me/accounts (100 Pages each)


def configured() -> bool:
    """Whether this installation registered a Meta app to connect accounts with."""
    return bool(graph.app_id() and graph.app_secret())


def authorize_url(redirect_uri: str, state: str, scopes: Sequence[str]) -> str:
    """Facebook's consent dialog for Harken's app. ``auth_type=rerequest`` asks again for
    permissions the person declined last time."""
    base = getattr(settings, "FACEBOOK_DIALOG_URL", DIALOG_URL).rstrip("/")
    query = {
        "client_id": graph.app_id(),
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
        "scope": ",".join(scopes),
        "auth_type": "rerequest",
    }
    return f"{base}/{graph.VERSION}/dialog/oauth?{urlencode(query)}"


def user_token(code: str, redirect_uri: str, label: str) -> tuple[str, int | None]:
    """The callback's ``code`` as a long-lived user token and its lifetime in seconds."""
    if not configured():
        raise ConnectorError(
            f"Connecting {label} needs this installation's Meta app: set "
            f"{graph.APP_ID} and {graph.APP_SECRET}.",
            permanent=True,
        )
    short = _token(
        {
            "client_id": graph.app_id(),
            "client_secret": graph.app_secret(),
            "redirect_uri": redirect_uri,
            "code": code,
        },
        label,
    )
    long = _token(
        {
            "grant_type": "fb_exchange_token",
            "client_id": graph.app_id(),
            "client_secret": graph.app_secret(),
            "fb_exchange_token": str(short["access_token"]),
        },
        label,
    )
    expires = str(long.get("expires_in") or "")
    return str(long["access_token"]), int(expires) if expires.isdigit() else None


def _token(params: dict[str, str], label: str) -> dict[str, Any]:
    response = http.get(
        f"{graph.base_url()}/oauth/access_token",
        params=params,
        raise_for_status=False,
        attempts=2,
        timeout=graph.TIMEOUT,
    )
    body = graph.json_body(response)
    if response.status_code >= 400 or "access_token" not in body:
        words = graph.meta_words(body, response)
        raise ConnectorError(f"{label} refused the sign-in: {words}", permanent=True)
    return body


def managed_pages(token: str, label: str) -> list[dict[str, Any]]:
    """The Pages the person manages, each with its Page token."""
    client = graph.Graph(token, label=label)
    pages = list(client.walk("me/accounts", MAX_PAGES, fields=PAGE_FIELDS, limit=100))
    return [page for page in pages if page.get("id") and page.get("access_token")]


def choose(
    found: list[dict[str, Any]], wanted: str, what: str, name_of: Any, label: str
) -> dict[str, Any]:
    """The one of ``found`` the person asked for (by name or id, any case), or the only
    one; otherwise a ``ConnectorError`` that names the choices."""
    if not found:
        raise ConnectorError(
            f"{label} lists no {what} you manage with the permissions Harken asked for; "
            "connect again and tick it on Facebook's dialog.",
            permanent=True,
        )
    wanted = wanted.strip().lstrip("@").casefold()
    if wanted:
        for item in found:
            names = {str(item.get("id", "")), *(n.casefold() for n in name_of(item) if n)}
            if wanted in names:
                return item
        raise ConnectorError(
            f"You do not manage a {what} called “{wanted}” on {label}; yours are: "
            f"{_names(found, name_of)}.",
            permanent=True,
        )
    if len(found) > 1:
        raise ConnectorError(
            f"You manage {len(found)} of them on {label} ({_names(found, name_of)}): write "
            f"the {what} to connect and connect again.",
            permanent=True,
        )
    return found[0]


def _names(found: list[dict[str, Any]], name_of: Any) -> str:
    return ", ".join(next((n for n in name_of(item) if n), str(item["id"])) for item in found)
