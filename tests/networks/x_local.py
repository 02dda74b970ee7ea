"""A local X for OAuth tests: the token endpoint and ``GET /2/users/me`` on a real HTTP
server (tests/lib/localserver.py), answering as X documents and as X really answered.

``/2/users/me`` serves the body X sent in tweepy's recording; the token endpoint answers
in the shape docs.x.com documents for ``POST /2/oauth2/token`` (X's token responses are
not in the recordings): ``token_type``, ``expires_in`` (7200 s), ``access_token``,
``scope`` and, with ``offline.access``, a ``refresh_token``.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import yaml
from vcr.filters import decode_response

from tests.lib.localserver import Reply, Seen
from tests.networks.recorded import recorded

CLIENT_ID = "rG9n6402A3dbUJKzXTNX4oWHJ"
CLIENT_SECRET = "x-client-secret"
TOKEN_PATH = "/2/oauth2/token"
ME_PATH = "/2/users/me"
SCOPE = "tweet.read tweet.write users.read offline.access"


def recorded_body(cassette: str) -> str:
    """The body of the first answer X sent in one of tweepy's recordings."""
    data = yaml.safe_load(recorded("x-tweepy", cassette).read_text())
    response = decode_response(data["interactions"][0]["response"])
    body = response["body"]["string"]
    return body.decode() if isinstance(body, bytes) else body


def recorded_me() -> str:
    """The body X sent for ``GET /2/users/me`` in tweepy's recording (@TweepyDev)."""
    return recorded_body("test_client_get_me.yaml")


def mentions_reply(token: str) -> Reply:
    """The recorded first page of a mentions timeline, for one bearer token."""
    return Reply(
        200,
        recorded_body("test_client_get_users_mentions.yaml"),
        headers={"Content-Type": "application/json"},
        when=lambda h: h.get("authorization") == f"Bearer {token}",
    )


def token_reply(access: str, refresh: str, expires_in: int = 7200, delay: float = 0.0) -> Reply:
    body = {
        "token_type": "bearer",
        "expires_in": expires_in,
        "access_token": access,
        "scope": SCOPE,
        "refresh_token": refresh,
    }
    return Reply(200, json.dumps(body), headers={"Content-Type": "application/json"}, delay=delay)


def refusal(description: str = "Value passed for the token was invalid.") -> Reply:
    """How X answers a spent or revoked refresh token, or a bad code."""
    body = {"error": "invalid_request", "error_description": description}
    return Reply(400, json.dumps(body), headers={"Content-Type": "application/json"})


def me_reply(token: str | None = None) -> Reply:
    """The recorded ``/users/me`` answer; with ``token``, only for that bearer token."""
    when = None if token is None else (lambda h: h.get("authorization") == f"Bearer {token}")
    return Reply(200, recorded_me(), headers={"Content-Type": "application/json"}, when=when)


def unauthorized(token: str) -> Reply:
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    return Reply(
        401,
        json.dumps(body),
        headers={"Content-Type": "application/json"},
        when=lambda h: h.get("authorization") == f"Bearer {token}",
    )


def form(seen: Seen) -> dict[str, str]:
    """A token request's form, one value per field."""
    return {key: values[0] for key, values in parse_qs(seen.body.decode()).items()}
