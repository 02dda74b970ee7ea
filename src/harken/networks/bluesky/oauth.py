"""Sign in with Bluesky: the atproto OAuth profile (atproto.com/specs/oauth), as a public
web client.

The flow, each step checked as the spec asks:

1. *Identity*: the handle (or DID) → DID → DID document → the account's PDS
   (``identity.py``).
2. *Discovery*: the PDS's ``/.well-known/oauth-protected-resource`` names its
   authorization server; that server's ``/.well-known/oauth-authorization-server`` must
   name itself as ``issuer`` and offer what atproto requires (PAR, PKCE S256, DPoP ES256,
   the ``iss`` response parameter, client metadata documents).
3. *Pushed authorization request* with PKCE (S256), ``state``, ``login_hint`` and a DPoP
   proof from a key made for this sign-in; the browser then goes to the server's
   authorization page with only ``client_id`` and ``request_uri``.
4. *Callback*: ``state`` and ``iss`` must match what was started, the code is exchanged
   (DPoP again), and the token's ``sub`` must be the DID resolved in step 1: a server
   may only sign in the accounts it hosts.

Harken's ``client_id`` is the URL of the client metadata document it serves
(``/networks/bluesky/client-metadata.json``) when ``HARKEN_BASE_URL`` is https. An install
on http://127.0.0.1 uses the spec's loopback client (``http://localhost?redirect_uri=…``),
which needs no document; any other plain-http install cannot use OAuth (app passwords
still work).

Tokens: access tokens live minutes, refresh tokens rotate on every use and a reused one
revokes the whole session. So refreshes go through ``harken.networks.renewal``: one
worker claims the renewal on the account row, the others wait for and use its result,
and no database lock is held while the authorization server answers.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
from atproto_client import exceptions as atproto_errors
from atproto_client.request import RequestBase, Response, _handle_response, _parse_response
from django.conf import settings
from django.urls import reverse

from harken.core.crypto import decrypt_json, encrypt_json
from harken.lib import http
from harken.networks.base import ConnectorError
from harken.networks.bluesky import dpop
from harken.networks.bluesky.dpop import DPoPKey, s256
from harken.networks.bluesky.identity import check_endpoint, parse_login, resolve_identity
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.renewal import TokenLayout, renew_once

log = logging.getLogger(__name__)

#: ``transition:chat.bsky``: the account's direct messages (``chat.py``).
SCOPE = "atproto transition:generic transition:chat.bsky"
CLIENT_NAME = "Harken"
TIMEOUT = 15.0
# Short: a refresh holds the account row's lock (on SQLite, the database's write lock).
REFRESH_TIMEOUT = 8.0
REFRESH_AHEAD = 60  # seconds: refresh a token this close to its expiry
SIGN_IN_LIFETIME = 30 * 60  # seconds a started sign-in may take
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


# --- the client ------------------------------------------------------------------------


@dataclass(frozen=True)
class OAuthClient:
    """Harken as an OAuth client: its ``client_id`` and where the server sends people back."""

    client_id: str
    redirect_uri: str
    base: str  # the origin Harken is served on

    @property
    def loopback(self) -> bool:
        return self.client_id.startswith("http://localhost")


def oauth_client(base_url: str | None = None) -> OAuthClient:
    """The client for this installation's ``HARKEN_BASE_URL``; ``ConnectorError`` when no
    atproto server could accept it (plain http on a non-loopback host)."""
    parts = urlsplit((base_url or settings.BASE_URL).strip())
    base = f"{parts.scheme}://{parts.netloc}".lower()
    callback = reverse("networks:connect_callback", args=["bluesky"])
    if parts.scheme == "https":
        metadata = base + reverse("networks:bluesky_client_metadata")
        return OAuthClient(metadata, base + callback, base)
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        # The spec's loopback client: the server reads redirect_uri and scope from the
        # client_id itself, and the redirect must name an IP literal, not "localhost".
        host = "[::1]" if parts.hostname == "::1" else "127.0.0.1"
        port = f":{parts.port}" if parts.port else ""
        redirect = f"http://{host}{port}{callback}"
        client_id = "http://localhost?" + urlencode({"redirect_uri": redirect, "scope": SCOPE})
        return OAuthClient(client_id, redirect, f"http://{host}{port}")
    raise ConnectorError(
        "Signing in with Bluesky needs Harken on HTTPS (set HARKEN_BASE_URL to its https:// "
        "address) or opened at http://127.0.0.1. Connect with an app password instead.",
        permanent=True,
    )


def check_browser_host(client: OAuthClient, host: str) -> None:
    """Bluesky sends the browser back to ``client.redirect_uri``: a person browsing Harken
    under another name (``localhost`` for ``127.0.0.1``) would arrive without their login."""
    expected = urlsplit(client.redirect_uri).netloc.lower()
    if host.lower() != expected:
        raise ConnectorError(
            f"Open Harken at {client.base} to sign in with Bluesky: Bluesky sends you back "
            "there, and your login here would not carry over.",
            permanent=True,
        )


def client_metadata(client: OAuthClient) -> dict[str, Any]:
    """The client metadata document that ``client.client_id`` points at."""
    return {
        "client_id": client.client_id,
        "client_name": CLIENT_NAME,
        "client_uri": client.base,
        "redirect_uris": [client.redirect_uri],
        "scope": SCOPE,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "web",
        "dpop_bound_access_tokens": True,
    }


# --- discovery -------------------------------------------------------------------------


def discover(pds: str) -> dict[str, Any]:
    """The authorization server metadata for ``pds``, checked against atproto's profile."""
    resource = _get_json(f"{pds}/.well-known/oauth-protected-resource", pds)
    if str(resource.get("resource", "")).rstrip("/").lower() != pds:
        raise _not_atproto(pds, "its resource metadata describes another server")
    servers = resource.get("authorization_servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], str):
        raise _not_atproto(pds, "it names no authorization server")
    issuer = servers[0]
    if check_endpoint(issuer, "authorization server") != issuer.lower():
        raise _not_atproto(issuer, "its issuer is not a bare https origin")
    metadata = _get_json(f"{issuer}/.well-known/oauth-authorization-server", issuer)
    if metadata.get("issuer") != issuer:
        raise _not_atproto(issuer, "its metadata names another issuer")
    _check_server(issuer, metadata)
    return metadata


#: What atproto requires of an authorization server: (field, a value it must offer).
REQUIRED: tuple[tuple[str, Any], ...] = (
    ("response_types_supported", "code"),
    ("grant_types_supported", "authorization_code"),
    ("grant_types_supported", "refresh_token"),
    ("code_challenge_methods_supported", "S256"),
    ("token_endpoint_auth_methods_supported", "none"),
    ("scopes_supported", "atproto"),
    ("dpop_signing_alg_values_supported", "ES256"),
    ("authorization_response_iss_parameter_supported", True),
    ("require_pushed_authorization_requests", True),
    ("client_id_metadata_document_supported", True),
)
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "pushed_authorization_request_endpoint")


