"""The Mastodon connector against recorded real traffic (Mastodon.py's own cassettes,
replayed at the HTTP boundary) and a local server for the errors no cassette holds."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from harken.networks.base import ConnectorError
from harken.networks.mastodon.connector import Mastodon, normalize_instance, post_length
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply
from tests.networks.recorded import recorded, replay

pytestmark = pytest.mark.usefixtures("loopback")

INSTANCE = "http://localhost:3000"
ME = "117020565693913441"  # the "admin" account the recordings were made with
JSON = {"Content-Type": "application/json; charset=utf-8"}


def interactions(name: str, method: str, path: str) -> list[dict]:
    data = yaml.safe_load(recorded("mastodon", name).read_text())
    return [
        i
        for i in data["interactions"]
        if i["request"]["method"] == method and i["request"]["uri"].split("?")[0].endswith(path)
    ]


def cassette(_unused: object, *picked: list[dict]) -> Path:
    """One cassette holding the chosen recorded interactions, in order. It is written to
    a folder of its own: pytest's shared tmp_path root is pruned by concurrent runs."""
    target = Path(tempfile.mkdtemp(prefix="harken-mastodon-")) / "cassette.yaml"
    target.write_text(
        yaml.safe_dump({"version": 1, "interactions": [i for group in picked for i in group]})
    )
    return target


def instance_info() -> list[dict]:
    return interactions("test_hashtag_tl.yaml", "GET", "/api/v2/instance/")


def connector(query: str | None = None, **config) -> Mastodon:
    made = connector_for(
        network="mastodon",
        config={
            "instance": INSTANCE,
            "access_token": "token",
            "account_id": ME,
            "version": "4.6.4",
            **config,
        },
        query=query,
    )
    assert isinstance(made, Mastodon)
    return made


def mentions_and_conversations() -> Path:
    """The recorded mention notifications, then the recorded direct conversations: an
    account's fetch reads both."""
    return cassette(
        None,
        yaml.safe_load(recorded("mastodon", "test_notifications_mentions_only.yaml").read_text())[
            "interactions"
        ],
        interactions("test_conversations.yaml", "GET", "/api/v1/conversations/")[:1],
    )


def test_it_reads_mentions_from_notifications():
    with replay(mentions_and_conversations()) as (sent, _):
        page = connector().fetch(None)
    item = page.items[0]
    assert [i.kind for i in page.items[1:]] == ["message"] * (len(page.items) - 1)
    assert sent.query(0) == {"types[]": ["mention"], "limit": ["40"]}
    # The server's own ids are unique on that server only: Harken's name the server.
    assert item.external_id == "localhost:3000/117020577157693549"
    assert item.author_id.startswith("localhost:3000/")
    assert item.kind == "post"
    assert item.text == "@mastodonpy_test hello!"
    assert item.author_handle == "@admin@localhost:3000"
    assert item.created == datetime(2026, 8, 1, 13, 51, 42, 823000, tzinfo=UTC)
    assert item.url.startswith("http://localhost:3000/@admin/")
    assert item.is_own  # the recording's author is the account itself
    assert json.loads(page.cursor) == {"newest": "21", "direct": "117020593780198542"}


def test_the_next_fetch_asks_for_what_is_newer_than_the_cursor():
    with replay(mentions_and_conversations()) as (sent, _):
        connector().fetch(json.dumps({"newest": "20", "direct": "117020593780198000"}))
    assert sent.query(0)["min_id"] == ["20"]
    assert sent.query(1)["min_id"] == ["117020593780198000"]


def test_it_reads_a_hashtag_timeline_for_a_hashtag_query():
    with replay(recorded("mastodon", "test_hashtag_tl.yaml")) as (sent, _):
        page = connector(query="#hoot").fetch(None)
    assert sent.paths()[-1] == "/api/v1/timelines/tag/hoot"
    (item,) = page.items
    assert item.text == "#hoot (hashtag toot)"
    assert item.author_handle == "@mastodonpy_test_2@localhost:3000"
    assert not item.is_own
    assert json.loads(page.cursor) == {"newest": "117020593741189701"}


def test_it_searches_statuses_for_a_keyword_query():
    with replay(recorded("mastodon", "test_search.yaml")) as (sent, _):
        page = connector(query="mastodonpy_test").fetch(None)
    assert sent.paths() == ["/api/v2/search"]
    assert sent.query(0)["q"] == ["mastodonpy_test"] and sent.query(0)["type"] == ["statuses"]
    assert page.items == [] and page.cursor is None


