from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harken.networks.base import ConnectorError
from harken.networks.feeds.connector import Feed, plain_text
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply
from tests.networks import feed_samples as samples

pytestmark = pytest.mark.usefixtures("loopback")

ATOM = {"Content-Type": "application/atom+xml; charset=UTF-8"}
RSS = {"Content-Type": "application/rss+xml; charset=UTF-8"}


def feed(server, path: str = "/feed") -> Feed:
    connector = connector_for(network="feed", config={"url": server.url(path)})
    assert isinstance(connector, Feed)
    return connector


def test_it_reads_a_google_alerts_feed_as_articles(server):
    server.route("/alerts", Reply(200, samples.GOOGLE_ALERTS, ATOM))
    page = feed(server, "/alerts").fetch(None)
    first, second = page.items
    assert first.kind == "article" and first.network == "feed"
    assert first.external_id == "tag:google.com,2013:googlealerts/feed:10813398812337181401"
    # The Google redirect is unwrapped to the article itself.
    assert (
        first.url
        == "https://www.portlandtribune.example/business/harbor-street-jewelers-second-store"
    )
    assert first.text == (
        "Harbor Street Jewelers opens second store downtown\n\n"
        "The family-owned jeweler will open on Alder Street in December & hire 12 people\xa0..."
    )
    assert first.author_handle == "www.portlandtribune.example"
    assert first.created == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert "above and beyond" in second.text and "'" in second.text


def test_it_reads_a_reddit_search_feed_with_its_authors(server):
    server.route("/search.rss", Reply(200, samples.REDDIT_SEARCH, ATOM))
    page = feed(server, "/search.rss").fetch(None)
    # Reddit's ids are unique on Reddit only: the feed's address makes them unique here.
    expected = [server.url("/search.rss#t3_1gv1q9z"), server.url("/search.rss#t3_1gw8x2k")]
    assert [item.external_id for item in page.items] == expected  # oldest first
    newest = page.items[1]
    assert newest.author_handle == "/u/pdx_ring_hunter"
    assert (
        newest.url
        == "https://www.reddit.com/r/Portland/comments/1gw8x2k/ring_resizing_at_harbor_street_jewelers/"
    )
    assert "They quoted me 3 weeks & I need it by the 12th." in newest.text
    assert "<" not in newest.text and "SC_OFF" not in newest.text


def test_it_reads_a_youtube_channel_feed(server):
    server.route("/videos.xml", Reply(200, samples.YOUTUBE_CHANNEL, ATOM))
    (video,) = feed(server, "/videos.xml").fetch(None).items
    assert video.external_id == server.url("/videos.xml#yt:video:8xA4Qw_v1ZM")
    assert video.url == "https://www.youtube.com/watch?v=8xA4Qw_v1ZM"
    assert video.author_name == "Rival Rings"
    assert video.text.startswith("How we set a 2 carat diamond\n\nA bench jeweler shows every step")
    assert "Tools & tips" in video.text


def test_it_reads_a_json_feed(server):
    server.route(
        "/feed.json", Reply(200, samples.JSON_FEED, {"Content-Type": "application/feed+json"})
    )
    older, newer = feed(server, "/feed.json").fetch(None).items
    assert older.external_id == "https://atelier.example/2026/11/recycled-gold"
    title, body = older.text.split("\n\n")
    assert title == "Why we switched to recycled gold"
    assert body == "Every ring we cast now uses recycled gold — here is why."
    assert older.author_name == "Atelier Noor" and older.language == "fr"
    assert older.created == datetime(2026, 11, 18, 7, 30, tzinfo=UTC)
    assert newer.text == "Short note: the shop is closed on Monday. <not a tag>"
    assert newer.author_name == "Noor"


