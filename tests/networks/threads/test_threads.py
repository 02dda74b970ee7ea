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

from harken.networks.base import ConnectorError, MediaFile
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


# --- images: no recording either; the answers follow developers.facebook.com/docs/threads/
# posts (an ``IMAGE`` container with ``image_url`` and ``alt_text``, carousel items with
# ``is_carousel_item``, a ``CAROUSEL`` container with ``children``, each container's
# ``status`` until ``FINISHED``, then ``threads_publish``).

PUBLIC = "https://harken.example/p/media/abc/"


@pytest.fixture
def no_waiting(monkeypatch):
    monkeypatch.setattr("harken.networks.threads.connector.Threads.status_wait", 0.0)


def _published(threads) -> None:
    threads.route(f"{V}/me/threads_publish", documented({"id": "17890000000000020"}))
    threads.route(f"{V}/17890000000000020", documented({"id": "17890000000000020"}))


def test_one_image_goes_by_its_public_url_with_its_alt_text(threads, profile, no_waiting):
    threads.route(f"{V}/me/threads", documented({"id": "c-img"}))
    threads.route(
        f"{V}/c-img", documented({"status": "IN_PROGRESS"}), documented({"status": "FINISHED"})
    )
    _published(threads)
    made = connector(profile).publish(
        "Garnet rings", image_urls=[PUBLIC], media=[MediaFile(b"", "image/jpeg", "A red ring")]
    )
    sent = query(threads.hits(f"{V}/me/threads")[0])
    assert (sent["media_type"], sent["image_url"], sent["alt_text"], sent["text"]) == (
        "IMAGE",
        PUBLIC,
        "A red ring",
        "Garnet rings",
    )
    assert len(threads.hits(f"{V}/c-img")) == 2  # published only once it was FINISHED
    assert query(threads.hits(f"{V}/me/threads_publish")[0])["creation_id"] == "c-img"
    assert made.external_id == "17890000000000020"


def test_several_images_make_a_carousel(threads, profile, no_waiting):
    threads.route(
        f"{V}/me/threads",
        documented({"id": "item-1"}),
        documented({"id": "item-2"}),
        documented({"id": "carousel"}),
    )
    for container in ("item-1", "item-2", "carousel"):
        threads.route(f"{V}/{container}", documented({"status": "FINISHED"}))
    _published(threads)
    connector(profile).publish("Two rings", image_urls=[PUBLIC + "1", PUBLIC + "2"])
    first, second, carousel = (query(hit) for hit in threads.hits(f"{V}/me/threads"))
    assert first["is_carousel_item"] == "true" and first["image_url"] == PUBLIC + "1"
    assert second["image_url"] == PUBLIC + "2" and "alt_text" not in second
    assert (carousel["media_type"], carousel["children"]) == ("CAROUSEL", "item-1,item-2")
    assert query(threads.hits(f"{V}/me/threads_publish")[0])["creation_id"] == "carousel"


def test_an_image_threads_cannot_use_fails_in_its_words(threads, profile, no_waiting):
    threads.route(f"{V}/me/threads", documented({"id": "c-bad"}))
    threads.route(
        f"{V}/c-bad", documented({"status": "ERROR", "error_message": "Media download failed"})
    )
    with pytest.raises(ConnectorError) as caught:
        connector(profile).publish("Rings", image_urls=[PUBLIC])
    assert caught.value.rejected and "Media download failed" in caught.value.message
    assert threads.hits(f"{V}/me/threads_publish") == []


@pytest.mark.parametrize(
    "url", ["http://harken.example/p/1", "https://127.0.0.1:8000/p/1", "https://shop.local/p"]
)
def test_an_install_without_public_https_is_refused_before_threads_is_asked(threads, profile, url):
    with pytest.raises(ConnectorError) as caught:
        connector(profile).publish("Rings", image_urls=[url])
    assert caught.value.rejected and "HARKEN_BASE_URL" in caught.value.message
    assert threads.requests == []
