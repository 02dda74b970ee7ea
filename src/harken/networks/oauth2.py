"""What every OAuth 2.0 connect flow shares: the ``state`` that ties a callback to the
browser session that started it, PKCE (RFC 7636), the network's words when it sends
the person back without a code, and the code's (or a refresh token's) exchange for
tokens (``exchange``).

The state and the PKCE verifier live only in the person's session (server side), never
in a URL Harken hands out, so a callback someone else started is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from harken.lib import http
from harken.lib.env import env_secret
from harken.networks.base import ConnectorError

#: Bytes of randomness in ``state`` and in the PKCE verifier (RFC 7636 asks for >= 32).
RANDOM_BYTES = 32


@dataclass(frozen=True)
class OAuthApp:
    """The app an installation registers with a network (its id and secret in
    ``id_variable`` / ``secret_variable``, read with ``env_secret``) and the network's
    consent page for it (``authorize``, or the ``authorize_setting`` that points it
    elsewhere in tests). A network missing its keys is hidden (``configured``), and a
    token request without them says which to set (``require``)."""

    network: str
    id_variable: str
    secret_variable: str
    authorize: str
    authorize_setting: str
    scopes: tuple[str, ...]
    #: What the person registers: "Pinterest app", "Google OAuth client".
    app: str = ""
    scope_separator: str = ","
    #: The id's name in the consent page's query (TikTok: ``client_key``).
    id_parameter: str = "client_id"
    #: Where the consent page is under ``authorize`` (LinkedIn's setting names its base).
    authorize_path: str = ""
    #: Who refuses a sign-in in the words of a refusal (Google, for its Business Profile),
    #: and what a renewal renews the sign-in of ("the blog's").
    signer: str = ""
    signed: str = "account"
    #: The app's keys go with a token request as HTTP Basic (Pinterest), not in the form.
    basic_auth: bool = False
    #: Fields of a token answer kept beside the tokens (TikTok's ``open_id``).
    keep: tuple[str, ...] = ()

    def client_id(self) -> str:
        return env_secret(self.id_variable).strip()

    def client_secret(self) -> str:
        return env_secret(self.secret_variable).strip()

    def configured(self) -> bool:
        return bool(self.client_id() and self.client_secret())

    def require(self) -> None:
        if not self.configured():
            raise ConnectorError(
                f"Connecting {self.network} needs this installation's "
                f"{self.app or self.network + ' app'}: set {self.id_variable} and "
                f"{self.secret_variable}.",
                permanent=True,
            )

    def tokens(self, url: str, form: Mapping[str, str], refused: str) -> dict[str, Any]:
        """One token request at ``url`` with the app's keys (``exchange``)."""
        self.require()
        if self.basic_auth:
            pair = f"{self.client_id()}:{self.client_secret()}".encode()
            basic = {"Authorization": f"Basic {base64.b64encode(pair).decode()}"}
            return exchange(url, form, refused=refused, headers=basic, keep=self.keep)
        keys = {self.id_parameter: self.client_id(), "client_secret": self.client_secret()}
        return exchange(url, {**form, **keys}, refused=refused, keep=self.keep)

    def exchange_code(self, url: str, code: str, redirect_uri: str, **more: str) -> dict[str, Any]:
        """The callback's ``code`` (with ``more``: a PKCE verifier) as token config keys."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return self.tokens(
            url, {**form, **more}, f"{self.signer or self.network} refused the sign-in"
        )

    def renew(self, url: str, refresh_token: str) -> dict[str, Any]:
        """Fresh tokens from ``refresh_token``, which is kept when no new one comes."""
        tokens = self.tokens(
            url,
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            f"{self.signer or self.network} refused to renew the {self.signed}'s sign-in; "
            "reconnect it",
        )
        tokens["refresh_token"] = tokens["refresh_token"] or refresh_token
        return tokens

    def authorize_url(self, redirect_uri: str, state: str, **extra: str) -> str:
        """The consent page for this app, with the network's ``extra`` parameters."""
        base = str(getattr(settings, self.authorize_setting, self.authorize))
        if self.authorize_path:
            base = base.rstrip("/") + self.authorize_path
        query = {
            self.id_parameter: self.client_id(),
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": self.scope_separator.join(self.scopes),
            "state": state,
            **extra,
        }
        return f"{base}?{urlencode(query)}"


