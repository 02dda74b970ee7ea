"""Connecting an X account with OAuth 2.0's Authorization Code Flow with PKCE, and
renewing its token (docs.x.com › Fundamentals › Authentication › OAuth 2.0).

The installation registers one app on X (``HARKEN_X_CLIENT_ID``, and
``HARKEN_X_CLIENT_SECRET`` for a confidential client) with Harken's callback as its
redirect URI. The person is sent to X's consent page; X sends them back with a code,
which is exchanged at the token endpoint, together with the PKCE verifier, for an access
token (two hours) and, with ``offline.access``, a refresh token. X rotates refresh
tokens: each is good for one renewal, so the pair a renewal returns must be kept at once
(see ``harken.networks.x.tokens``).

Token requests go through ``harken.lib.http`` (timeouts, retries on 429/5xx, the URL
guard). A confidential client authenticates with HTTP Basic; a public one names its
``client_id`` in the body.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings

from harken.lib import http
from harken.lib.env import env_secret
from harken.networks.base import ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.registry import connector_for

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
API_URL = "https://api.x.com"
TOKEN_PATH = "/2/oauth2/token"  # noqa: S105 - a path, not a secret
#: Read and write posts, read the account, and a refresh token (``offline.access``).
#: ``dm.read``/``dm.write``: direct messages, read and answered (``direct.py``).
SCOPES = (
    "tweet.read",
    "tweet.write",
    "users.read",
    "offline.access",
    "dm.read",
    "dm.write",
    "media.write",  # images in posts (POST /2/media/upload)
)
#: Fewer tries than the default: a renewal holds its claim on the account meanwhile.
TOKEN_ATTEMPTS = 3


def client_id() -> str:
    return env_secret("HARKEN_X_CLIENT_ID").strip()


def client_secret() -> str:
    return env_secret("HARKEN_X_CLIENT_SECRET").strip()


def oauth_configured() -> bool:
    """Whether this installation registered an X app to connect accounts with."""
    return bool(client_id())


def authorize_url(redirect_uri: str, state: str, code_challenge: str) -> str:
    """X's consent page for Harken's app, coming back to ``redirect_uri``."""
    base = getattr(settings, "X_AUTHORIZE_URL", AUTHORIZE_URL)
    query = {
        "response_type": "code",
        "client_id": client_id(),
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
    }
    return f"{base}?{urlencode(query)}"


@dataclass(frozen=True)
class Tokens:
    """What X's token endpoint granted."""

    access_token: str
    refresh_token: str
    expires_at: int | None  # Unix seconds; None when X did not say
    scope: str

    def as_config(self) -> dict[str, Any]:
        """The account-config keys they are kept under. ``bearer_token`` is the key the
        connector reads a user's OAuth 2.0 token from (``access_token`` names OAuth 1.0a's)."""
        return {
            "bearer_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "scope": self.scope,
        }


def exchange_code(code: str, verifier: str, redirect_uri: str) -> Tokens:
    """Trade the callback's ``code`` (and the PKCE verifier) for tokens."""
    return _token_request(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
        refused="X refused the sign-in",
    )


def renew(refresh_token: str, previous: str = "") -> Tokens:
    """Trade a refresh token for a new pair. The old one is spent from now on; X may
    leave the refresh token out, in which case the old one (``previous``) is kept."""
    tokens = _token_request(
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        refused="X refused to renew the account's token",
    )
    if not tokens.refresh_token:
        tokens = Tokens(tokens.access_token, previous or refresh_token, tokens.expires_at, "")
    return tokens


def token_url() -> str:
    """X's token endpoint; the ``X_API_URL`` setting points it (and the API) elsewhere."""
    return (getattr(settings, "X_API_URL", None) or API_URL).rstrip("/") + TOKEN_PATH


def _token_request(form: dict[str, str], refused: str) -> Tokens:
    identity = client_id()
    if not identity:
        raise ConnectorError(
            "Connecting X needs this installation's X app: set HARKEN_X_CLIENT_ID.",
            permanent=True,
        )
    headers = {"Accept": "application/json"}
    secret = client_secret()
    if secret:  # a confidential client proves itself with Basic auth
        basic = base64.b64encode(f"{identity}:{secret}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {basic}"
    else:  # a public client only names itself
        form = {**form, "client_id": identity}
    response = http.post(
        token_url(), data=form, headers=headers, raise_for_status=False, attempts=TOKEN_ATTEMPTS
    )
    body = _json(response)
    if response.status_code >= 400 or "access_token" not in body:
        raise ConnectorError(f"{refused}: {_x_words(response, body)}", permanent=True)
    return _tokens(body)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _x_words(response: Any, body: dict[str, Any]) -> str:
    """X's own reason: ``error_description`` (``error``), else the status line."""
    error = str(body.get("error") or "")
    description = str(body.get("error_description") or body.get("detail") or "")
    if description and error:
        return f"{description} ({error})"
    return description or error or f"HTTP {response.status_code} {response.reason_phrase}"


def _tokens(body: dict[str, Any]) -> Tokens:
    expires_in = str(body.get("expires_in") or "")
    expires_at = int(time.time()) + int(expires_in) if expires_in.isdigit() else None
    return Tokens(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=expires_at,
        scope=str(body.get("scope") or ""),
    )


def do_connect_x_oauth(
    workspace: Any, actor: Any, code: str, verifier: str, redirect_uri: str
) -> Account:
    """Exchange the code, ask X whose token it is (``GET /2/users/me``, a read billed
    against the workspace's cap like every other), then save the account.

    X is asked first and the database written after, so a refusal saves nothing and no
    transaction is held across a network call."""
    tokens = exchange_code(code, verifier, redirect_uri)
    connector = connector_for(network="x", config=tokens.as_config(), workspace=workspace)
    me = connector.me()  # type: ignore[attr-defined]
    # The connector's copy: had X refused the new token, it renewed it in memory.
    config: dict[str, Any] = dict(connector.config)
    config.update(user_id=str(me["id"]), handle=me["username"])
    return save_connected(workspace, actor, "x", str(me["id"]), f"@{me['username']}", config)