def _check_server(issuer: str, metadata: Mapping[str, Any]) -> None:
    for field, value in REQUIRED:
        offered = metadata.get(field)
        if not (offered is value or (isinstance(offered, list) and value in offered)):
            raise _not_atproto(issuer, f"{field} lacks {value}")
    for field in ENDPOINTS:
        url = metadata.get(field)
        if not isinstance(url, str) or urlsplit(url).scheme not in ("https", "http"):
            raise _not_atproto(issuer, f"it has no {field}")
        check_endpoint(url, "authorization server")


def _not_atproto(server: str, why: str) -> ConnectorError:
    return ConnectorError(
        f"{server} does not offer atproto OAuth sign-in ({why}). Connect with an app "
        "password instead.",
        permanent=True,
    )


def _get_json(url: str, server: str) -> dict[str, Any]:
    response = http.get(url, timeout=TIMEOUT, max_bytes=256 * 1024, raise_for_status=False)
    if response.status_code != 200:
        raise _not_atproto(server, f"{urlsplit(url).path} answered HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _not_atproto(server, f"{urlsplit(url).path} is not a JSON object")
    return body


# --- signing in ------------------------------------------------------------------------


def start_sign_in(
    login: str, client: OAuthClient, state: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Resolve ``login``, push the authorization request, and return the URL to send the
    browser to and the pending state to keep (sealed) in the person's session. ``state``
    is the one the connect views keep (a fresh one when not given)."""
    entered = parse_login(login)
    identity = resolve_identity(entered)
    server = discover(identity.pds)
    key = DPoPKey.generate()
    nonces: dict[str, str] = {}
    state, verifier = state or secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    form = {
        "client_id": client.client_id,
        "response_type": "code",
        "redirect_uri": client.redirect_uri,
        "scope": SCOPE,
        "state": state,
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        "login_hint": entered,
    }
    par = server["pushed_authorization_request_endpoint"]
    answer = _answer(dpop.send("POST", par, key=key, nonces=nonces, data=form, timeout=TIMEOUT))
    request_uri = answer.get("request_uri")
    if not isinstance(request_uri, str) or not request_uri:
        raise ConnectorError(f"{server['issuer']} returned no request_uri.", permanent=True)
    query = urlencode({"client_id": client.client_id, "request_uri": request_uri})
    pending = {
        "state": state,
        "verifier": verifier,
        "dpop_key": key.jwk(),
        "dpop_nonces": nonces,
        "issuer": server["issuer"],
        "token_endpoint": server["token_endpoint"],
        "did": identity.did,
        "handle": identity.handle,
        "pds": identity.pds,
        "client_id": client.client_id,
        "redirect_uri": client.redirect_uri,
        "started": time.time(),
    }
    return f"{server['authorization_endpoint']}?{query}", pending


def seal(pending: Mapping[str, Any]) -> str:
    """The pending sign-in, encrypted: it holds the DPoP private key and PKCE verifier."""
    return encrypt_json(dict(pending))


def unseal(sealed: str | None) -> dict[str, Any]:
    pending = decrypt_json(sealed) if sealed else {}
    if not pending or time.time() - float(pending.get("started", 0)) > SIGN_IN_LIFETIME:
        raise _expired()
    return pending


def _expired() -> ConnectorError:
    return ConnectorError(
        "This sign-in link expired or was not started here; sign in with Bluesky again.",
        permanent=True,
    )


def do_finish_sign_in(
    workspace: Any, actor: Any, pending: Mapping[str, Any], params: Mapping[str, str]
) -> Account:
    """Check the authorization server's answer, exchange the code, and save the account.
    Nothing is saved unless every check passes."""
    given = (params.get("state") or "").encode()
    expected = str(pending.get("state", "")).encode()
    if not given or not secrets.compare_digest(expected, given):
        raise _expired()
    if params.get("error"):
        words = params.get("error_description") or params["error"]
        raise ConnectorError(f"Bluesky did not grant access: {words}", permanent=True)
    if params.get("iss") != pending["issuer"]:
        raise ConnectorError(
            f"The answer claims to come from {params.get('iss') or 'nowhere'}, not from "
            f"{pending['issuer']} where the sign-in started; nothing was connected.",
            permanent=True,
        )
    if not params.get("code"):
        raise ConnectorError("Bluesky sent no authorization code; sign in again.", permanent=True)
    key = DPoPKey(pending["dpop_key"])
    nonces = dict(pending.get("dpop_nonces") or {})
    form = {
        "grant_type": "authorization_code",
        "code": params["code"],
        "redirect_uri": pending["redirect_uri"],
        "code_verifier": pending["verifier"],
        "client_id": pending["client_id"],
    }
    endpoint = pending["token_endpoint"]
    response = dpop.send("POST", endpoint, key=key, nonces=nonces, data=form, timeout=TIMEOUT)
    tokens = _tokens(_answer(response), pending["did"])
    config = {
        "auth": "oauth",
        "did": pending["did"],
        "handle": pending["handle"],
        "pds": pending["pds"],
        "issuer": pending["issuer"],
        "token_endpoint": endpoint,
        "client_id": pending["client_id"],
        "dpop_key": key.jwk(),
        "dpop_nonces": nonces,
        **tokens,
    }
    shown = pending["handle"] or pending["did"]
    return save_connected(workspace, actor, "bluesky", pending["did"], shown, config)


def _answer(response: httpx.Response) -> dict[str, Any]:
    """A token or PAR endpoint's JSON answer, or its error in its own words."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if 200 <= response.status_code < 300:
        return body
    error = str(body.get("error") or f"HTTP {response.status_code}")
    words = str(body.get("error_description") or error)
    if error == "invalid_grant":
        raise ConnectorError(
            f"Bluesky no longer accepts this sign-in ({words}): reconnect the account.",
            permanent=True,
        )
    if response.status_code == 429 or response.status_code >= 500:
        raise ConnectorError(
            f"Bluesky's sign-in server is busy ({words}).",
            retry_after=http.retry_after_seconds(response.headers),
        )
    raise ConnectorError(f"Bluesky refused the sign-in: {words}", permanent=True)


def _tokens(body: Mapping[str, Any], did: str) -> dict[str, Any]:
    """The token answer's tokens, after checking they are DPoP tokens for ``did`` with the
    ``atproto`` scope."""
    if str(body.get("token_type", "")).lower() != "dpop":
        raise ConnectorError("Bluesky issued a token that is not DPoP-bound.", permanent=True)
    if body.get("sub") != did:
        raise ConnectorError(
            f"Bluesky signed in {body.get('sub') or 'an unnamed account'}, not {did} as "
            "asked; nothing was connected.",
            permanent=True,
        )
    if "atproto" not in str(body.get("scope", "")).split():
        raise ConnectorError("Bluesky granted no atproto access.", permanent=True)
    access, refresh = body.get("access_token"), body.get("refresh_token")
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        raise ConnectorError("Bluesky's token answer lacks a token.", permanent=True)
    expires_in = body.get("expires_in")
    lifetime = float(expires_in) if isinstance(expires_in, int | float) else 300.0
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expires_at": time.time() + lifetime,
        "scope": str(body.get("scope")),
    }


# --- refreshing ------------------------------------------------------------------------

BLUESKY_TOKENS = TokenLayout(network="Bluesky", access_key="access_token", margin=REFRESH_AHEAD)


def needs_refresh(config: Mapping[str, Any], refused: str | None = None) -> bool:
    """The access token is about to expire, or it is the one the PDS just refused."""
    if refused and config.get("access_token") == refused:
        return True
    return float(config.get("expires_at") or 0) - time.time() < REFRESH_AHEAD


def account_id_for(config: Mapping[str, Any], workspace_id: Any) -> int | None:
    """The saved account these tokens belong to (how ``save_connected`` finds it too)."""
    if workspace_id is None or not config.get("did"):
        return None
    accounts = Account.objects.filter(
        workspace_id=workspace_id, network="bluesky", external_id=config["did"]
    )
    return accounts.values_list("pk", flat=True).first()


def refresh(config: Mapping[str, Any]) -> dict[str, Any]:
    """Spend the refresh token for new tokens (the refresh token rotates)."""
    key = DPoPKey(config["dpop_key"])
    nonces = dict(config.get("dpop_nonces") or {})
    form = {
        "grant_type": "refresh_token",
        "refresh_token": config["refresh_token"],
        "client_id": config["client_id"],
    }
    endpoint = config["token_endpoint"]
    log.info("Refreshing the Bluesky tokens of %s", config.get("did"))
    response = dpop.send(
        "POST", endpoint, key=key, nonces=nonces, data=form, timeout=REFRESH_TIMEOUT
    )
    tokens = _tokens(_answer(response), str(config.get("did")))
    return {**config, **tokens, "dpop_nonces": nonces}


# --- requests to the PDS ---------------------------------------------------------------


class OAuthSession:
    """DPoP-authorised requests to the account's PDS for a connector, refreshing its
    tokens (``connector.config``) ahead of expiry and once when the PDS refuses one."""

    def __init__(self, connector: Any) -> None:
        self.connector = connector
        self._key: DPoPKey | None = None
        self._key_jwk: Any = None

    @property
    def config(self) -> dict[str, Any]:
        return self.connector.config

    def key(self) -> DPoPKey:
        if self._key is None or self._key_jwk != self.config["dpop_key"]:
            self._key_jwk = self.config["dpop_key"]
            self._key = DPoPKey(self._key_jwk)
        return self._key

    def request(
        self, method: str, url: str, headers: Mapping[str, str], **body: Any
    ) -> httpx.Response:
        self.ensure_fresh()
        response = self._send(method, url, headers, body)
        if _token_refused(response):
            self.ensure_fresh(refused=self.config["access_token"])
            response = self._send(method, url, headers, body)
        return response

    def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: dict[str, Any]
    ) -> httpx.Response:
        nonces = self.config.setdefault("dpop_nonces", {})
        return dpop.send(
            method,
            url,
            key=self.key(),
            nonces=nonces,
            access_token=self.config["access_token"],
            headers=headers,
            **body,
        )

    def ensure_fresh(self, refused: str | None = None) -> None:
        if not needs_refresh(self.config, refused):
            return
        account_id = account_id_for(self.config, self.connector.workspace_id)
        if account_id is None:
            # No saved account holds these tokens (a connect in progress): refresh in
            # memory and let the caller save them.
            self.config.update(refresh(self.config))
            self.connector.config_changed = True
            return
        fresh = renew_once(
            BLUESKY_TOKENS,
            account_id,
            str(self.config.get("access_token", "")),
            refused is not None,
            refresh,
        )
        if fresh.get("auth") != "oauth":
            raise ConnectorError(
                "This Bluesky account was disconnected or reconnected differently; connect "
                "it again.",
                permanent=True,
            )
        self.config.clear()
        self.config.update(fresh)


