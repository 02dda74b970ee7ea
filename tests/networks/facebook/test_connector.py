"""The Facebook Page connector against a local Graph API answering with the bodies
recorded from the real one (../shared/data/recorded-api/facebook-graph/). Where Meta's
answer was never recorded (an empty edge, a photo upload, the rate-limit and token
errors on a Graph call) the reply is the documented shape, and the test says so."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harken.networks.base import ConnectorError
from harken.networks.facebook.connector import HIDDEN, Facebook
from harken.networks.meta.graph import proof
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import (
    APP_SECRET,
    body,
    error,
    path,
    query,
    recorded,
)
from tests.networks.facebook.page_local import (
    PAGE,
    TOKEN,
    WITH_AUTHORS,
    WITHOUT_AUTHORS,
    feed_posts,
)


def page(**config) -> Facebook:
    return Facebook({"page_id": PAGE, "page_token": TOKEN, **config})


def test_fetch_reads_the_comments_on_the_pages_posts_oldest_first(feed):
    got = page().fetch(None)
    assert [i.text for i in got.items][:2] == ['hummm, it\'s not "post"...', got.items[1].text]
    assert len(got.items) == 4 and [i.created for i in got.items] == sorted(
        i.created for i in got.items
    )
    first = got.items[0]
    assert (first.network, first.kind, first.external_id) == (
        "facebook",
        "comment",
        "10152662663892277_10152662666892277",
    )
    assert (first.author_id, first.author_handle, first.author_name) == (
        "579612276",
        "Nov Matake",
        "Nov Matake",
    )
    # Threaded under the post they comment on.
    assert {(i.in_reply_to, i.conversation_id) for i in got.items} == {(WITH_AUTHORS, WITH_AUTHORS)}
    assert got.cursor == datetime(2014, 8, 20, 5, 57, 48, tzinfo=UTC).isoformat()


def test_comments_meta_hid_the_writer_of_are_skipped_with_the_reason(feed):
    got = page().fetch(datetime(2000, 1, 1, tzinfo=UTC).isoformat())
    hidden = len(json.loads(recorded("post_comments_p1.json"))["data"]) + len(
        json.loads(recorded("post_comments_p2.json"))["data"]
    )
    assert len(got.skipped) == hidden and {why for _, why in got.skipped} == {HIDDEN}
    # The second page of those comments was asked for by its cursor, on Harken's own host.
    second = feed.hits(path(WITHOUT_AUTHORS, "comments"))[1]
    assert query(second)["after"] == "after"


def test_a_first_poll_reads_only_the_newest_page_of_each_posts_comments(feed):
    got = page().fetch(None)
    first_page = json.loads(recorded("post_comments_p1.json"))["data"]
    assert len(got.skipped) == len(first_page)
    assert len(feed.hits(path(WITHOUT_AUTHORS, "comments"))) == 1


def test_the_feed_is_paged_by_cursor_and_comments_asked_as_a_stream(feed):
    page().fetch(None)
    first, second = feed.hits(path(PAGE, "feed"))
    assert "after" not in query(first) and query(second)["after"] == "after"
    asked = query(feed.hits(path(WITH_AUTHORS, "comments"))[0])
    assert (asked["filter"], asked["order"]) == ("stream", "reverse_chronological")
    assert "from{id,name}" in asked["fields"] and "parent{id}" in asked["fields"]


def test_every_call_carries_the_token_and_its_appsecret_proof(feed):
    page().fetch(None)
    for seen in feed.requests:
        sent = query(seen)
        assert sent["access_token"] == TOKEN
        assert sent["appsecret_proof"] == proof(TOKEN)
    assert proof(TOKEN) != proof("another") and len(proof(TOKEN)) == 64
    assert APP_SECRET not in str([seen.path for seen in feed.requests])


def test_a_cursor_reads_only_posts_with_newer_activity(feed):
    cursor = datetime(2021, 7, 11, tzinfo=UTC).isoformat()
    got = page().fetch(cursor)
    active = {p["id"] for p in feed_posts() if p["updated_time"] > "2021-07-11T00:00:00+0000"}
    assert {p for p in (x["id"] for x in feed_posts()) if feed.hits(path(p, "comments"))} == active
    # The recorded comments are from 2014, older than the cursor: nothing new.
    assert got.items == [] and got.cursor == cursor


def test_publish_posts_text_and_link_to_the_feed_once(meta):
    meta.route(path(PAGE, "feed"), body("feed_publish_response.json"))
    done = page().publish("New rings in store", link="https://harbor.example/rings")
    assert (done.external_id, done.url) == (
        "579612276_401071652276",
        "https://www.facebook.com/579612276_401071652276",
    )
    (seen,) = meta.hits(path(PAGE, "feed"))
    sent = query(seen)
    assert seen.method == "POST"
    assert (sent["message"], sent["link"]) == ("New rings in store", "https://harbor.example/rings")


def test_a_publish_whose_answer_was_lost_is_not_sent_again(meta):
    meta.route(path(PAGE, "feed"), Reply(500, "{}"), body("feed_publish_response.json"))
    with pytest.raises(ConnectorError) as raised:
        page().publish("Once only")
    assert not raised.value.permanent
    assert len(meta.hits(path(PAGE, "feed"))) == 1  # find_published settles it, not a retry


def test_photos_are_uploaded_unpublished_then_attached_to_one_post(meta):
    """Meta's documented answers to POST /{page}/photos (``{"id": ...}``): none recorded."""
    meta.route(path(PAGE, "photos"), Reply(200, '{"id": "111"}'), Reply(200, '{"id": "222"}'))
    meta.route(path(PAGE, "feed"), body("feed_publish_response.json"))
    page().publish(
        "Two rings", image_urls=["https://cdn.example/a.jpg", "https://cdn.example/b.jpg"]
    )
    uploads = [query(seen) for seen in meta.hits(path(PAGE, "photos"))]
    assert [(u["url"], u["published"]) for u in uploads] == [
        ("https://cdn.example/a.jpg", "false"),
        ("https://cdn.example/b.jpg", "false"),
    ]
    post = query(meta.hits(path(PAGE, "feed"))[0])
    assert json.loads(post["attached_media[0]"]) == {"media_fbid": "111"}
    assert json.loads(post["attached_media[1]"]) == {"media_fbid": "222"}


