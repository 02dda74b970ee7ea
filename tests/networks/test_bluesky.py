"""The Bluesky connector against a local XRPC server serving real AT Protocol bodies.

The bodies are the responses MarshalX/atproto's test suite recorded from Bluesky
(recorded-api/bluesky-atproto/): a post view with embedded media and a quoted post,
post records, and a follows list. The server puts them into the shapes of
``searchPosts``, ``listNotifications`` and ``getPosts``. One reply record is written
here, between two of those real posts, because the recordings hold no reply.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from atproto import models
from atproto_client.models.utils import get_model_as_dict, get_or_create

from harken.networks.base import ConnectorError
from harken.networks.bluesky.connector import Bluesky, grapheme_count, post_url
from tests.networks.recorded import recorded

DID = "did:plc:kvwvcn5iqfooopmyzvb4qzba"
HANDLE = "test.marshal.dev"


def _load(name: str) -> dict:
    return json.loads(recorded("bluesky-atproto", name).read_text())


def _jwt(expires_in: float) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {
        "scope": "com.atproto.appPass",
        "sub": DID,
        "iat": now,
        "exp": now + int(expires_in),
        "jti": uuid.uuid4().hex,
    }
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(payload)}.c2lnbmF0dXJl"


def _post_view(record: dict, author: dict) -> dict:
    """A post view around a real ``getRecord`` body ({uri, cid, value})."""
    indexed = record["value"]["createdAt"]
    indexed = indexed if indexed.endswith(("Z", "+00:00")) else indexed + "Z"
    return {
        "uri": record["uri"],
        "cid": record["cid"],
        "author": author,
        "record": record["value"],
        "indexedAt": indexed.replace("+00:00", "Z"),
        "labels": [],
    }


def _fixtures() -> dict:
    thread_post = _load("thread_view_post_with_embed_media.json")["thread"]["post"]
    author = thread_post["author"]
    quoted = thread_post["embed"]["record"]["record"]
    posts = [
        thread_post,
        _post_view({"uri": quoted["uri"], "cid": quoted["cid"], "value": quoted["value"]}, author),
        _post_view(_load("post_record.json"), author),
        _post_view(_load("extended_post_record.json"), author),
    ]
    follower = _load("get_follows.json")["follows"][0]  # why.bsky.team
    answer = {
        "$type": "app.bsky.feed.post",
        "text": "@test.marshal.dev the ring came today, it's perfect 💍",
        "createdAt": "2024-06-08T10:00:00.000Z",
        "langs": ["en"],
        "reply": {
            "root": {"uri": thread_post["uri"], "cid": thread_post["cid"]},
            "parent": {"uri": posts[2]["uri"], "cid": posts[2]["cid"]},
        },
    }
    reply_uri = f"at://{follower['did']}/app.bsky.feed.post/3kvreplyrkey2"
    notes = [
        {
            "uri": reply_uri,
            "cid": posts[2]["cid"],
            "author": follower,
            "reason": "reply",
            "record": answer,
            "isRead": False,
            "indexedAt": "2024-06-08T10:00:01.000Z",
            "labels": [],
        },
        {
            "uri": f"at://{follower['did']}/app.bsky.feed.like/3kvlikerkey22",
            "cid": posts[0]["cid"],
            "author": follower,
            "reason": "like",
            "isRead": False,
            "indexedAt": "2024-06-08T09:00:00.000Z",
            "record": {
                "$type": "app.bsky.feed.like",
                "createdAt": "2024-06-08T09:00:00.000Z",
                "subject": {"uri": posts[0]["uri"], "cid": posts[0]["cid"]},
            },
            "labels": [],
        },
    ] + [
        {
            "uri": p["uri"],
            "cid": p["cid"],
            "author": p["author"],
            "reason": "mention",
            "record": p["record"],
            "isRead": True,
            "indexedAt": p["indexedAt"],
            "labels": [],
        }
        for p in posts
    ]
    by_time = sorted(notes, key=lambda n: n["indexedAt"], reverse=True)
    return {
        "posts": sorted(posts, key=lambda p: p["indexedAt"], reverse=True),
        "notifications": by_time,
    }


class XrpcServer(ThreadingHTTPServer):
    """Plays a PDS: answers /xrpc/<nsid> from the fixtures, two items per page."""

    page_size = 2

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), XrpcHandler)
        self.data = _fixtures()
        self.requests: list[tuple[str, dict, dict, dict]] = []
        self.failures: dict[str, list[tuple[int, dict, dict]]] = {}
        self.access_expires_in = 7200.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fail(
        self, nsid: str, status: int, body: dict, headers: dict | None = None, times: int = 1
    ) -> None:
        self.failures.setdefault(nsid, []).extend([(status, body, headers or {})] * times)

    def calls(self, nsid: str) -> list[dict]:
        return [query for path, query, _, _ in self.requests if path == nsid]

    def answer(self, nsid: str, query: dict, body: dict) -> dict:
        if nsid in ("com.atproto.server.createSession", "com.atproto.server.refreshSession"):
            return {
                "accessJwt": _jwt(self.access_expires_in),
                "refreshJwt": _jwt(86400 * 60),
                "handle": HANDLE,
                "did": DID,
                "active": True,
            }
        if nsid == "app.bsky.feed.searchPosts":
            return self._page(self.data["posts"], "posts", query)
        if nsid == "app.bsky.notification.listNotifications":
            return self._page(self.data["notifications"], "notifications", query)
        if nsid == "app.bsky.feed.getPosts":
            known = {p["uri"]: p for p in self.data["posts"]}
            return {"posts": [known[uri] for uri in query.get("uris", []) if uri in known]}
        if nsid == "com.atproto.repo.createRecord":
            return {
                "uri": f"at://{DID}/app.bsky.feed.post/3kvnewpost222",
                "cid": self.data["posts"][0]["cid"],
            }
        if nsid == "app.bsky.actor.getProfile":
            return {
                **self.data["posts"][0]["author"],
                "followersCount": 12,
                "followsCount": 3,
                "postsCount": 40,
            }
        raise KeyError(nsid)

    def _page(self, rows: list[dict], key: str, query: dict) -> dict:
        start = int(query.get("cursor", ["0"])[0])
        end = start + self.page_size
        page = {key: rows[start:end]}
        if end < len(rows):
            page["cursor"] = str(end)
        return page


class XrpcHandler(BaseHTTPRequestHandler):
    server: XrpcServer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        nsid = parts.path.removeprefix("/xrpc/")
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        self.server.requests.append((nsid, query, body, dict(self.headers)))
        pending = self.server.failures.get(nsid)
        if pending:
            status, payload, headers = pending.pop(0)
        else:
            status, payload, headers = 200, self.server.answer(nsid, query, body), {}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = _handle
    do_POST = _handle


@pytest.fixture
def pds(loopback):
    """The local PDS; the URL guard lets the SDK's connections through to 127.0.0.1."""
    server = XrpcServer()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(pds) -> dict:
    return {"handle": HANDLE, "app_password": "xxxx-xxxx-xxxx-xxxx", "service": pds.url}