def test_it_reads_the_replies_below_a_status():
    with replay(recorded("mastodon", "test_status_context.yaml")) as (sent, _):
        assert connector().replies_to("117020585487094447") == []
    assert sent.paths() == ["/api/v1/statuses/117020585487094447/context"]


def test_it_reads_the_character_limit_from_the_instance(tmp_path):
    with replay(cassette(tmp_path, instance_info())):
        made = connector()
        assert made.limits()["max_chars"] == 500
    assert made.config_changed and made.config["limits"]["url_chars"] == 23


def test_a_server_with_a_bigger_limit_is_believed(server):
    body = json.loads(instance_info()[0]["response"]["body"]["string"])
    body["configuration"]["statuses"]["max_characters"] = 11000
    server.route("/api/v2/instance/", Reply(200, json.dumps(body), JSON))
    made = connector(instance=server.base)
    assert made.limits()["max_chars"] == 11000
    made.check_length("x" * 5000)


def test_it_refuses_a_post_longer_than_the_instance_allows_before_sending(tmp_path):
    too_long = pytest.raises(ConnectorError, match="has 501 characters; localhost:3000 allows 500")
    with replay(cassette(tmp_path, instance_info())) as (sent, _), too_long:
        connector().publish("a" * 501)
    assert sent.paths() == ["/api/v2/instance/"]


def test_urls_count_as_the_instance_says():
    assert post_length("see https://example.com/a/very/long/path/indeed", 23) == 4 + 23


def test_it_publishes_with_an_idempotency_key(tmp_path):
    posted = interactions("test_status_post[None-public].yaml", "POST", "/api/v1/statuses")
    with replay(cassette(tmp_path, instance_info(), posted)) as (sent, _):
        published = connector().publish("Toot!", idempotency_key="variant-42")
    assert published.external_id == "localhost:3000/117020585924712638"
    assert published.url.startswith("http://localhost:3000/@")
    assert sent[-1].headers["Idempotency-Key"] == "variant-42"


def test_it_replies_mentioning_the_author_in_the_same_visibility(tmp_path):
    recorded_posts = interactions("test_status_reply.yaml", "POST", "/api/v1/statuses")
    parent = {**recorded_posts[0], "request": {**recorded_posts[0]["request"], "method": "GET"}}
    parent["request"]["uri"] = f"{INSTANCE}/api/v1/statuses/117020583245459824"
    with replay(cassette(tmp_path, [parent], instance_info(), recorded_posts[1:])) as (sent, _):
        published = connector().reply(
            "localhost:3000/117020583245459824", "same!", idempotency_key="reply-7"
        )
    assert published.external_id == "localhost:3000/117020583258292382"
    body = sent[-1].body.decode() if isinstance(sent[-1].body, bytes) else sent[-1].body
    assert "status=%40mastodonpy_test_2+same%21" in body
    assert "in_reply_to_id=117020583245459824" in body and "visibility=public" in body
    assert sent[-1].headers["Idempotency-Key"] == "reply-7"


def test_a_validation_error_keeps_the_servers_own_words(tmp_path):
    refused = interactions("test_lang_for_errors.yaml", "POST", "/api/v1/statuses")[1:]
    with (
        replay(cassette(tmp_path, instance_info(), refused)),
        pytest.raises(ConnectorError) as caught,
    ):
        connector().publish("short enough")
    assert "Text Begrenzung von 500 Zeichen überschritten" in caught.value.message
    assert "HTTP 422" in caught.value.message and not caught.value.permanent


def test_it_reports_metrics_from_verify_credentials(tmp_path):
    me = interactions("test_verify_credentials.yaml", "GET", "/api/v1/accounts/verify_credentials")
    with replay(cassette(tmp_path, me, instance_info())):
        metrics = connector().metrics()
    assert (metrics.followers, metrics.following, metrics.posts) == (0, 0, 0)
    assert metrics.extra["max_chars"] == 500
    assert metrics.extra["ratelimit_limit"] == 300


def test_a_revoked_token_is_a_permanent_error(server):
    server.route(
        "/api/v1/notifications", Reply(401, '{"error":"The access token is invalid"}', JSON)
    )
    with pytest.raises(ConnectorError, match="The access token is invalid") as caught:
        connector(instance=server.base).fetch(None)
    assert caught.value.permanent
    assert len(server.hits("/api/v1/notifications")) == 1


