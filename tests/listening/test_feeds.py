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
    url = reverse("source_feed_add")
    response = alice_client.post(url, {"url": "http://192.168.1.1/feed"}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "private or reserved address" in response.content.decode()
    assert not Source.objects.exists()


def test_the_same_feed_is_not_added_twice(alice_client, workspace, server):
    alice_client.post(reverse("source_feed_add"), {"url": server.url("/feed.xml")})
    response = alice_client.post(
        reverse("source_feed_add"), {"url": server.url("/feed.xml")}, follow=True
    )
    assert response.redirect_chain == [(reverse("source_feed_add"), 302)]
    assert "already follows that feed" in response.content.decode()
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
    url = reverse("source_feed_add")
    response = alice_client.post(url, {"url": "http://10.0.0.8/rss", "name": "Intranet"})
    # Sent back to the add address (post/redirect/get): a reload does not post again.
    assert response.status_code == 302 and response["Location"] == url
    # Kept for the add address only: the Sources page itself and the search form's
    # address show no refusal.
    assert "form-errors" not in alice_client.get(reverse("source_list")).content.decode()
    search_page = alice_client.get(reverse("source_search_add")).content.decode()
    assert "form-errors" not in search_page and "10.0.0.8" not in search_page
    html = alice_client.get(url).content.decode()
    assert 'id="add-feed"' in html
    assert 'value="http://10.0.0.8/rss"' in html and 'value="Intranet"' in html
    # The summary at the top of the form links to the field in error.
    summary = html[html.index('class="form-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_url"' in summary and "private or reserved address" in summary
    assert 'id="id_url"' in html
    assert html.index('class="form-errors"') > html.index('id="add-feed"')
    # Only the feed form was refused: the search form is not filled in or flagged.
    assert html.count('class="form-errors"') == 1
    # A reload is a plain GET: the empty form, nothing added.
    again = alice_client.get(url).content.decode()
    assert "form-errors" not in again and "10.0.0.8" not in again
    assert not Source.objects.exists()


def test_the_add_address_read_directly_is_the_sources_page(alice_client, bob_client):
    url = reverse("source_feed_add")
    page = alice_client.get(url)
    assert page.status_code == 200 and 'id="add-feed"' in page.content.decode()
    assert "form-errors" not in page.content.decode()
    assert bob_client.get(url).status_code == 403
    assert bob_client.get(reverse("source_search_add")).status_code == 403