def test_recorded_post_views_parse_through_the_sdk_models():
    thread = get_or_create(
        _load("thread_view_post_with_embed_media.json"), models.AppBskyFeedGetPostThread.Response
    )
    post = get_model_as_dict(thread.thread.post)
    item = Bluesky()._item(post)
    assert item.external_id == f"at://{DID}/app.bsky.feed.post/3kaheyt6vpc22"
    assert item.url == f"https://bsky.app/profile/{HANDLE}/post/3kaheyt6vpc22"
    assert item.author_name == "Python SDK"
    assert item.created == datetime(2023, 9, 28, 12, 49, 36, 735000, tzinfo=UTC)
    assert item.language == "en"
    assert item.conversation_id == item.external_id  # a thread's first post is its own root


def test_notifications_are_mentions_replies_and_quotes_oldest_first(pds, config):
    page = Bluesky(config).fetch(None)
    assert [item.kind for item in page.items] == ["reply"]  # the newest page: a reply and a like
    assert pds.calls("app.bsky.notification.listNotifications")[0]["reasons"] == [
        "mention",
        "reply",
        "quote",
    ]

    connector = Bluesky(config)
    page = connector.fetch("2020-01-01T00:00:00.000Z|")  # walk back through every page
    reply = next(i for i in page.items if i.kind == "reply")
    assert reply.author_handle == "why.bsky.team"
    assert reply.text == "@test.marshal.dev the ring came today, it's perfect 💍"
    assert reply.in_reply_to == f"at://{DID}/app.bsky.feed.post/3k2yihcrp6f2c"
    assert reply.conversation_id == f"at://{DID}/app.bsky.feed.post/3kaheyt6vpc22"
    assert reply.url == "https://bsky.app/profile/why.bsky.team/post/3kvreplyrkey2"
    assert not any("app.bsky.feed.like" in i.external_id for i in page.items)
    assert [i.created for i in page.items] == sorted(i.created for i in page.items)
    assert len(page.items) == 5
    assert page.cursor == f"2024-06-08T10:00:01.000Z|{reply.external_id}"