def test_a_post_over_the_limit_is_refused_before_any_call(meta):
    assert Facebook.max_chars == 63206
    with pytest.raises(ConnectorError) as raised:
        page().publish("x" * 63207)
    assert raised.value.rejected and meta.requests == []


def test_find_published_finds_the_pages_post_with_the_same_text(meta):
    meta.route(
        path(PAGE, "posts"), body("page_posts_fields_p1.json"), body("page_posts_fields_p2.json")
    )
    since = datetime(2021, 7, 4, 19, 0, tzinfo=UTC)
    found = page().find_published("key", "Happy  July 4th! 🇺🇸", since)
    assert found is not None and found.external_id == "4_10113477241177441"
    assert query(meta.hits(path(PAGE, "posts"))[0])["since"] == str(int(since.timestamp()))


def test_find_published_says_none_when_the_post_is_not_there(meta):
    meta.route(path(PAGE, "posts"), body("page_posts_fields_p1.json"))
    assert page().find_published("key", "Never posted", datetime(2021, 7, 1, tzinfo=UTC)) is None


def test_reply_comments_on_the_comment_as_the_page(meta):
    comment = "245778718206154_229887283291835"
    meta.route(path(comment, "comments"), body("comment_create_response.json"))
    done = page().reply(comment, "Thank you!")
    assert done.external_id == "245778718206154_229887283291835"
    assert done.url.startswith("https://www.facebook.com/245628824887810/posts/")
    assert query(meta.hits(path(comment, "comments"))[0])["message"] == "Thank you!"


def test_metrics_read_fans_and_the_insights_meta_gives(meta):
    meta.route(path("20531316728"), body("page_fan_count.json"))
    meta.route(path("20531316728", "insights"), body("page_insights_fans_city_p1.json"))
    got = Facebook({"page_id": "20531316728", "page_token": TOKEN}).metrics()
    assert got.followers == 214507731 and got.extra["fans"] == 214507731
    assert isinstance(got.extra["page_fans_city"], dict) and got.extra["page_fans_city"]


def test_a_refused_insight_is_reported_without_losing_the_fans(meta):
    """The insights refusal is Meta's documented invalid-metric error (code 100)."""
    meta.route(path("20531316728"), body("page_fan_count.json"))
    meta.route(
        path("20531316728", "insights"),
        error(100, "(#100) The value must be a valid insights metric"),
    )
    got = Facebook({"page_id": "20531316728", "page_token": TOKEN}).metrics()
    assert got.followers == 214507731
    assert "valid insights metric" in got.extra["insights_error"]


def test_post_metrics_count_reactions_comments_and_shares(meta):
    post = "175154750010052_424924701699721"
    insights = json.loads(recorded("post_insights.json"))["insights"]
    meta.route(path(post), body("post_reactions_comments_summary.json"))
    meta.route(path(post, "insights"), Reply(200, json.dumps(insights)))
    got = page().post_metrics(post)
    assert (got["reactions"], got["comments"], got["shares"]) == (1, 0, 0)
    assert got["post_engaged_users"] == 0


def test_a_missing_permission_needs_a_reconnect_in_metas_words(meta):
    meta.route(
        path(PAGE, "feed"), Reply(400, recorded("error_100_missing_pages_read_engagement.json"))
    )
    with pytest.raises(ConnectorError) as raised:
        page().fetch(None)
    assert raised.value.permanent
    assert "pages_read_engagement" in raised.value.message
    assert "Reconnect the account" in raised.value.message


