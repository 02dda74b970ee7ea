"""Drafts from feeds: a local HTTP server serves a blog's RSS; each new item becomes one
draft post with a draft variant per chosen account, never scheduled, never twice."""

from __future__ import annotations

import pytest

from harken.publishing.compose.feeds import do_read_feed, draft_text
from harken.publishing.models import DraftFeed, Post, Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks import feed_samples as samples

pytestmark = pytest.mark.django_db

RSS = {"Content-Type": "application/rss+xml"}
FIRST = (812, "How to clean silver", "Fri, 20 Nov 2026 10:00:00 +0000")
SECOND = (813, "Ring sizes, explained", "Sat, 21 Nov 2026 10:00:00 +0000")


@pytest.fixture
def feed(workspace, server, loopback, x_account, sky_account) -> DraftFeed:
    made = DraftFeed.objects.create(workspace=workspace, url=server.url("/feed/"))
    made.accounts.set([x_account, sky_account])
    return made


def test_each_new_item_becomes_one_draft_for_each_account(feed, server):
    server.route("/feed/", Reply(200, samples.blog_feed(FIRST), RSS))
    report = do_read_feed(feed)
    post = Post.objects.get()
    assert report.made == [post.pk]
    assert post.source_url == "https://gemandloupe.example/post-812/"
    assert post.text.startswith("How to clean silver")
    assert post.text.endswith("\n\nhttps://gemandloupe.example/post-812/")
    assert "alert" not in post.text  # the summary's script is not text
    variants = Variant.objects.filter(post=post)
    assert variants.count() == 2 and {v.state for v in variants} == {State.DRAFT}

    server.route("/feed/", Reply(200, samples.blog_feed(SECOND, FIRST), RSS))
    feed.refresh_from_db()
    assert len(do_read_feed(feed).made) == 1
    assert Post.objects.count() == 2


def test_an_item_read_again_after_a_crash_is_not_drafted_twice(feed, server):
    server.route("/feed/", Reply(200, samples.blog_feed(FIRST), RSS))
    do_read_feed(feed)
    DraftFeed.objects.filter(pk=feed.pk).update(cursor="")  # the cursor was never saved
    feed.refresh_from_db()
    assert do_read_feed(feed).made == []
    assert Post.objects.count() == 1


def test_a_feed_that_is_gone_says_so_and_drafts_nothing(feed, server):
    server.route("/feed/", Reply(404, "Not here", {"Content-Type": "text/plain"}))
    report = do_read_feed(feed)
    feed.refresh_from_db()
    assert "is gone (HTTP 404)" in report.error and feed.last_error == report.error
    assert not Post.objects.exists()


def test_a_long_item_is_cut_at_a_word_before_its_link():
    from datetime import UTC, datetime

    from harken.networks.base import NormalizedItem

    item = NormalizedItem(
        "feed", "1", "article", "word " * 100, datetime.now(UTC), "a", "a", url="https://b.example/"
    )
    text = draft_text(item)
    assert text.endswith("…\n\nhttps://b.example/") and len(text) < 230


def test_a_manager_adds_a_feed_and_reads_it_from_the_page(
    alice_client, server, loopback, x_account
):
    server.route("/feed/", Reply(200, samples.blog_feed(FIRST), RSS))
    alice_client.post(
        "/calendar/compose/feeds/", {"url": server.url("/feed/"), "accounts": [str(x_account.pk)]}
    )
    feed = DraftFeed.objects.get()
    assert list(feed.accounts.all()) == [x_account]
    alice_client.post(f"/calendar/compose/feeds/{feed.pk}/read/")
    page = alice_client.get("/calendar/compose/feeds/").content.decode()
    assert "How to clean silver" in page and "1 new drafts." in page


def test_a_responder_cannot_add_feeds(bob_client, server):
    response = bob_client.post("/calendar/compose/feeds/", {"url": server.url("/feed/")})
    assert response.status_code == 403 and not DraftFeed.objects.exists()


def test_a_private_address_is_refused(alice_client):
    alice_client.post("/calendar/compose/feeds/", {"url": "http://10.0.0.5/feed"})
    assert not DraftFeed.objects.exists()
