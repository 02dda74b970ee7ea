"""Settings → Accounts: connecting X with a pasted OAuth 2.0 user token and Reddit with a
refresh token, each checked with the network (recorded traffic replayed at the HTTP
boundary) before anything is saved."""

from __future__ import annotations

import json

import pytest
import yaml
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.networks.models import Account, XUsage
from tests.networks.recorded import recorded, replay

X_TOKEN = "dXNlci1jb250ZXh0LXRva2Vu"
REDDIT_TOKEN = "12345-refresh"


@pytest.fixture
def app_keys(monkeypatch):
    monkeypatch.setenv("HARKEN_X_BEARER_TOKEN", "app-token")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "client-id")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "client-secret")


def connect(client, network: str, token: str):
    url = reverse("networks:connect_form", args=[network, "token"])
    return client.post(url, {f"{network}-token": token})


def x_refusal(tmp_path):
    """The recorded get_me request, answered as X answers a revoked token."""
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    cassette = yaml.safe_load(recorded("x-tweepy", "test_client_get_me.yaml").read_text())
    interaction = cassette["interactions"][0]
    interaction["response"] = {
        "status": {"code": 401, "message": "Unauthorized"},
        "headers": {"content-type": ["application/json; charset=utf-8"]},
        "body": {"string": json.dumps(body)},
    }
    target = tmp_path / "x-401.yaml"
    target.write_text(yaml.safe_dump({"version": 1, "interactions": [interaction]}))
    return target


def reddit_me(tmp_path, token_status: int = 200):
    """PRAW's recorded refresh-token exchange, then ``GET /api/v1/me`` answered with the
    fields Reddit's API reference documents for it."""
    recorded_login = json.loads(recorded("reddit-praw", "TestInbox.test_mentions.json").read_text())
    login = recorded_login["interactions"][0]
    if token_status != 200:
        login["response"]["status"] = {"code": token_status, "message": "Bad Request"}
        login["response"]["body"] = {"string": json.dumps({"error": "invalid_grant"})}
    me = {
        "request": {
            "method": "GET",
            "uri": "https://oauth.reddit.com/api/v1/me?raw_json=1",
            "body": None,
            "headers": {},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json; charset=UTF-8"]},
            "body": {"string": json.dumps({"name": "harbor_jewelers", "id": "1abcde"})},
        },
    }
    target = tmp_path / "reddit-me.json"
    target.write_text(json.dumps({"version": 1, "interactions": [_vcr(login), me]}))
    return target


def _vcr(item: dict) -> dict:
    body = item["request"].get("body")
    response = item["response"]
    return {
        "request": {**item["request"], "body": body if isinstance(body, str) else None},
        "response": {
            "status": response["status"],
            "headers": response["headers"],
            "body": {"string": response["body"].get("string", "")},
        },
    }


def test_the_page_offers_x_and_reddit_only_with_the_installations_keys(
    alice_client, monkeypatch, app_keys
):
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-x"' in html and 'id="connect-reddit"' in html
    monkeypatch.delenv("HARKEN_X_BEARER_TOKEN")
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-x"' not in html
    assert connect(alice_client, "x", X_TOKEN).status_code == 404


def test_an_x_token_is_checked_with_get_me_and_saved_encrypted(alice_client, workspace, app_keys):
    with replay(recorded("x-tweepy", "test_client_get_me.yaml")) as (sent, _):
        response = connect(alice_client, "x", f"  {X_TOKEN}\n")
    assert response.status_code == 302
    assert sent.paths() == ["/2/users/me"]
    assert sent[0].headers["Authorization"] == f"Bearer {X_TOKEN}"  # the user's, not the app's
    account = Account.objects.get(workspace=workspace, network="x")
    assert (account.handle, account.external_id) == ("@TweepyDev", "1072250532645998596")
    assert account.config == {
        "bearer_token": X_TOKEN,
        "user_id": "1072250532645998596",
        "handle": "TweepyDev",
    }
    source = Source.objects.get(workspace=workspace)
    assert (source.kind, source.network, source.account) == ("account", "x", account)
    assert AuditEntry.objects.filter(workspace=workspace, action="account.connect").exists()
    assert XUsage.objects.get(workspace=workspace).reserved == 0  # the read was settled


def test_a_refused_x_token_shows_xs_words_and_saves_nothing(alice_client, app_keys, tmp_path):
    with replay(x_refusal(tmp_path)) as (sent, _):
        response = connect(alice_client, "x", X_TOKEN)
    assert response.status_code == 400
    html = response.content.decode()
    assert "X refused the token: Unauthorized" in html and X_TOKEN not in html
    assert len(sent) == 1 and not Account.objects.exists() and not Source.objects.exists()


def test_a_reddit_refresh_token_is_checked_with_user_me(
    alice_client, workspace, app_keys, tmp_path
):
    with replay(reddit_me(tmp_path), serializer="json") as (sent, _):
        response = connect(alice_client, "reddit", REDDIT_TOKEN)
    assert response.status_code == 302
    assert sent.paths() == ["/api/v1/access_token", "/api/v1/me"]
    assert f"refresh_token={REDDIT_TOKEN}" in str(sent[0].body)
    account = Account.objects.get(workspace=workspace, network="reddit")
    assert account.handle == "u/harbor_jewelers"
    assert account.config == {"refresh_token": REDDIT_TOKEN, "username": "harbor_jewelers"}
    assert Source.objects.get(workspace=workspace).account == account


def test_a_refused_reddit_token_saves_nothing(alice_client, app_keys, tmp_path):
    with replay(reddit_me(tmp_path, token_status=400), serializer="json"):
        response = connect(alice_client, "reddit", REDDIT_TOKEN)
    assert response.status_code == 400
    assert "invalid_grant" in response.content.decode()
    assert not Account.objects.exists()


def test_a_blank_token_is_refused_without_a_request(alice_client, app_keys):
    response = connect(alice_client, "x", "   ")
    assert response.status_code == 400 and not Account.objects.exists()


def test_a_responder_may_not_connect_tokens(bob_client, app_keys):
    assert connect(bob_client, "x", X_TOKEN).status_code == 403
    assert connect(bob_client, "reddit", REDDIT_TOKEN).status_code == 403


def test_an_unknown_network_is_not_found(alice_client, app_keys):
    assert connect(alice_client, "bluesky", "x").status_code == 404