def test_it_strips_scripts_and_tags_from_summaries(server):
    server.route(
        "/feed", Reply(200, samples.blog_feed((1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000")), RSS)
    )
    (item,) = feed(server).fetch(None).items
    assert item.text == "Opals\n\nSummary of Opals & more"
    assert item.author_name == "Mara Lindqvist"
    assert item.language == "en-US"


def test_it_asks_with_etag_and_gets_nothing_on_304(server):
    body = samples.blog_feed((1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000"))
    server.route(
        "/feed",
        Reply(304, when=lambda headers: headers.get("if-none-match") == '"v1"'),
        Reply(200, body, {**RSS, "ETag": '"v1"'}),
    )
    connector = feed(server)
    first = connector.fetch(None)
    assert len(first.items) == 1
    second = connector.fetch(first.cursor)
    assert second.items == [] and second.cursor == first.cursor
    assert server.hits("/feed")[1].headers["if-none-match"] == '"v1"'
    assert len(server.hits("/feed")) == 2


def test_it_asks_with_last_modified_and_returns_only_new_entries(server):
    stamp = "Fri, 20 Nov 2026 10:12:33 GMT"
    old = (1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000")
    new = (2, "Pearls", "Sat, 21 Nov 2026 09:00:00 +0000")
    server.route(
        "/feed",
        Reply(200, samples.blog_feed(old), {**RSS, "Last-Modified": stamp}),
        Reply(200, samples.blog_feed(new, old), RSS),
    )
    connector = feed(server)
    first = connector.fetch(None)
    second = connector.fetch(first.cursor)
    assert server.hits("/feed")[1].headers["if-modified-since"] == stamp
    assert [item.text.split("\n")[0] for item in second.items] == ["Pearls"]
    assert json.loads(second.cursor)["seen"][:2] == [
        "https://gemandloupe.example/?p=2",
        "https://gemandloupe.example/?p=1",
    ]


def test_it_retries_a_500_then_reads_the_feed(server, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    body = samples.blog_feed((1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000"))
    server.route("/feed", Reply(500, "oops"), Reply(200, body, RSS))
    assert len(feed(server).fetch(None).items) == 1
    assert len(server.hits("/feed")) == 2


def test_a_broken_feed_is_a_clear_error(server):
    server.route("/feed", Reply(200, samples.BROKEN_FEED, RSS))
    with pytest.raises(ConnectorError, match="cannot be read") as caught:
        feed(server).fetch(None)
    assert not caught.value.permanent


def test_a_web_page_is_not_a_feed(server):
    server.route("/", Reply(200, samples.HTML_PAGE, {"Content-Type": "text/html; charset=utf-8"}))
    with pytest.raises(ConnectorError, match="is a web page, not a feed") as caught:
        feed(server, "/").fetch(None)
    assert caught.value.permanent


def test_json_that_is_not_a_json_feed_is_refused(server):
    server.route("/api", Reply(200, '{"status": "ok"}', {"Content-Type": "application/json"}))
    with pytest.raises(ConnectorError, match="not a JSON Feed"):
        feed(server, "/api").fetch(None)


@pytest.mark.parametrize("status", [404, 410])
def test_a_feed_that_is_gone_is_a_permanent_error(server, status):
    server.route("/feed", Reply(status, "gone"))
    with pytest.raises(ConnectorError, match=f"is gone \\(HTTP {status}\\)") as caught:
        feed(server).fetch(None)
    assert caught.value.permanent


def test_an_empty_feed_is_not_an_error(server):
    server.route("/feed", Reply(200, samples.blog_feed(), RSS))
    page = feed(server).fetch(None)
    assert page.items == [] and json.loads(page.cursor)["seen"] == []


def test_a_feed_on_a_private_address_is_refused(settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    with pytest.raises(ConnectorError, match="private or reserved") as caught:
        connector_for(network="feed", config={"url": "http://127.0.0.1:9/feed"}).fetch(None)
    assert caught.value.permanent


def test_plain_text_keeps_paragraphs_and_drops_markup():
    assert (
        plain_text("<p>One &amp; two</p><p>Three<br>four</p><style>p{}</style>")
        == "One & two\n\nThree\nfour"
    )


def test_an_unseen_entry_older_than_the_remembered_window_is_not_news(server, monkeypatch):
    monkeypatch.setattr("harken.networks.feeds.connector.SEEN_LIMIT", 2)
    newest = (3, "Rubies", "Sun, 22 Nov 2026 09:00:00 +0000")
    middle = (2, "Pearls", "Sat, 21 Nov 2026 09:00:00 +0000")
    ancient = (1, "Opals", "Fri, 20 Nov 2025 10:00:00 +0000")
    fresh = (4, "Garnets", "Mon, 23 Nov 2026 09:00:00 +0000")
    server.route(
        "/feed",
        Reply(200, samples.blog_feed(newest, middle), RSS),
        # The feed now shows an old post again (republished) and one new one.
        Reply(200, samples.blog_feed(fresh, newest, middle, ancient), RSS),
    )
    connector = feed(server)
    first = connector.fetch(None)
    second = connector.fetch(first.cursor)
    assert [item.text.split("\n")[0] for item in second.items] == ["Garnets"]


def test_a_feed_cut_off_mid_entry_yields_its_whole_entries_and_is_read_again_in_full(server):
    whole = samples.blog_feed((2, "Pearls", "Sat, 21 Nov 2026 09:00:00 +0000"))
    cut = whole[: whole.index("</item>") + len("</item>")] + "\n<item><title>Half"
    server.route(
        "/feed",
        Reply(304, when=lambda headers: headers.get("if-none-match") == '"v1"'),
        Reply(200, cut, {**RSS, "ETag": '"v1"'}),
    )
    page = feed(server).fetch(None)
    assert [item.text.split("\n")[0] for item in page.items] == ["Pearls"]
    # No validators from a damaged body: the next poll must not be answered with a 304.
    assert json.loads(page.cursor)["etag"] == ""


def test_a_broken_feed_whose_only_entry_is_empty_stores_nothing(server):
    server.route("/feed", Reply(200, '<?xml version="1.0"?><rss><channel><item>', RSS))
    with pytest.raises(ConnectorError, match="cannot be read"):
        feed(server).fetch(None)


# Hostile documents (see also tests/listening/test_hostile_feeds.py) ---------------------


def test_a_charset_given_only_in_the_http_header_is_honoured(server):
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Новости</title>'
        "<item><title>Привет, мир</title><link>https://news.example/1</link></item>"
        "</channel></rss>"
    ).encode("windows-1251")
    server.route("/feed", Reply(200, body, {"Content-Type": "text/xml; charset=windows-1251"}))
    (item,) = feed(server).fetch(None).items
    assert item.text == "Привет, мир"


def test_feedparsers_author_email_search_takes_linear_time_on_a_megabyte(server):
    import time

    author = "a@" + "a." * 500_000 + "!"
    body = samples.blog_feed((1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000"))
    body = body.replace("Mara Lindqvist", author)
    server.route("/feed", Reply(200, body, RSS))
    started = time.monotonic()
    (item,) = feed(server).fetch(None).items
    assert time.monotonic() - started < 5  # feedparser's own pattern: hours
    assert item.text.startswith("Opals")


@pytest.mark.parametrize(
    "author",
    [
        "Mara Lindqvist (mara@example.com)",
        "mara@example.com (Mara)",
        "Write to mara@mail.example.co.uk.",
        "<mara@[192.168.1.1]>",
        "mara+news@example.com?subject=hello there",
        "a@b.c",
        "Mara",
        "x.y@z.museum",
    ],
)
def test_the_linear_email_search_finds_what_feedparsers_found(author):
    import re

    from harken.networks.feeds.authors import EMAIL

    original = re.compile(
        r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
    )
    theirs, ours = original.search(author), EMAIL.search(author)
    assert (ours and (ours.span(), ours.groups())) == (theirs and (theirs.span(), theirs.groups()))


def test_a_feed_too_slow_to_parse_is_stopped_and_said_so(server, monkeypatch):
    import time

    from harken.networks.feeds import worker

    monkeypatch.setattr(worker, "PARSE_CPU_SECONDS", 1)
    nested = "<b>" * 300_000 + "x" + "</b>" * 300_000
    body = samples.blog_feed((1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000"))
    body = body.replace("Summary of Opals", nested)
    server.route("/feed", Reply(200, body, RSS))
    started = time.monotonic()
    with pytest.raises(ConnectorError, match="took more than 1 seconds to read") as stopped:
        feed(server).fetch(None)
    assert not stopped.value.permanent  # backed off and tried again, not given up
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    "ident,scoped",
    [
        ("1", True),
        ("t3_1gw8x2k", True),
        ("yt:video:8xA4Qw_v1ZM", True),
        ("post:1", True),
        ("/2026/11/opals", True),
        ("https://blog.example/2026/11/opals", False),
        ("tag:blog.example,2026:opals", False),
        ("urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", False),
    ],
)
def test_an_entry_id_is_scoped_by_its_feed_unless_it_is_globally_unique(ident, scoped):
    from harken.networks.feeds.connector import item_id

    feed_url = "https://blog.example/feed.xml"
    assert item_id(feed_url, ident) == (f"{feed_url}#{ident}" if scoped else ident)


def test_a_feed_is_read_from_a_worker_thread_as_the_queue_reads_it(server):
    import threading

    server.route(
        "/feed", Reply(200, samples.blog_feed((1, "Opals", "Fri, 20 Nov 2026 10:00:00 +0000")), RSS)
    )
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(feed(server).fetch(None).items))
    reader.start()
    reader.join(timeout=30)
    ((item,),) = found
    assert item.text.startswith("Opals")
