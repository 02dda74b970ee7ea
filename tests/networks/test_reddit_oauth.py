"""Settings › Accounts › Connect Reddit: Reddit's authorization-code flow with a permanent
refresh token (PRAW's web-app flow), against a local Reddit on a real HTTP server that
answers the token request as Reddit did in PRAW's recording."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.listening.models import Source
from harken.networks.models import Account
from tests.lib.localserver import Reply
from tests.networks.recorded import recorded
from tests.networks.x_local import form

CALLBACK = "http://testserver/networks/connect/reddit/callback/"
TOKEN_PATH = "/api/v1/access_token"
ME_PATH = "/api/v1/me"
JSON = {"Content-Type": "application/json; charset=UTF-8"}


def recorded_token() -> str:
    """Reddit's answer to PRAW's token request (tokens are placeholders in the recording)."""
    cassette = json.loads(recorded("reddit-praw", "TestInbox.test_mentions.json").read_text())
    return cassette["interactions"][0]["response"]["body"]["string"]


@pytest.fixture
def reddit_app(monkeypatch, settings, loopback, server):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "reddit-client")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "reddit-secret")
    settings.REDDIT_URL = server.base
    settings.REDDIT_OAUTH_URL = server.base
    server.route(TOKEN_PATH, Reply(200, recorded_token(), headers=JSON))
    # The fields Reddit's API reference documents for GET /api/v1/me.
    server.route(ME_PATH, Reply(200, json.dumps({"name": "harbor_jewelers", "id": "1abcde"}), JSON))
    return server


def start(client, server) -> dict[str, list[str]]:
    response = client.post(reverse("networks:connect_start", args=["reddit"]))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == server.url("/api/v1/authorize")
    return parse_qs(url.query)


def come_back(client, **query: str):
    return client.get(reverse("networks:connect_callback", args=["reddit"]), query)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_connect_asks_reddit_for_a_permanent_grant_with_the_connectors_scopes(
    alice_client, reddit_app
):
    query = start(alice_client, reddit_app)
    assert query["client_id"] == ["reddit-client"]
    assert query["response_type"] == ["code"]
    assert query["duration"] == ["permanent"]
    assert query["redirect_uri"] == [CALLBACK]
    assert set(query["scope"][0].split()) == {"identity", "privatemessages", "read", "submit"}
    assert query["state"] == [alice_client.session["reddit_oauth"]["state"]]
    assert reddit_app.requests == []


def test_the_callback_trades_the_code_for_a_refresh_token_and_saves_the_account(
    alice_client, workspace, reddit_app
):
    query = start(alice_client, reddit_app)
    response = come_back(alice_client, code="the-code", state=query["state"][0])
    assert said(response) == ["u/harbor_jewelers is connected; Harken reads its mentions."]

    exchange, me = reddit_app.requests
    assert (exchange.method, exchange.path) == ("POST", TOKEN_PATH)
    assert form(exchange) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": CALLBACK,
    }
    basic = base64.b64encode(b"reddit-client:reddit-secret").decode()
    assert exchange.headers["authorization"] == f"Basic {basic}"
    assert me.path.split("?")[0] == ME_PATH
    assert me.headers["authorization"] == "bearer <ACCESS_TOKEN>"

    account = Account.objects.get(workspace=workspace, network="reddit")
    assert (account.handle, account.external_id) == ("u/harbor_jewelers", "harbor_jewelers")
    assert account.config == {"refresh_token": "<REFRESH_TOKEN>", "username": "harbor_jewelers"}
    assert Source.objects.get(workspace=workspace).account == account


def test_a_spent_code_shows_reddits_words_and_saves_nothing(alice_client, reddit_app):
    # Reddit answers a bad code with 200 and an error body.
    reddit_app.route(TOKEN_PATH, Reply(200, json.dumps({"error": "invalid_grant"}), JSON))
    query = start(alice_client, reddit_app)
    response = come_back(alice_client, code="spent", state=query["state"][0])
    assert said(response) == ["Reddit refused the sign-in: invalid_grant"]
    assert len(reddit_app.requests) == 1 and not Account.objects.exists()


def test_a_temporary_grant_is_refused(alice_client, reddit_app):
    body = json.loads(recorded_token())
    del body["refresh_token"]
    reddit_app.route(TOKEN_PATH, Reply(200, json.dumps(body), JSON))
    query = start(alice_client, reddit_app)
    response = come_back(alice_client, code="c", state=query["state"][0])
    assert "only a temporary sign-in" in said(response)[0]
    assert not Account.objects.exists()


def test_denied_consent_says_so_and_saves_nothing(alice_client, reddit_app):
    query = start(alice_client, reddit_app)
    response = come_back(alice_client, error="access_denied", state=query["state"][0])
    assert said(response) == ["Access was not granted on Reddit, so nothing was connected."]
    assert reddit_app.requests == [] and not Account.objects.exists()


def test_a_callback_with_another_state_is_refused(alice_client, reddit_app):
    start(alice_client, reddit_app)
    response = come_back(alice_client, code="c", state="forged")
    assert "not started here" in said(response)[0]
    assert reddit_app.requests == [] and not Account.objects.exists()


def test_the_page_shows_the_redirect_uri_to_register(alice_client, reddit_app):
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-reddit-oauth"' in html and CALLBACK in html
    assert 'id="connect-reddit-token"' in html  # the fallback, inside "Use a token instead"


def test_without_the_apps_keys_reddit_cannot_be_connected(alice_client, reddit_app, monkeypatch):
    monkeypatch.delenv("HARKEN_REDDIT_CLIENT_SECRET")
    assert alice_client.post(reverse("networks:connect_start", args=["reddit"])).status_code == 404


def test_a_responder_may_not_connect_reddit(bob_client, reddit_app):
    assert bob_client.post(reverse("networks:connect_start", args=["reddit"])).status_code == 403
    assert bob_client.get(reverse("networks:connect_callback", args=["reddit"])).status_code == 403
