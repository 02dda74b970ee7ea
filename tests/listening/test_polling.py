"""Polling sources through their real connectors, against a local feed server."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.lib import http
from harken.listening.models import Mention, Source
from harken.listening.models.source import hour_key
from harken.listening.polling import claim, due_sources, poll_source, record_failure
from harken.listening.tasks import do_enqueue_due_sources
from harken.networks.base import ConnectorError
from harken.networks.models import Account
from tests.lib.localserver import LocalServer, Reply

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title>
<link>https://news.example/</link><language>en</language>
{items}</channel></rss>"""
ENTRY = """<item><title>Story {n}</title><link>https://news.example/{n}</link>
<guid>https://news.example/{n}</guid><description>Harbor Street story {n}</description>
<pubDate>Fri, 20 Nov 2026 09:0{n}:00 GMT</pubDate></item>"""


def rss(*numbers: int) -> str:
    return RSS.format(items="".join(ENTRY.format(n=n) for n in numbers))


@pytest.fixture
def server(settings):
    settings.HTTP_ALLOW_LOOPBACK = True
    http.reset_rate_limits()
    with LocalServer() as running:
        yield running
    http.reset_rate_limits()


def feed(workspace, server, path="/feed", **fields):
    return Source.objects.create(
        workspace=workspace,
        name=path,
        kind=Source.Kind.FEED,
        network="feed",
        url=server.url(path),
        **fields,
    )


def test_a_poll_stores_the_feed_and_records_success(workspace, server):
    server.route("/feed", Reply(200, rss(1, 2), {"ETag": '"v1"'}))
    source = feed(workspace, server)
    outcome = poll_source(source.pk)
    assert (outcome.state, outcome.stored) == ("stored", 2)
    source.refresh_from_db()
    assert source.last_success is not None
    assert source.failures == 0
    assert source.next_poll > timezone.now() + timedelta(seconds=source.poll_interval * 0.8)
    assert Mention.objects.filter(source=source).count() == 2


def test_the_next_poll_resumes_from_the_stored_cursor(workspace, server):
    server.route("/feed", Reply(200, rss(1), {"ETag": '"v1"'}))
    source = feed(workspace, server)
    poll_source(source.pk)
    server.route("/feed", Reply(304, when=lambda h: h.get("if-none-match") == '"v1"'))
    outcome = poll_source(source.pk, force=True)
    assert (outcome.state, outcome.stored) == ("stored", 0)
    assert server.hits("/feed")[-1].headers.get("if-none-match") == '"v1"'


def test_a_gone_feed_keeps_the_networks_words_and_waits_a_day(workspace, server):
    server.route("/gone", Reply(410, "gone"))
    source = feed(workspace, server, "/gone")
    outcome = poll_source(source.pk)
    assert outcome.state == "failed"
    source.refresh_from_db()
    assert "is gone (HTTP 410)" in source.last_error
    assert source.failures == 1
    assert source.next_poll > timezone.now() + timedelta(hours=23)


def test_a_rate_limited_source_waits_for_retry_after(workspace, server):
    server.route("/busy", Reply(429, "slow down", {"Retry-After": "900"}))
    source = feed(workspace, server, "/busy")
    poll_source(source.pk)
    source.refresh_from_db()
    wait = source.next_poll - source.last_error_at
    assert timedelta(seconds=900) <= wait <= timedelta(seconds=906)


def test_one_broken_source_does_not_stop_the_others(workspace, server):
    server.route("/feed", Reply(200, rss(1)))
    server.route("/broken", Reply(200, "<html>not a feed</html>", {"Content-Type": "text/html"}))
    broken = feed(workspace, server, "/broken")
    good = feed(workspace, server, "/feed")
    assert set(do_enqueue_due_sources()) == {broken.pk, good.pk}
    broken.refresh_from_db()
    good.refresh_from_db()
    assert broken.last_error and broken.failures == 1
    assert good.last_success and Mention.objects.filter(source=good).count() == 1


def test_a_claimed_source_is_not_polled_by_a_second_worker(workspace, server):
    source = feed(workspace, server)
    now = timezone.now()
    assert claim(source.pk, now) is not None
    assert claim(source.pk, now) is None
    assert poll_source(source.pk).state == "busy"
    assert source.pk not in due_sources(now).values_list("pk", flat=True)