def test_a_rate_limited_server_is_a_transient_error_with_its_reset(server, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.time.sleep", lambda seconds: None)
    reset = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    headers = {
        **JSON,
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset,
    }
    server.route("/api/v1/notifications", Reply(429, '{"error":"Too many requests"}', headers))
    with pytest.raises(ConnectorError, match="rate limit is used up") as caught:
        connector(instance=server.base).fetch(None)
    assert not caught.value.permanent
    assert 200 < caught.value.retry_after <= 310  # the SDK corrects for the server's clock


def test_a_5xx_is_retried_then_read(server, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    mentions = interactions(
        "test_notifications_mentions_only.yaml", "GET", "/api/v1/notifications"
    )[0]
    server.route(
        "/api/v1/notifications",
        Reply(503, "busy"),
        Reply(200, mentions["response"]["body"]["string"], JSON),
    )
    server.route("/api/v1/conversations/", Reply(200, "[]", JSON))
    page = connector(instance=server.base).fetch(None)
    host = server.base.removeprefix("http://")
    assert [item.external_id for item in page.items] == [f"{host}/117020577157693549"]
    assert len(server.hits("/api/v1/notifications")) == 2


def test_a_server_that_keeps_failing_is_a_transient_error(server, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    server.route("/api/v1/notifications", Reply(502, "bad gateway"))
    with pytest.raises(ConnectorError, match="HTTP 502") as caught:
        connector(instance=server.base).fetch(None)
    assert not caught.value.permanent


def test_an_instance_on_a_private_address_is_refused(settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    with pytest.raises(ConnectorError, match="private or reserved") as caught:
        connector().fetch(None)
    assert caught.value.permanent


def test_a_server_whose_name_does_not_resolve_is_retried_later_not_a_reconnect(monkeypatch):
    from harken.lib.urlguard import HostNotFound, resolve

    try:
        resolve("social.harbor-street.invalid", 443)
    except HostNotFound as exc:
        if exc.temporary:
            pytest.skip(f"no resolver answers here: {exc}")
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    with pytest.raises(ConnectorError, match="cannot be found") as caught:
        connector(instance="https://social.harbor-street.invalid").fetch(None)
    assert not caught.value.permanent


def test_an_account_without_a_token_must_reconnect():
    with pytest.raises(ConnectorError, match="no access token") as caught:
        Mastodon({"instance": INSTANCE}).fetch(None)
    assert caught.value.permanent


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("https://Fosstodon.org/", "https://fosstodon.org"),
    ],
)
def test_instance_addresses_are_normalized(typed, base):
    assert normalize_instance(typed) == base


# Ids are per server -------------------------------------------------------------------


def _status(status_id: str, account_id: str, reply_to: str | None = None) -> dict:
    return {
        "id": status_id,
        "uri": f"https://origin.example/users/x/statuses/{status_id}",
        "url": f"https://origin.example/@x/{status_id}",
        "created_at": datetime(2026, 11, 20, 9, tzinfo=UTC),
        "content": "<p>Harbor Street</p>",
        "in_reply_to_id": reply_to,
        "visibility": "public",
        "account": {"id": account_id, "acct": "x", "display_name": "X"},
    }


def test_the_same_number_on_two_servers_is_two_statuses_and_two_authors():
    on_a = connector(instance="https://a.example").normalize(_status("7", "3", reply_to="6"))
    on_b = connector(instance="https://b.example:8443").normalize(_status("7", "3"))
    assert (on_a.external_id, on_a.author_id) == ("a.example/7", "a.example/3")
    assert on_a.in_reply_to == "a.example/6"  # the parent is on the same server
    assert (on_b.external_id, on_b.author_id) == ("b.example:8443/7", "b.example:8443/3")


def test_replies_are_read_by_the_servers_own_number():
    with replay(recorded("mastodon", "test_status_context.yaml")) as (sent, _):
        assert connector().replies_to("localhost:3000/117020585487094447") == []
    assert sent.paths() == ["/api/v1/statuses/117020585487094447/context"]


def test_a_status_of_another_server_is_not_answered_from_this_one():
    with pytest.raises(ConnectorError, match="This status is on a.example") as refused:
        connector().reply("a.example/5", "hello")
    assert not refused.value.permanent  # the account itself needs nothing
