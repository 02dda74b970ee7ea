"""A tracked link, against Bluesky's own PDS: the link in a variant's text becomes
Harken's ``/l/<code>``, the post is published through the engine with that short link as
its link facet at the right UTF-8 bytes, and a reader following it is redirected to the
destination with the UTM parameters, counted, and pledged for."""

from __future__ import annotations

import http.client
from urllib.parse import parse_qs, urlsplit

import pytest
from atproto import models
from django.utils import timezone

from harken.networks.bluesky.connector import tid_for
from harken.publishing.engine import do_publish_due
from harken.publishing.links.tracking import track_links
from harken.publishing.models import Campaign, Click, Link
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import State
from tests.realnet.harken import connect_with_app_password
from tests.realnet.test_publish import posts_under, variant_for

pytestmark = pytest.mark.django_db(transaction=True)

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def test_a_tracked_link_goes_out_as_a_facet_and_redirects_with_utm(
    realnet, settings, live_server, workspace, alice, alice_client, alice_on
):
    port = urlsplit(live_server.url).port
    base = f"http://127.0.0.1:{port}"
    settings.BASE_URL = base  # the public address short links start with
    account = connect_with_app_password(alice_client, realnet, alice_on)
    campaign = Campaign.objects.create(
        workspace=workspace,
        name="Rings for a Reason",
        slug="rings-for-a-reason",
        pledge_cents=100,
        cap_cents=10_000,
    )
    destination = "https://harborstreet.example/ringe?größe=54"
    # Multi-byte text before the link, so a facet counted in characters would miss it.
    text = f"Größe 54 für Jürgen 💍 — {destination} #RingsForAReason"

    tracked = track_links(text, workspace=workspace, network="bluesky", campaign=campaign)

    link = Link.objects.get()
    short = f"{base}/l/{link.code}"
    assert tracked == text.replace(destination, short)
    variant = variant_for(account, alice, tracked)
    at = timezone.now()
    do_schedule(variant, at, actor=alice)
    assert do_publish_due(at).published == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED, variant.error

    (record,) = posts_under(alice_on, tid_for(str(variant.idempotency_key)))
    assert record.value.text == tracked
    data = tracked.encode()
    (facet,) = [
        f
        for f in record.value.facets
        if isinstance(f.features[0], models.AppBskyRichtextFacet.Link)
    ]
    assert data[facet.index.byte_start : facet.index.byte_end].decode() == short
    assert facet.features[0].uri == short

    # A reader taps the link in the Bluesky app.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET",
        urlsplit(facet.features[0].uri).path,
        headers={"User-Agent": BROWSER, "Referer": "https://bsky.app/"},
    )
    response = connection.getresponse()
    connection.close()

    assert response.status == 302
    location = urlsplit(response.getheader("Location"))
    assert (location.scheme, location.netloc, location.path) == (
        "https",
        "harborstreet.example",
        "/ringe",
    )
    assert parse_qs(location.query) == {
        "größe": ["54"],
        "utm_source": ["bluesky"],
        "utm_medium": ["social"],
        "utm_campaign": ["rings-for-a-reason"],
    }
    click = Click.objects.get()
    assert (click.link_id, click.network, click.referrer) == (link.pk, "bluesky", "bsky.app")
    assert click.unique_of_day and click.pledged and not click.is_bot
    campaign.refresh_from_db()
    assert campaign.pledged_cents == 100