def test_the_walk_back_stops_at_the_cursor(pds, config):
    connector = Bluesky(config)
    page = connector.fetch("2024-02-22T19:58:13.903293Z|at://some/older/post")
    assert [i.external_id.rsplit("/", 1)[-1] for i in page.items] == [
        "3k2yihcrp6f2c",
        "3kvreplyrkey2",
    ]
    # Pages of two: the reply and the like, then two older mentions, then stop.
    assert len(pds.calls("app.bsky.notification.listNotifications")) == 2


def test_nothing_new_keeps_the_cursor(pds, config):
    cursor = "2024-06-08T10:00:01.000Z|at://did:plc:vpkhqolt662uhesyj6nxm7ys/app.bsky.feed.post/3kvreplyrkey2"
    page = Bluesky(config).fetch(cursor)
    assert page.items == [] and page.cursor == cursor


def test_search_asks_for_the_latest_posts_since_the_cursor(pds, config):
    page = Bluesky(config, query="ring").fetch("2023-09-28T12:46:18.414Z|x")
    query = pds.calls("app.bsky.feed.searchPosts")[0]
    assert query["q"] == ["ring"] and query["sort"] == ["latest"] and query["limit"] == ["100"]
    assert query["since"] == ["2023-09-28T12:46:18.414Z"]
    assert [i.text for i in page.items] == ["test", "", "new text114"]


def test_login_keeps_the_session_and_reuses_it(pds, config):
    first = Bluesky(config)
    first.fetch(None)
    assert first.config_changed is True
    assert first.config["did"] == DID and first.config["session"]
    again = Bluesky(first.config)
    again.fetch(None)
    assert len(pds.calls("com.atproto.server.createSession")) == 1
    assert again.config_changed is False


def test_a_session_near_expiry_is_refreshed_and_saved(pds, config):
    pds.access_expires_in = 60  # the SDK refreshes 15 minutes ahead
    first = Bluesky(config)
    first.fetch(None)
    again = Bluesky(first.config)
    again.fetch(None)
    assert len(pds.calls("com.atproto.server.refreshSession")) >= 1
    assert again.config_changed is True and again.config["session"] != first.config["session"]


def test_reply_points_at_the_parent_and_the_threads_root(pds, config):
    parent = f"at://{DID}/app.bsky.feed.post/3kahesw26il2z"
    published = Bluesky(config).reply(parent, "Thank you!")
    nsid, _, body, _ = pds.requests[-1]
    assert nsid == "com.atproto.repo.createRecord"
    assert body["repo"] == DID and body["collection"] == "app.bsky.feed.post"
    assert body["record"]["reply"]["parent"]["uri"] == parent
    assert body["record"]["reply"]["root"]["uri"] == parent  # the parent starts its thread
    assert published.url == f"https://bsky.app/profile/{HANDLE}/post/3kvnewpost222"


def test_a_reply_to_a_reply_keeps_the_original_root(pds, config):
    # The recorded post with a quote embed is a thread's first post; make our parent a reply to it.
    pds.data["posts"][-1]["record"]["reply"] = {
        "root": {"uri": pds.data["posts"][0]["uri"], "cid": pds.data["posts"][0]["cid"]},
        "parent": {"uri": pds.data["posts"][0]["uri"], "cid": pds.data["posts"][0]["cid"]},
    }
    Bluesky(config).reply(pds.data["posts"][-1]["uri"], "Thanks")
    record = pds.requests[-1][2]["record"]
    assert record["reply"]["root"]["uri"] == pds.data["posts"][0]["uri"]
    assert record["reply"]["parent"]["uri"] == pds.data["posts"][-1]["uri"]


def test_publish_counts_graphemes_not_code_points(pds, config):
    family = "👨‍👩‍👧‍👦"  # one grapheme, seven code points
    assert grapheme_count(family * 300) == 300
    Bluesky(config).publish(family * 300, langs=["en"])
    assert pds.requests[-1][2]["record"]["text"] == family * 300
    with pytest.raises(ConnectorError, match="300 characters; this text has 301"):
        Bluesky(config).publish("a" * 301)


def test_metrics_come_from_the_profile(pds, config):
    metrics = Bluesky(config).metrics()
    assert (metrics.followers, metrics.following, metrics.posts) == (12, 3, 40)


def test_a_wrong_app_password_is_permanent_and_keeps_blueskys_words(pds, config):
    pds.fail(
        "com.atproto.server.createSession",
        401,
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
    )
    with pytest.raises(ConnectorError) as caught:
        Bluesky(config).fetch(None)
    assert caught.value.permanent is True
    assert "Invalid identifier or password" in caught.value.message


