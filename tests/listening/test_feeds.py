"""Listening › Sources: adding a web feed (RSS, Atom, Google Alerts) as a source, its
address checked by the URL guard before anything is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source

pytestmark = pytest.mark.usefixtures("loopback")


def test_adding_a_feed_creates_a_listening_source(alice_client, workspace, server):
    response = alice_client.post(
        reverse("source_feed_add"), {"url": server.url("/feed.xml"), "name": "Gem & Loupe"}
    )
    assert response.status_code == 302
    source = Source.objects.get(workspace=workspace)
    assert (source.kind, source.network, source.url, source.name) == (
        "feed",
        "feed",
        server.url("/feed.xml"),
        "Gem & Loupe",
    )
    assert AuditEntry.objects.filter(action="source.add_feed", workspace=workspace).exists()


def test_a_feed_on_a_private_address_is_refused_with_a_reason(alice_client, settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    response = alice_client.post(reverse("source_feed_add"), {"url": "http://192.168.1.1/feed"})
    assert response.status_code == 400
    assert "private or reserved address" in response.content.decode()
    assert not Source.objects.exists()


def test_the_same_feed_is_not_added_twice(alice_client, workspace, server):
    alice_client.post(reverse("source_feed_add"), {"url": server.url("/feed.xml")})
    response = alice_client.post(reverse("source_feed_add"), {"url": server.url("/feed.xml")})
    assert response.status_code == 400 and "already follows that feed" in response.content.decode()
    assert Source.objects.filter(workspace=workspace).count() == 1


def test_a_responder_may_not_add_feeds(bob_client):
    response = bob_client.post(reverse("source_feed_add"), {"url": "https://example.com/feed"})
    assert response.status_code == 403


def test_the_new_feed_is_listed_on_the_sources_page_escaped(alice_client, server):
    data = {"url": server.url("/feed.xml"), "name": "<b>Gem</b>"}
    response = alice_client.post(reverse("source_feed_add"), data, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("source_list")
    assert "&lt;b&gt;Gem&lt;/b&gt;" in html and "<b>Gem</b>" not in html


def test_a_refused_feed_is_shown_again_with_what_was_typed(alice_client, settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    response = alice_client.post(
        reverse("source_feed_add"), {"url": "http://10.0.0.8/rss", "name": "Intranet"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="add-feed"' in html
    assert 'value="http://10.0.0.8/rss"' in html and 'value="Intranet"' in html
