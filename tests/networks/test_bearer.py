"""The shared bearer-token JSON client (``harken.networks.bearer``) against a real local
HTTP server: what every REST network's calls get from it (Pinterest, TikTok, Google
Business Profile, LinkedIn), in one place. The answers are generic JSON refusals; each
network's own shapes are tested in its folder."""

from __future__ import annotations

import json

import pytest

from harken.networks.base import ConnectorError
from harken.networks.bearer import BearerApi, Refusals
from tests.lib.localserver import Reply

pytestmark = pytest.mark.usefixtures("loopback")

JSON = {"Content-Type": "application/json"}
API = BearerApi(
    Refusals("Acme", permission="Grant it (docs/connecting-acme.md).", signed="page"),
    words=lambda response, body: str(body.get("message") or response.status_code),
    timeout=5.0,
)


def refusal(status: int, message: str, **headers: str) -> Reply:
    return Reply(status, json.dumps({"message": message}), {**JSON, **headers})


def test_a_read_is_retried_after_a_server_error_and_carries_the_token(server):
    server.route("/items", refusal(503, "busy"), Reply(200, json.dumps({"items": [1]}), JSON))
    response, body = API.send("tok", "GET", f"{server.base}/items", params={"n": 1})
    assert body == {"items": [1]} and response.status_code == 200
    first, second = server.hits("/items")
    assert first.headers["authorization"] == second.headers["authorization"] == "Bearer tok"


def test_a_read_waits_out_the_rate_limit_the_network_names(server):
    server.route(
        "/items", refusal(429, "slow down", **{"Retry-After": "1"}), Reply(200, "{}", JSON)
    )
    assert API.send("tok", "GET", f"{server.base}/items")[1] == {}
    assert len(server.hits("/items")) == 2


def test_a_write_is_sent_once_and_a_server_error_stays_transient(server):
    server.route("/pins", refusal(503, "busy"), Reply(201, "{}", JSON))
    with pytest.raises(ConnectorError) as caught:
        API.send("tok", "POST", f"{server.base}/pins", json={"title": "Rings"})
    assert "HTTP 503" in caught.value.message  # harken.lib.http's words for a 5xx
    assert not caught.value.permanent and not caught.value.rejected
    assert len(server.hits("/pins")) == 1  # a repeat could post twice


@pytest.mark.parametrize(
    ("status", "method", "words", "permanent", "rejected"),
    [
        (401, "GET", "Acme refused the page's sign-in; reconnect it. Acme said: no", True, False),
        (
            403,
            "GET",
            "Acme did not allow Harken this: no. Grant it (docs/connecting-acme.md).",
            True,
            False,
        ),
        (400, "POST", "Acme refused it: no", False, True),
        (404, "GET", "Acme: no", True, False),
    ],
)
def test_a_refusal_is_said_in_the_networks_words(
    server, status, method, words, permanent, rejected
):
    server.route("/thing", refusal(status, "no"))
    with pytest.raises(ConnectorError) as caught:
        API.send("tok", method, f"{server.base}/thing")
    assert caught.value.message == words
    assert (caught.value.permanent, caught.value.rejected) == (permanent, rejected)


def test_a_network_that_refuses_inside_a_200_says_so_through_its_failure_hook(server):
    inside = BearerApi(
        API.refusals,
        words=API.words,
        failure=lambda response, body: (429, body["error"]) if "error" in body else None,
    )
    server.route("/video", Reply(200, json.dumps({"error": "rate_limit_exceeded"}), JSON))
    with pytest.raises(ConnectorError) as caught:
        inside.send("tok", "POST", f"{server.base}/video", write=False)
    assert caught.value.message == "Acme rate limit: rate_limit_exceeded"
    assert caught.value.retry_after == 60.0
