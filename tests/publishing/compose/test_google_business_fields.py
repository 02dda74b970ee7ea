"""Google Business Profile's own post fields in the composer (a post's type, an offer's or
event's title and dates, a coupon, a link), checked when scheduling, alone and together,
and published by the engine through the connector to a local Google. Nothing of Google
Business Profile was recorded (../shared/data/recorded-api/SOURCES.md): the local Google
answers ``localPosts.create`` in the shape of Google's API reference, as the connector's
own tests do."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from harken.publishing.engine import do_publish_due
from harken.publishing.models import Link, Post, Variant
from harken.publishing.states import State
from tests.networks.google_business.test_google_business import (  # noqa: F401 - fixtures
    ACCOUNT,
    LOCATION,
    V4,
    documented,
    google,
    shop,
)
from tests.publishing.compose.test_queue_and_media import image
from tests.publishing.compose.test_views import URL, form, future

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def fields(account, **values: str) -> dict[str, str]:
    return {f"{name}_{account.pk}": value for name, value in values.items()}


def test_the_composer_shows_googles_fields_with_dates_and_a_link(alice_client, shop):  # noqa: F811
    page = alice_client.get(URL).content.decode()
    assert f'type="date" name="starts_{shop.pk}"' in page
    assert f'type="url" name="link_{shop.pk}"' in page
    assert "Coupon code on Google Business Profile" in page


def test_an_offer_without_its_dates_cannot_be_scheduled(alice_client, shop):  # noqa: F811
    data = form(shop, action="schedule", at=future(), **fields(shop, topic="offer"))
    alice_client.post(URL, data)
    page = alice_client.get(URL).content.decode()
    assert "A Google offer needs its start and end dates (YYYY-MM-DD)." in page
    backwards = fields(
        shop, topic="event", event_title="Trunk show", starts="2026-12-20", ends="2026-12-01"
    )
    alice_client.post(URL, form(shop, action="schedule", at=future(), **backwards))
    page = alice_client.get(URL).content.decode()
    assert "A Google event needs a title and an end on or after its start." in page
    bad_link = fields(shop, link="javascript:alert(1)")
    alice_client.post(URL, form(shop, action="schedule", at=future(), **bad_link))
    page = alice_client.get(URL).content.decode()
    assert "is not a web address starting with https://." in page
    assert not Post.objects.exists()


def test_a_composed_offer_goes_to_google_with_its_fields_and_photo(
    alice_client,
    client,
    settings,
    shop,  # noqa: F811
    google,  # noqa: F811
):
    google.route(
        f"{V4}/localPosts",
        documented(
            {
                "name": f"{ACCOUNT}/{LOCATION}/localPosts/9001",
                "searchUrl": "https://local.google.com/place?id=1&use=posts&lpsid=9001",
                "state": "LIVE",
            }
        ),
    )
    offer = fields(
        shop,
        topic="offer",
        event_title="Winter sale",
        starts="2026-12-20",
        ends="2026-12-31",
        coupon="WINTER20",
        link="https://harbor.example/sale",
    )
    data = form(
        shop,
        action="schedule",
        at=future(),
        text="20% off engagement rings until New Year's Eve.",
        image=image("JPEG"),
        image_alt="A ring in the window.",
        **offer,
    )
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    assert do_publish_due(variant.scheduled_at + timedelta(seconds=1)).published == [variant.pk]
    sent = json.loads(google.hits(f"{V4}/localPosts")[0].body)
    assert sent["topicType"] == "OFFER"
    assert sent["summary"] == "20% off engagement rings until New Year's Eve."
    assert sent["event"]["title"] == "Winter sale"
    assert sent["event"]["schedule"]["endDate"] == {"year": 2026, "month": 12, "day": 31}
    # The link button is a tracked short link like the text's links (counted per click).
    link = Link.objects.get()
    assert (link.destination, link.network) == ("https://harbor.example/sale", "google_business")
    assert sent["offer"] == {
        "couponCode": "WINTER20",
        "redeemOnlineUrl": f"{settings.BASE_URL}/l/{link.code}",
    }
    (photo,) = sent["media"]
    assert photo["mediaFormat"] == "PHOTO"
    # Google fetches the photo from Harken's signed address, with no login.
    fetched = client.get(photo["sourceUrl"].removeprefix(settings.BASE_URL))
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"
    variant.refresh_from_db()
    assert variant.external_id.endswith("/localPosts/9001")


def test_the_link_button_is_kept_as_written_when_asked(alice_client, shop):  # noqa: F811
    data = form(
        shop,
        keep_link="https://harbor.example/sale",
        **fields(shop, link="https://harbor.example/sale"),
    )
    check = alice_client.post("/calendar/compose/check/", data).content.decode()
    kept = 'name="keep_link" value="https://harbor.example/sale" checked> Keep'
    assert kept in check  # offered, and kept, as written
    alice_client.post(URL, data)
    assert Variant.objects.get().post_options["link"] == "https://harbor.example/sale"
    assert not Link.objects.exists()