def test_an_expired_saved_session_is_replaced_by_a_fresh_login(pds, config):
    first = Bluesky(config)
    first.fetch(None)
    pds.fail(
        "app.bsky.notification.listNotifications",
        400,
        {"error": "ExpiredToken", "message": "Token has expired"},
    )
    again = Bluesky(first.config)
    assert again.fetch(None).items
    assert len(pds.calls("com.atproto.server.createSession")) == 2
    assert again.config_changed and again.config["session"] != first.config["session"]


def test_a_refused_session_without_an_app_password_is_permanent(pds, config):
    first = Bluesky(config)
    first.fetch(None)
    pds.fail(
        "app.bsky.notification.listNotifications",
        400,
        {"error": "ExpiredToken", "message": "Token has expired"},
    )
    saved = {key: value for key, value in first.config.items() if key != "app_password"}
    with pytest.raises(ConnectorError, match="Token has expired") as caught:
        Bluesky(saved).fetch(None)
    assert caught.value.permanent is True


def test_a_rate_limit_is_transient_with_blueskys_reset(pds, config):
    reset = int(time.time()) + 600
    pds.fail(
        "app.bsky.feed.searchPosts",
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        {"ratelimit-reset": str(reset), "ratelimit-remaining": "0"},
    )
    with pytest.raises(ConnectorError) as caught:
        Bluesky(config, query="ring").fetch(None)
    assert caught.value.permanent is False and 500 < caught.value.retry_after <= 602


def test_a_server_error_is_retried(pds, config):
    pds.fail(
        "app.bsky.feed.searchPosts",
        502,
        {"error": "UpstreamFailure", "message": "Upstream Failure"},
    )
    page = Bluesky(config, query="ring").fetch(None)
    assert len(page.items) == 2
    assert len(pds.calls("app.bsky.feed.searchPosts")) == 2


def test_post_urls_use_the_handle_and_record_key():
    uri = f"at://{DID}/app.bsky.feed.post/3k2yihcrp6f2c"
    assert post_url(HANDLE, uri) == f"https://bsky.app/profile/{HANDLE}/post/3k2yihcrp6f2c"


def test_links_and_hashtags_become_facets_at_byte_offsets(pds, config):
    text = "Neue Ringe 💍 https://harbor.example/rings?x=1. #Schmuck #2024"
    Bluesky(config).publish(text)
    facets = pds.requests[-1][2]["record"]["facets"]
    raw = text.encode()
    spans = [
        (f["features"][0]["$type"], raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode())
        for f in facets
    ]
    assert spans == [
        ("app.bsky.richtext.facet#link", "https://harbor.example/rings?x=1"),
        ("app.bsky.richtext.facet#tag", "#Schmuck"),
    ]
    assert facets[1]["features"][0]["tag"] == "Schmuck"


def test_the_registry_serves_this_connector():
    from harken.networks.registry import connector_class

    assert connector_class("bluesky") is Bluesky


def test_without_a_login_it_asks_for_an_app_password(pds):
    with pytest.raises(ConnectorError, match="app password") as caught:
        Bluesky({"service": pds.url}).fetch(None)
    assert caught.value.permanent is True
    assert pds.requests == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_renew_a_saved_session_near_expiry_once(pds, config, workspace):
    """Two sources read through one account in two workers: one refreshSession, the other
    worker uses its tokens (the refresh token rotates). The real PDS showed two before."""
    from django.db import connection

    from harken.networks.models import Account
    from harken.networks.registry import connector_for

    pds.access_expires_in = 60  # inside Harken's 20-minute renewal margin
    first = Bluesky(config)
    first.fetch(None)
    account = Account.objects.create(
        workspace=workspace, network="bluesky", external_id=DID, handle=HANDLE, config=first.config
    )
    pds.access_expires_in = 7200  # the renewed token is good for two hours
    before = len(pds.calls("com.atproto.server.refreshSession"))  # the SDK's, in first
    gate, errors = threading.Barrier(2), []

    def worker(query: str | None) -> None:
        try:
            connector = connector_for(Account.objects.get(pk=account.pk), query=query)
            gate.wait()
            connector.fetch(None)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(q,)) for q in (None, "ring")]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=30)
    assert errors == []
    assert len(pds.calls("com.atproto.server.refreshSession")) == before + 1
    account.refresh_from_db()
    assert account.config["session"] != first.config["session"]
