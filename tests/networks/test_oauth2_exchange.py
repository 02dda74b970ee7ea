"""``harken.networks.oauth2.exchange``: one token request for every OAuth 2.0 network,
against a local token endpoint answering in the shapes networks use (RFC 6749's
``error``/``error_description``, a Graph-style ``error`` object, a bare ``message``)."""

from __future__ import annotations

import json
import time

import pytest

from harken.networks.base import ConnectorError
from harken.networks.oauth2 import exchange
from tests.lib.localserver import Reply


def answer(payload, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json"})


@pytest.fixture
def token_url(loopback, server):
    return server.url("/token")


def test_the_answer_becomes_the_token_keys(server, token_url):
    server.route(
        "/token",
        answer(
            {
                "access_token": "a-1",
                "refresh_token": "r-1",
                "expires_in": 3600,
                "refresh_expires_in": 86400,
                "scope": ["one", "two"],
                "open_id": "u-9",
            }
        ),
    )
    tokens = exchange(
        token_url, {"grant_type": "authorization_code", "code": "c"}, refused="N", keep=("open_id",)
    )
    now = time.time()
    assert (tokens["access_token"], tokens["refresh_token"], tokens["scope"]) == (
        "a-1",
        "r-1",
        "one two",
    )
    assert now + 3590 < tokens["expires_at"] <= now + 3600
    assert now + 86390 < tokens["refresh_expires_at"] <= now + 86400
    assert tokens["open_id"] == "u-9"
    (seen,) = server.hits("/token")
    assert seen.body == b"grant_type=authorization_code&code=c"
    assert seen.headers["accept"] == "application/json"


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (
            {"error": "invalid_grant", "error_description": "Code expired."},
            "Code expired. (invalid_grant)",
        ),
        (
            {"error": {"message": "Invalid verification code format.", "code": 100}},
            "Invalid verification code format.",
        ),
        ({"code": 1, "message": "Invalid authorization code"}, "Invalid authorization code"),
        ({"error": "invalid_client"}, "invalid_client"),
        ({}, "HTTP 400 Bad Request"),
    ],
)
def test_a_refusal_is_permanent_in_the_networks_words(server, token_url, payload, words):
    server.route("/token", answer(payload, 400))
    with pytest.raises(ConnectorError) as caught:
        exchange(token_url, {"code": "c"}, refused="Net refused the sign-in")
    assert caught.value.permanent
    assert caught.value.message == f"Net refused the sign-in: {words}"


def test_an_answer_without_a_token_is_a_refusal(server, token_url):
    server.route("/token", answer({"token_type": "bearer"}))
    with pytest.raises(ConnectorError) as caught:
        exchange(token_url, {"code": "c"}, refused="Net refused the sign-in")
    assert caught.value.permanent and caught.value.message.startswith("Net refused the sign-in")