def test_a_permanent_error_marks_the_account_reconnect_needed(workspace):
    account = Account.objects.create(workspace=workspace, network="feed", handle="news", config={})
    source = Source.objects.create(
        workspace=workspace,
        name="No URL",
        kind=Source.Kind.ACCOUNT,
        network="feed",
        account=account,
    )
    poll_source(source.pk)
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT
    assert account.last_error == "This feed source has no URL."
    assert source.pk not in due_sources(timezone.now() + timedelta(days=2)).values_list(
        "pk", flat=True
    )


def test_backoff_doubles_with_each_failure_up_to_a_cap_with_jitter(workspace):
    from harken.listening.polling import MAX_BACKOFF, backoff
    from harken.networks.base import ConnectorError

    source = Source(workspace=workspace, poll_interval=300)
    error = ConnectorError("HTTP 503 from news.example")
    for failures, full in [(1, 300), (2, 600), (3, 1200)]:
        source.failures = failures
        waits = {backoff(source, error).total_seconds() for _ in range(50)}
        assert all(full / 2 <= wait <= full for wait in waits)
        assert len(waits) > 1  # jittered, so failing sources spread out
    source.failures = 40
    assert backoff(source, error) <= MAX_BACKOFF


def test_the_minute_task_polls_due_sources(workspace, server):
    from harken.listening.tasks import enqueue_due_sources

    server.route("/feed", Reply(200, rss(1)))
    source = feed(workspace, server)
    enqueue_due_sources.call_local()
    source.refresh_from_db()
    assert source.last_success is not None


def json_feed(*items: dict) -> str:
    return json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "Local", "items": list(items)}
    )


def entry(ident: str, n: int, **fields) -> dict:
    return {
        "id": ident,
        "url": f"https://news.example/{n}",
        "content_text": f"Harbor Street story {n}",
        "date_published": f"2026-11-20T09:0{n}:00Z",
        **fields,
    }


JSON = {"Content-Type": "application/feed+json"}


NOT_AN_OBJECT = "an item that is not a JSON object"


def test_items_a_source_skips_show_in_the_sources_health(workspace, server, alice_client):
    # Two items that are not objects: the feed reader skips them and says why.
    server.route("/feed", Reply(200, json_feed(entry("a", 1), 2, "three"), JSON))
    source = feed(workspace, server)
    assert poll_source(source.pk).stored == 1
    source.refresh_from_db()
    assert source.last_skipped == {NOT_AN_OBJECT: 2}
    assert source.skipped_last_day == 2
    page = alice_client.get(reverse("source_list")).content.decode()
    assert f"2 items skipped in the last poll: {NOT_AN_OBJECT} (2)" in page
    assert "2 skipped in the last 24 h" in page


def test_a_clean_poll_clears_the_last_skips_and_the_day_keeps_counting(workspace, server):
    server.route("/feed", Reply(200, json_feed(entry("a", 1), 2), JSON))
    source = feed(workspace, server)
    poll_source(source.pk)
    server.route("/feed", Reply(200, json_feed(entry("a", 1), entry("b", 3)), JSON))
    outcome = poll_source(source.pk, force=True)
    assert outcome.stored == 1
    source.refresh_from_db()
    assert source.last_skipped == {}
    assert source.skipped_last_day == 1


def test_skips_older_than_a_day_drop_out_of_the_count(workspace, server):
    server.route("/feed", Reply(200, json_feed(1), JSON))
    source = feed(workspace, server)
    source.skipped_by_hour = {hour_key(timezone.now() - timedelta(hours=30)): 7}
    source.save()
    poll_source(source.pk)
    source.refresh_from_db()
    assert list(source.skipped_by_hour.values()) == [1]  # the old hour is gone
    assert source.skipped_last_day == 1


def test_a_failed_poll_keeps_the_skips_of_the_pages_it_stored_before_failing(workspace, server):
    source = feed(workspace, server)
    now = timezone.now()
    assert record_failure(source, ConnectorError("HTTP 503"), now, Counter({"no id": 3}))
    source.refresh_from_db()
    assert (source.last_skipped, source.skipped_last_day) == ({"no id": 3}, 3)
    record_failure(source, ConnectorError("HTTP 503"), now)  # failed before any page
    source.refresh_from_db()
    assert source.last_skipped == {"no id": 3}  # what the last stored page said, kept