def _token_refused(response: httpx.Response) -> bool:
    if response.status_code != 401:
        return False
    if 'error="invalid_token"' in response.headers.get("www-authenticate", ""):
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("error") in ("InvalidToken", "ExpiredToken")


class DPoPRequest(RequestBase):
    """The atproto SDK's request class, sending through ``OAuthSession``: the SDK's
    ``Client`` builds the XRPC calls and parses the answers, unchanged."""

    def __init__(self, session: OAuthSession) -> None:
        super().__init__()
        self.session = session

    def _new_instance(self) -> DPoPRequest:
        return type(self)(self.session)

    def _send_request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = self.get_headers(kwargs.pop("headers", None))
        body: dict[str, Any] = {}
        if kwargs.get("params"):
            body["params"] = kwargs["params"]
        content = kwargs.get("content", kwargs.get("data"))
        if content is not None:
            body["content"] = content
        try:
            response = self.session.request(method, url, headers, **body)
        except ConnectorError as error:
            # Timeouts and dropped connections as the SDK names them, so the connector's
            # retry (with a fresh proof) treats them as it treats the SDK's own.
            if isinstance(error.__cause__, httpx.TimeoutException):
                raise atproto_errors.InvokeTimeoutError() from error
            if isinstance(error.__cause__, httpx.TransportError):
                raise atproto_errors.NetworkError() from error
            raise
        return _handle_response(response)

    def get(self, *args: Any, **kwargs: Any) -> Response:
        return _parse_response(self._send_request("GET", *args, **kwargs))

    def post(self, *args: Any, **kwargs: Any) -> Response:
        return _parse_response(self._send_request("POST", *args, **kwargs))

    def close(self) -> None:
        """Nothing to close: ``harken.lib.http`` opens a client per request."""