def new_state() -> str:
    return secrets.token_urlsafe(RANDOM_BYTES)


def check_state(expected: str | None, given: str | None) -> None:
    """Refuse a callback whose ``state`` is not the one this session started with (a
    forged one may hold any characters: compared as bytes, it is refused, not a 500)."""
    if not expected or not given or not secrets.compare_digest(expected.encode(), given.encode()):
        raise ConnectorError(
            "This sign-in link expired or was not started here; connect again.", permanent=True
        )


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``(verifier, S256 challenge)``: the verifier is 43 characters of the
    unreserved set, the challenge its SHA-256 in unpadded base64url (RFC 7636 §4)."""
    verifier = secrets.token_urlsafe(RANDOM_BYTES)
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_consent(network: str, query: Mapping[str, str]) -> str:
    """The ``code`` of a callback, or the network's reason for sending the person back
    without one (``error=access_denied`` when they pressed Cancel)."""
    error = query.get("error", "")
    if error == "access_denied":
        raise ConnectorError(
            f"Access was not granted on {network}, so nothing was connected.", permanent=True
        )
    if error:
        words = query.get("error_description") or error
        raise ConnectorError(f"{network} did not connect the account: {words}", permanent=True)
    code = query.get("code", "")
    if not code:
        raise ConnectorError(
            f"{network} sent no authorization code; connect again.", permanent=True
        )
    return code


#: Attempts at a token request: a 5xx or a timeout is tried again (a code is spent only
#: when the network answers it, and then its answer is final).
TOKEN_ATTEMPTS = 3


def oauth_words(response: httpx.Response, body: dict[str, Any]) -> str:
    """The network's reason for refusing a token request: RFC 6749's
    ``error_description (error)``, a Graph-style ``error.message``, a bare ``message``
    (LinkedIn, Pinterest), else the status line."""
    error = body.get("error")
    if isinstance(error, dict):
        message = str(error.get("message") or "").strip()
        if message:
            return message
        error = error.get("code") or ""
    description = str(body.get("error_description") or body.get("message") or "").strip()
    error = str(error or "").strip()
    if description and error:
        return f"{description} ({error})"
    return description or error or f"HTTP {response.status_code} {response.reason_phrase}"


def exchange(
    url: str,
    form: Mapping[str, str],
    *,
    refused: str,
    headers: Mapping[str, str] | None = None,
    words: Callable[[httpx.Response, dict[str, Any]], str] = oauth_words,
    keep: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Post one token request (a code, or a refresh token, with the app's credentials in
    ``form`` or ``headers``) and return the token config keys: ``access_token``,
    ``refresh_token`` ("" when none came), ``expires_at`` and ``refresh_expires_at``
    (epoch seconds, None when the network gave no lifetime), ``scope``, and the ``keep``
    fields of the answer (an id the network names the account by).

    A refusal is a permanent ``ConnectorError``: ``refused`` ("LinkedIn refused the
    sign-in"), then the network's words (``words``)."""
    response = http.post(
        url,
        data=dict(form),
        headers={"Accept": "application/json", **(headers or {})},
        raise_for_status=False,
        attempts=TOKEN_ATTEMPTS,
    )
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status_code >= 400 or "access_token" not in body:
        raise ConnectorError(f"{refused}: {words(response, body)}", permanent=True)
    now = int(time.time())
    scope = body.get("scope") or ""
    tokens: dict[str, Any] = {
        "access_token": str(body["access_token"]),
        "refresh_token": str(body.get("refresh_token") or ""),
        "expires_at": _after(now, body.get("expires_in")),
        "refresh_expires_at": _after(
            now, body.get("refresh_token_expires_in") or body.get("refresh_expires_in")
        ),
        "scope": " ".join(map(str, scope)) if isinstance(scope, list) else str(scope),
    }
    tokens.update({key: str(body.get(key) or "") for key in keep})
    return tokens


def _after(now: int, seconds: Any) -> int | None:
    text = str(seconds or "")
    return now + int(text) if text.isdigit() else None
