"""``/l/<code>`` answers a 302 to the destination with its UTM parameters, counting the
click in a couple of queries and without a session; an unknown code gets a branded 404."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from harken.publishing.models import Click
from tests.publishing.links.conftest import BROWSER

pytestmark = pytest.mark.django_db


def test_a_short_link_redirects_to_its_destination_with_utm(link):
    response = Client().get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "harbor.example", "/rings")
    assert parse_qs(target.query) == {
        "colour": ["gold"],
        "utm_source": ["bluesky"],
        "utm_medium": ["social"],
        "utm_campaign": ["rings-for-a-reason"],
    }
    assert response["Cache-Control"] == "no-store"


def test_the_click_is_counted_with_the_referrers_host(link):
    Client().get(
        f"/l/{link.code}", HTTP_USER_AGENT=BROWSER, HTTP_REFERER="https://bsky.app/profile/x"
    )

    click = Click.objects.get()
    assert (click.link_id, click.referrer, click.is_bot) == (link.pk, "bsky.app", False)
    assert click.unique_of_day and click.pledged


def test_a_preview_bots_visit_is_redirected_and_counted_apart(link):
    response = Client().get(f"/l/{link.code}", HTTP_USER_AGENT="Twitterbot/1.0")

    assert response.status_code == 302
    assert Click.objects.get().is_bot


def test_the_redirect_opens_no_session_and_sets_no_cookie(link):
    response = Client().get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)

    assert not response.cookies


def test_a_pledging_click_costs_a_few_queries(link, django_assert_max_num_queries):
    client = Client()
    client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)  # makes the day's salt

    # The link (with campaign and workspace), the pledge's UPDATE, the click's INSERT and
    # the savepoint around them; no session, no user, no membership lookup.
    with django_assert_max_num_queries(5):
        client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.9")


def test_an_unknown_code_gets_a_branded_not_found_page(db):
    response = Client().get("/l/nosuchcode")

    assert response.status_code == 404
    assert b"This link goes nowhere" in response.content
    assert Click.objects.count() == 0


def test_a_code_that_cannot_be_one_is_not_found(db):
    assert Client().get("/l/../admin").status_code == 404
    assert Client().get("/l/" + "a" * 40).status_code == 404


def test_a_post_to_a_short_link_is_refused(link):
    assert Client().post(f"/l/{link.code}").status_code == 405
    assert Click.objects.count() == 0
