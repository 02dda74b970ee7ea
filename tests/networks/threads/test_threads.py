"""The Threads connector and its connect flow against a local Threads API. Nothing of
Threads was recorded (../shared/data/recorded-api/SOURCES.md): every reply here follows
the shapes of Meta's Threads API reference (developers.facebook.com/docs/threads:
``/me/threads``, ``/{id}/conversation``, ``/me/mentions``, container → ``threads_publish``,
``threads_insights``, the token exchanges, and Graph-style ``error`` objects)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.networks.threads import api
from tests.lib.localserver import Reply

V = f"/{api.VERSION}"
CALLBACK = "http://testserver/networks/connect/threads/callback/"


def documented(payload, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json"})


def error(code: int, message: str, status: int = 400) -> Reply:
    return documented(
        {"error": {"message": message, "type": "OAuthException", "code": code}}, status
    )


def query(seen) -> dict[str, str]:
    raw = urlsplit(seen.path).query if seen.method == "GET" else seen.body.decode()
    return {name: values[-1] for name, values in parse_qs(raw).items()}


@pytest.fixture
def threads(settings, loopback, server, monkeypatch):
    monkeypatch.setenv(api.APP_ID, "threads-app")
    monkeypatch.setenv(api.APP_SECRET, "threads-secret")
    settings.THREADS_AUTHORIZE_URL = "https://threads.test/oauth/authorize"
    settings.THREADS_GRAPH_URL = server.base
    return server


@pytest.fixture
def profile(threads, workspace):
    return Account.objects.create(
        workspace=workspace,
        network="threads",
        handle="@harborstreet",
        external_id="1001",
        config={
            "user_id": "1001",
            "username": "harborstreet",
            "access_token": "long-1",
            "expires_at": int(time.time()) + 50 * 86400,
        },
    )


def connector(account):
    return connector_for(Account.objects.get(pk=account.pk))


POST = {
    "id": "17890000000000001",
    "text": "Spring rings are in",
    "timestamp": "2026-12-01T10:00:00+0000",
    "permalink": "https://www.threads.net/@harborstreet/post/A",
}
CONVERSATION = {
    "data": [
        {
            "id": "17890000000000002",
            "text": "Gorgeous! Price?",
            "timestamp": "2026-12-01T11:00:00+0000",
            "username": "ringlover",
            "permalink": "https://www.threads.net/@ringlover/post/B",
            "root_post": {"id": POST["id"]},
            "replied_to": {"id": POST["id"]},
            "is_reply_owned_by_me": False,
        },
        {
            "id": "17890000000000003",
            "text": "From $120",
            "timestamp": "2026-12-01T11:05:00+0000",
            "username": "harborstreet",
            "root_post": {"id": POST["id"]},
            "replied_to": {"id": "17890000000000002"},
            "is_reply_owned_by_me": True,
        },
    ]
}
MENTION = {
    "data": [
        {
            "id": "17890000000000009",
            "text": "@harborstreet has the best rings",
            "timestamp": "2026-12-01T12:00:00+0000",
            "username": "gemfan",
            "permalink": "https://www.threads.net/@gemfan/post/C",
        }
    ]
}


def test_fetch_reads_replies_in_conversations_and_mentions(threads, profile):
    threads.route(f"{V}/me/threads", documented({"data": [POST]}))
    threads.route(f"{V}/{POST['id']}/conversation", documented(CONVERSATION))
    threads.route(f"{V}/me/mentions", documented(MENTION))
    page = connector(profile).fetch(None)
    price, answer, mention = page.items
    assert (price.kind, price.in_reply_to, price.conversation_id) == (
        "reply",
        POST["id"],
        POST["id"],
    )
    assert (answer.in_reply_to, answer.is_own) == ("17890000000000002", True)
    assert (mention.kind, mention.author_handle, mention.conversation_id) == (
        "post",
        "gemfan",
        mention.external_id,
    )
    assert page.cursor == datetime(2026, 12, 1, 12, tzinfo=UTC).isoformat()
    assert query(threads.hits(f"{V}/me/threads")[0])["access_token"] == "long-1"


def test_publish_and_reply_go_container_then_publish(threads, profile):
    threads.route(f"{V}/me/threads", documented({"id": "c-1"}))
    threads.route(f"{V}/me/threads_publish", documented({"id": "17890000000000010"}))
    threads.route(
        f"{V}/17890000000000010",
        documented(
            {"id": "17890000000000010", "permalink": "https://www.threads.net/@harborstreet/post/D"}
        ),
    )
    made = connector(profile).publish("New rings", link="https://harbor.example/rings")
    container = query(threads.hits(f"{V}/me/threads")[0])
    assert (
        container["media_type"] == "TEXT"
        and container["link_attachment"] == "https://harbor.example/rings"
    )
    assert query(threads.hits(f"{V}/me/threads_publish")[0])["creation_id"] == "c-1"
    assert (made.external_id, made.url) == (
        "17890000000000010",
        "https://www.threads.net/@harborstreet/post/D",
    )
    connector(profile).reply("17890000000000002", "From $120")
    assert query(threads.hits(f"{V}/me/threads")[1])["reply_to_id"] == "17890000000000002"


def test_a_post_over_500_characters_is_refused_before_threads_is_asked(threads, profile):
    with pytest.raises(ConnectorError) as caught:
        connector(profile).publish("x" * 501)
    assert caught.value.rejected and threads.requests == []


def test_an_expired_token_means_reconnect(threads, profile):
    threads.route(
        f"{V}/me/threads", error(190, "Error validating access token: Session has expired", 401)
    )
    with pytest.raises(ConnectorError) as caught:
        connector(profile).fetch(None)
    assert caught.value.permanent and "Session has expired" in caught.value.message


def test_a_token_near_its_end_is_refreshed_first(threads, workspace):
    account = Account.objects.create(
        workspace=workspace,
        network="threads",
        handle="@h",
        external_id="1001",
        config={
            "user_id": "1001",
            "access_token": "long-1",
            "expires_at": int(time.time()) + 86400,
        },
    )
    threads.route(
        "/refresh_access_token",
        documented({"access_token": "long-2", "token_type": "bearer", "expires_in": 5183944}),
    )
    threads.route(
        f"{V}/me/threads_insights",
        documented(
            {
                "data": [
                    {"name": "views", "total_value": {"value": 900}},
                    {"name": "followers_count", "total_value": {"value": 321}},
                ]
            }
        ),
    )
    made = connector(account)
    found = made.metrics()
    assert (found.followers, found.extra) == (321, {"views": 900})
    assert query(threads.hits("/refresh_access_token")[0])["grant_type"] == "th_refresh_token"
    assert made.config_changed and made.config["access_token"] == "long-2"


def test_find_published_matches_the_text(threads, profile):
    threads.route(f"{V}/me/threads", documented({"data": [POST]}))
    since = datetime(2026, 12, 1, tzinfo=UTC)
    assert (
        connector(profile).find_published("k", "Spring rings are in", since).external_id
        == POST["id"]
    )
    assert connector(profile).find_published("k", "Other", since) is None


def test_connecting_exchanges_for_a_long_lived_token(alice_client, workspace, threads):
    threads.route("/oauth/access_token", documented({"access_token": "short", "user_id": 1001}))
    threads.route(
        "/access_token",
        documented({"access_token": "long-1", "token_type": "bearer", "expires_in": 5183944}),
    )
    threads.route(f"{V}/me", documented({"id": "1001", "username": "harborstreet"}))
    response = alice_client.post(reverse("networks:connect_start", args=["threads"]))
    sent = parse_qs(urlsplit(response["Location"]).query)
    assert sent["redirect_uri"] == [CALLBACK] and "threads_manage_replies" in sent["scope"][0]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["threads"]),
        {"code": "c", "state": sent["state"][0]},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "@harborstreet is connected; Harken reads its mentions."
    ]
    assert query(threads.hits("/access_token")[0])["grant_type"] == "th_exchange_token"
    account = Account.objects.get(workspace=workspace, network="threads")
    assert (
        account.config["access_token"] == "long-1"
        and account.config["expires_at"] > time.time() + 59 * 86400
    )