def test_an_expired_token_needs_a_reconnect(meta):
    """Meta's error for an expired session (190/463), with the words the recorded
    debug_token report gives; a Graph call's 190 body was never recorded."""
    words = json.loads(recorded("debug_token_error_190_463_expired.json"))["data"]["error"][
        "message"
    ]
    meta.route(path(PAGE, "feed"), error(190, words, subcode=463))
    with pytest.raises(ConnectorError) as raised:
        page().fetch(None)
    assert raised.value.permanent
    assert (
        "the sign-in expired" in raised.value.message
        and "Session has expired" in raised.value.message
    )


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_a_rate_limit_error_waits_metas_estimate_and_stops_calling(meta, code):
    """Meta's documented rate-limit error and X-Business-Use-Case-Usage header."""
    usage = {
        PAGE: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 20,
                "total_time": 30,
                "estimated_time_to_regain_access": 7,
            }
        ]
    }
    meta.route(
        path(PAGE, "feed"),
        error(
            code,
            "(#32) Page request limit reached",
            **{"X-Business-Use-Case-Usage": json.dumps(usage)},
        ),
    )
    with pytest.raises(ConnectorError) as raised:
        page().fetch(None)
    assert not raised.value.permanent and raised.value.retry_after == 7 * 60
    with pytest.raises(ConnectorError, match="rate limit is nearly used up"):
        page().fetch(None)
    assert len(meta.hits(path(PAGE, "feed"))) == 1  # the second poll did not call


def test_usage_near_the_limit_pauses_before_meta_blocks(feed):
    """An answer that succeeds but reports 95 % of the app's hour used (X-App-Usage in
    the recorded batch response's shape)."""
    feed.route(
        path(PAGE, "feed"),
        body(
            "page_feed_p1.json",
            **{"X-App-Usage": '{"call_count":95,"total_cputime":20,"total_time":40}'},
        ),
    )
    with pytest.raises(ConnectorError) as raised:
        page().fetch(None)  # the next call (a post's comments) is not made
    assert raised.value.retry_after and raised.value.retry_after > 60
    assert feed.hits(path(WITH_AUTHORS, "comments")) == []


def test_low_usage_lets_calls_through(feed):
    recorded_usage = json.loads(recorded("batch_with_error_100.json"))[0]["headers"]
    app_usage = next(h["value"] for h in recorded_usage if h["name"] == "X-App-Usage")
    feed.route(path(PAGE, "feed"), body("page_feed_p1.json", **{"X-App-Usage": app_usage}))
    assert page().fetch(None).items


def test_the_registry_serves_it_with_its_limits():
    connector = connector_for(network="facebook", config={"page_id": PAGE, "page_token": TOKEN})
    assert isinstance(connector, Facebook)
    assert {"fetch", "publish", "reply", "metrics"} <= Facebook.capabilities
    assert Facebook.finds_published and Facebook.max_images == 10


def test_a_page_without_a_token_asks_for_a_reconnect():
    with pytest.raises(ConnectorError) as raised:
        Facebook({"page_id": PAGE}).fetch(None)
    assert raised.value.permanent


@pytest.mark.parametrize("parent", ["1/feed?message=x&", "../me/feed", "", "12_34_56", "abc"])
def test_a_reply_to_something_that_is_not_a_graph_id_is_refused_before_any_call(meta, parent):
    with pytest.raises(ConnectorError) as raised:
        page().reply(parent, "Hello")
    assert raised.value.rejected and meta.requests == []


def test_visitor_posts_and_posts_tagging_the_page_are_items(meta):
    """A visitor's post on the feed and another Page's post tagging ours, in the Graph
    reference's shape (``from``, ``message``, ``created_time``): no recording has them."""
    visitor = {
        "id": f"{PAGE}_900",
        "from": {"id": "555", "name": "Dana Customer"},
        "message": "Is the ring in my size back in stock?",
        "created_time": "2026-12-05T10:00:00+0000",
        "updated_time": "2026-12-05T10:00:00+0000",
        "comments": {"data": [], "summary": {"total_count": 0}},
    }
    own = {**visitor, "id": f"{PAGE}_901", "from": {"id": PAGE, "name": "Us"}, "message": "Ours"}
    tagging = {
        "id": "777_902",
        "from": {"id": "777", "name": "Harbor Street Market"},
        "message": "Our neighbours at the jewelers have new rings",
        "created_time": "2026-12-05T11:00:00+0000",
    }
    meta.route(path(PAGE, "feed"), Reply(200, json.dumps({"data": [visitor, own]})))
    meta.route(path(PAGE, "tagged"), Reply(200, json.dumps({"data": [tagging]})))
    got = page().fetch(None)
    assert [(i.external_id, i.kind, i.author_name, i.is_own) for i in got.items] == [
        (f"{PAGE}_900", "post", "Dana Customer", False),
        ("777_902", "post", "Harbor Street Market", False),
    ]
    assert meta.hits(path(f"{PAGE}_900", "comments")) == []  # no comments: no call


def test_the_cursors_own_second_is_read_again_so_no_comment_of_it_is_lost(feed):
    cursor = datetime(2014, 8, 20, 5, 57, 48, tzinfo=UTC).isoformat()  # the newest comment
    got = page().fetch(cursor)
    assert [i.text for i in got.items] == ["完成さしてからだせや！！"] and got.cursor == cursor
