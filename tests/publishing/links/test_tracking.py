"""``track_links`` replaces the links of a variant's text with tracked short links that
carry UTM parameters per network; links the author excluded stay as written."""

from __future__ import annotations

import pytest

from harken.publishing.links.tracking import track_links
from harken.publishing.models import Link, Post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.BASE_URL = "https://harken.harbor.example"


def codes(text: str) -> list[str]:
    return [w.rsplit("/l/", 1)[1].rstrip(".,!") for w in text.split() if "/l/" in w]


def test_each_link_becomes_a_short_link_with_utm_for_the_network(workspace, campaign):
    text = "New rings: https://harbor.example/rings?c=gold. Visit us!"

    tracked = track_links(text, workspace=workspace, network="mastodon", campaign=campaign)

    (code,) = codes(tracked)
    assert tracked == f"New rings: https://harken.harbor.example/l/{code}. Visit us!"
    link = Link.objects.get(code=code)
    assert link.destination == "https://harbor.example/rings?c=gold"
    assert (link.network, link.campaign, link.workspace) == ("mastodon", campaign, workspace)
    assert link.utm == {
        "utm_source": "mastodon",
        "utm_medium": "social",
        "utm_campaign": "rings-for-a-reason",
    }
    assert link.target == (
        "https://harbor.example/rings?c=gold"
        "&utm_source=mastodon&utm_medium=social&utm_campaign=rings-for-a-reason"
    )


def test_without_a_campaign_utm_campaign_is_harken(workspace):
    tracked = track_links("https://harbor.example/", workspace=workspace, network="x")

    assert Link.objects.get(code=codes(tracked)[0]).utm["utm_campaign"] == "harken"


def test_an_excluded_link_stays_as_written(workspace):
    text = "Shop https://shop.example/sale and read https://blog.example/care"

    tracked = track_links(
        text, workspace=workspace, network="bluesky", exclude={"https://shop.example/sale"}
    )

    assert "https://shop.example/sale" in tracked
    assert "https://blog.example/care" not in tracked
    assert list(Link.objects.values_list("destination", flat=True)) == ["https://blog.example/care"]


def test_the_same_link_twice_gets_one_code_and_a_tracked_text_is_left_alone(workspace):
    text = "https://harbor.example/a then again https://harbor.example/a"
    tracked = track_links(text, workspace=workspace, network="bluesky")

    assert len(set(codes(tracked))) == 1 and len(codes(tracked)) == 2
    assert track_links(tracked, workspace=workspace, network="bluesky") == tracked
    assert Link.objects.count() == 1


def test_the_post_and_variant_are_remembered_for_counting(workspace):
    post = Post.objects.create(workspace=workspace)

    tracked = track_links("https://harbor.example/", workspace=workspace, network="x", post=post)

    assert Link.objects.get(code=codes(tracked)[0]).post == post


def test_a_text_without_links_is_returned_unchanged(workspace):
    assert track_links("No links here.", workspace=workspace, network="x") == "No links here."
    assert Link.objects.count() == 0


def test_a_malformed_address_is_left_as_written(workspace):
    text = "Broken: http://exa mple and http://[::1 end"

    assert track_links(text, workspace=workspace, network="x") == text


def test_a_short_link_made_under_an_earlier_base_url_is_left_alone(workspace, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    tracked = track_links("https://harbor.example/", workspace=workspace, network="x")
    settings.BASE_URL = "https://harken.harbor.example"

    assert track_links(tracked, workspace=workspace, network="x") == tracked
    assert Link.objects.count() == 1
