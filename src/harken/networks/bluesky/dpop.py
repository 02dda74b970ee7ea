"""DPoP (RFC 9449), as atproto OAuth requires it on every token and resource request.

Each connected account gets its own ES256 (P-256) key, made when the sign-in starts and
kept, encrypted, with its tokens: the tokens are bound to it, so a leaked access token is
useless without the key. Every request carries a fresh proof, a JWT signed with the key
that names the method and URL (``htm``, ``htu``), a unique ``jti``, the time, the
server's latest nonce and, towards the PDS, the hash of the access token (``ath``).

Servers rotate nonces and say so in a ``DPoP-Nonce`` header; a request with a stale one
is refused with ``use_dpop_nonce`` (a 400 JSON error from the authorization server, a 401
``WWW-Authenticate: DPoP error="use_dpop_nonce"`` from the PDS) and is sent again, once,
with the new nonce. Nonces are kept per server origin in a dict the caller persists.

JWTs are made with joserfc (JWS/JWK/JWT from the Authlib author, typed, maintained), not
by hand: getting the ES256 signature encoding or the JWK thumbprint subtly wrong is easy.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import ECKey

from harken.lib import http

ALGORITHM = "ES256"


class DPoPKey:
    """One account's DPoP key; ``jwk()`` is what is stored (encrypted) in its config."""

    def __init__(self, private_jwk: Mapping[str, Any]) -> None:
        self._key = ECKey.import_key(dict(private_jwk))
        self._public = self._key.as_dict(private=False)

    @classmethod
    def generate(cls) -> DPoPKey:
        return cls(ECKey.generate_key("P-256").as_dict(private=True))

    def jwk(self) -> dict[str, Any]:
        return dict(self._key.as_dict(private=True))

    def thumbprint(self) -> str:
        """RFC 7638 thumbprint: what a server binds the tokens to (``cnf.jkt``)."""
        return str(self._key.thumbprint())

    def proof(
        self, method: str, url: str, *, nonce: str | None = None, access_token: str | None = None
    ) -> str:
        claims: dict[str, Any] = {
            "jti": secrets.token_urlsafe(24),
            "htm": method.upper(),
            "htu": target_uri(url),
            "iat": int(time.time()),
        }
        if nonce:
            claims["nonce"] = nonce
        if access_token:
            claims["ath"] = s256(access_token)
        header = {"typ": "dpop+jwt", "alg": ALGORITHM, "jwk": self._public}
        return jwt.encode(header, claims, self._key, algorithms=[ALGORITHM])


def s256(value: str) -> str:
    """base64url(SHA-256(value)) without padding: PKCE's S256 and DPoP's ``ath`` alike."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def target_uri(url: str) -> str:
    """``htu``: the request URL without its query and fragment (RFC 9449, 4.2)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def wants_nonce(response: httpx.Response) -> bool:
    """The server refused the proof's nonce (or its lack of one)."""
    if response.status_code not in (400, 401):
        return False
    challenge = response.headers.get("www-authenticate", "")
    if 'error="use_dpop_nonce"' in challenge:
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") == "use_dpop_nonce"


def send(
    method: str,
    url: str,
    *,
    key: DPoPKey,
    nonces: MutableMapping[str, str],
    access_token: str | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    **body: Any,
) -> httpx.Response:
    """Send one DPoP request through ``harken.lib.http`` and return the response, error
    statuses included (the caller reads the server's own error). ``body`` is ``data``,
    ``content``, ``json`` or ``params``.

    It is sent once (``attempts=1``): a proof may be used only once, so a retry after a
    timeout or a 5xx is the caller's, with a new proof. Only the nonce retry is done here.
    """
    server = origin(url)
    for _ in range(2):
        sent_nonce = nonces.get(server)
        proof = key.proof(method, url, nonce=sent_nonce, access_token=access_token)
        outgoing = {**(headers or {}), "DPoP": proof}
        if access_token:
            outgoing["Authorization"] = f"DPoP {access_token}"
        try:
            response = http.request(
                method,
                url,
                headers=outgoing,
                timeout=timeout,
                attempts=1,
                raise_for_status=False,
                **body,
            )
        except http.HttpStatusError as error:
            response = error.response  # a 429 or 5xx: the caller decides what it means
        fresh = response.headers.get("dpop-nonce")
        if fresh:
            nonces[server] = fresh
        if not (wants_nonce(response) and fresh and fresh != sent_nonce):
            return response
    return response
