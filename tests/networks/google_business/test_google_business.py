"""The Google Business Profile connector and its connect flow against a local Google.
Nothing of Google Business Profile was recorded (../shared/data/recorded-api/SOURCES.md):
every answer here follows the shapes of Google's Business Profile API reference
(developers.google.com/my-business/reference: ``accounts.list``, ``accounts.locations.list``
with a ``readMask``, v4 ``accounts.locations.reviews`` and ``updateReply``,
``accounts.locations.localPosts``, ``locations.fetchMultiDailyMetricsTimeSeries``), the
token answers of Google's OAuth 2.0 for web server apps, and Google's JSON errors
(``{"error": {"code", "message", "status"}}``)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.networks.base import ConnectorError
from harken.networks.google_business import api
from harken.networks.models import Account
from harken.networks.oauth2 import pkce_challenge
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply

CALLBACK = "http://testserver/networks/connect/google_business/callback/"
ACCOUNT = "accounts/107000000000000000001"
LOCATION = "locations/4520000000000000001"
V4 = f"/mybusiness/v4/{ACCOUNT}/{LOCATION}"
TOKEN = "/token"


def documented(payload, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json"})


def google_error(code: int, message: str, status: str) -> Reply:
    return documented({"error": {"code": code, "message": message, "status": status}}, code)


def form(seen) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(seen.body.decode()).items()}


def params(seen) -> dict[str, list[str]]:
    return parse_qs(urlsplit(seen.path).query)


@pytest.fixture
def google(settings, loopback, server, monkeypatch):
    monkeypatch.setenv(api.CLIENT_ID, "google-client")
    monkeypatch.setenv(api.CLIENT_SECRET, "google-secret")
    settings.GOOGLE_AUTHORIZE_URL = "https://accounts.google.test/o/oauth2/v2/auth"
    settings.GOOGLE_TOKEN_URL = server.url(TOKEN)
    settings.GOOGLE_BUSINESS_API_URL = server.base
    return server


@pytest.fixture
def shop(google, workspace):
    return Account.objects.create(
        workspace=workspace,
        network="google_business",
        handle="Harbor Street Jewelers",
        external_id=LOCATION,
        config={
            "account": ACCOUNT,
            "location": LOCATION,
            "title": "Harbor Street Jewelers",
            "maps_uri": "https://maps.google.com/maps?cid=123",
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "expires_at": int(time.time()) + 3000,
        },
    )


def connector(account):
    return connector_for(Account.objects.get(pk=account.pk))


REVIEWS = {
    "reviews": [
        {
            "name": f"{ACCOUNT}/{LOCATION}/reviews/AbFvOqk2",
            "reviewId": "AbFvOqk2",
            "reviewer": {"displayName": "Dana Reyes", "isAnonymous": False},
            "starRating": "TWO",
            "comment": "The clasp broke after a week.",
            "createTime": "2026-12-02T09:00:00Z",
            "updateTime": "2026-12-02T09:00:00Z",
        },
        {
            "name": f"{ACCOUNT}/{LOCATION}/reviews/AbFvOqk1",
            "reviewId": "AbFvOqk1",
            "reviewer": {"isAnonymous": True},
            "starRating": "FIVE",
            "createTime": "2026-12-01T08:00:00Z",
            "updateTime": "2026-12-01T10:00:00Z",
            "reviewReply": {"comment": "Thank you!", "updateTime": "2026-12-01T10:00:00Z"},
        },
    ],
    "averageRating": 3.5,
    "totalReviewCount": 2,
}


def test_fetch_reads_reviews_with_their_stars_and_our_responses(google, shop):
    google.route(f"{V4}/reviews", documented(REVIEWS))
    page = connector(shop).fetch(None)
    five, answer, two = page.items
    assert (two.kind, two.text, two.rating, two.author_handle) == (
        "review",
        "The clasp broke after a week.",  # the stars are the rating, not part of the words
        2,
        "Dana Reyes",
    )
    assert two.raw["star_rating"] == 2 and (five.text, five.rating) == ("", 5)
    assert answer.rating is None
    assert five.author_handle == "A Google user" and five.author_id == "anonymous:AbFvOqk1"
    assert (answer.is_own, answer.in_reply_to, answer.conversation_id) == (
        True,
        "AbFvOqk1",
        "AbFvOqk1",
    )
    assert page.cursor == datetime(2026, 12, 2, 9, tzinfo=UTC).isoformat()
    (seen,) = google.hits(f"{V4}/reviews")
    assert seen.headers["authorization"] == "Bearer access-1"
    assert params(seen)["orderBy"] == ["updateTime desc"]


def test_fetch_keeps_only_reviews_after_the_cursor(google, shop):
    google.route(f"{V4}/reviews", documented(REVIEWS))
    page = connector(shop).fetch(datetime(2026, 12, 1, 12, tzinfo=UTC).isoformat())
    assert [item.external_id for item in page.items] == ["AbFvOqk2"]


def test_the_owner_response_is_put_on_the_review(google, shop):
    google.route(
        f"{V4}/reviews/AbFvOqk2/reply",
        documented({"comment": "Sorry! Bring it in.", "updateTime": "2026-12-02T10:00:00Z"}),
    )
    made = connector(shop).reply("AbFvOqk2", "Sorry! Bring it in.")
    (seen,) = google.hits(f"{V4}/reviews/AbFvOqk2/reply")
    assert seen.method == "PUT" and json.loads(seen.body) == {"comment": "Sorry! Bring it in."}
    assert made.external_id == "AbFvOqk2/reply"
    connector(shop).reply("AbFvOqk2/reply", "And a gift card for the trouble.")
    assert len(google.hits(f"{V4}/reviews/AbFvOqk2/reply")) == 2


def test_an_offer_is_a_local_post_with_its_schedule_and_coupon(google, shop):
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
    made = connector(shop).publish(
        "20% off engagement rings",
        topic="offer",
        event_title="Winter sale",
        starts="2026-12-20",
        ends="2026-12-31",
        coupon="WINTER20",
        link="https://harbor.example/sale",
        image_urls=["https://harken.example/m/1.jpg?sig=x"],
    )
    sent = json.loads(google.hits(f"{V4}/localPosts")[0].body)
    assert sent["topicType"] == "OFFER" and sent["summary"] == "20% off engagement rings"
    assert sent["event"] == {
        "title": "Winter sale",
        "schedule": {
            "startDate": {"year": 2026, "month": 12, "day": 20},
            "endDate": {"year": 2026, "month": 12, "day": 31},
        },
    }
    assert sent["offer"] == {
        "couponCode": "WINTER20",
        "redeemOnlineUrl": "https://harbor.example/sale",
    }
    assert sent["media"] == [
        {"mediaFormat": "PHOTO", "sourceUrl": "https://harken.example/m/1.jpg?sig=x"}
    ]
    assert made.external_id.endswith("/localPosts/9001")


def test_an_update_carries_its_link_as_learn_more_and_an_event_needs_dates(google, shop):
    google.route(f"{V4}/localPosts", documented({"name": f"{ACCOUNT}/{LOCATION}/localPosts/1"}))
    connector(shop).publish("Open late on Friday", link="https://harbor.example")
    sent = json.loads(google.hits(f"{V4}/localPosts")[0].body)
    assert sent["topicType"] == "STANDARD" and sent["callToAction"] == {
        "actionType": "LEARN_MORE",
        "url": "https://harbor.example",
    }
    with pytest.raises(ConnectorError) as caught:
        connector(shop).publish("Trunk show", topic="event", event_title="Trunk show")
    assert caught.value.rejected and len(google.hits(f"{V4}/localPosts")) == 1


def test_a_post_google_refuses_is_rejected_in_googles_words(google, shop):
    google.route(
        f"{V4}/localPosts",
        google_error(400, "Request contains an invalid argument.", "INVALID_ARGUMENT"),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(shop).publish("Hello")
    assert caught.value.rejected and not caught.value.permanent
    assert "Request contains an invalid argument. (INVALID_ARGUMENT)" in caught.value.message


def test_a_withdrawn_sign_in_means_reconnect(google, shop):
    google.route(
        f"{V4}/reviews",
        google_error(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"),
    )
    with pytest.raises(ConnectorError) as caught:
        connector(shop).fetch(None)
    assert caught.value.permanent and "reconnect" in caught.value.message


def test_an_expired_token_is_renewed_first_and_a_refused_renewal_means_reconnect(google, shop):
    Account.objects.filter(pk=shop.pk).update(
        config={**shop.config, "expires_at": int(time.time()) + 10}
    )
    google.route(
        TOKEN,
        documented({"access_token": "access-2", "expires_in": 3599, "token_type": "Bearer"}),
        documented(
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
            400,
        ),
    )
    google.route(f"{V4}/reviews", documented({"reviews": []}))
    made = connector(shop)
    made.fetch(None)
    assert made.config_changed and made.config["access_token"] == "access-2"
    assert form(google.hits(TOKEN)[0])["refresh_token"] == "refresh-1"
    assert made.config["refresh_token"] == "refresh-1"  # Google keeps the refresh token
    with pytest.raises(ConnectorError) as caught:
        connector(shop).fetch(None)
    assert caught.value.permanent and caught.value.message == (
        "Google refused to renew the profile's sign-in; reconnect it: "
        "Token has been expired or revoked. (invalid_grant)"
    )


def test_metrics_give_rating_reviews_and_the_performance_apis_daily_figures(google, shop):
    google.route(f"{V4}/reviews", documented({"averageRating": 4.6, "totalReviewCount": 41}))
    path = f"/businessprofileperformance/v1/{LOCATION}:fetchMultiDailyMetricsTimeSeries"
    google.route(
        path,
        documented(
            {
                "multiDailyMetricTimeSeries": [
                    {
                        "dailyMetricTimeSeries": [
                            {
                                "dailyMetric": "CALL_CLICKS",
                                "timeSeries": {
                                    "datedValues": [
                                        {"date": {"year": 2026, "month": 12, "day": 1}},
                                        {
                                            "date": {"year": 2026, "month": 12, "day": 2},
                                            "value": "3",
                                        },
                                    ]
                                },
                            },
                            {
                                "dailyMetric": "BUSINESS_IMPRESSIONS_MOBILE_MAPS",
                                "timeSeries": {
                                    "datedValues": [
                                        {
                                            "date": {"year": 2026, "month": 12, "day": 2},
                                            "value": "120",
                                        }
                                    ]
                                },
                            },
                        ]
                    }
                ]
            }
        ),
    )
    found = connector(shop).metrics()
    assert found.extra["rating"] == 4.6 and found.extra["reviews"] == 41 == found.posts
    assert (found.extra["calls"], found.extra["views_maps"]) == (3, 120)
    assert found.extra["daily"]["2026-12-02"]["calls"] == 3
    asked = params(google.hits(path)[0])
    assert "BUSINESS_DIRECTION_REQUESTS" in asked["dailyMetrics"]
    assert set(asked) >= {"dailyRange.startDate.year", "dailyRange.endDate.day"}


def test_connecting_keeps_the_named_location_and_its_tokens(alice_client, workspace, google):
    google.route(
        TOKEN,
        documented(
            {
                "access_token": "access-1",
                "refresh_token": "refresh-1",
                "expires_in": 3599,
                "scope": "https://www.googleapis.com/auth/business.manage",
                "token_type": "Bearer",
            }
        ),
    )
    google.route(
        "/mybusinessaccountmanagement/v1/accounts",
        documented({"accounts": [{"name": ACCOUNT, "accountName": "Harbor", "type": "PERSONAL"}]}),
    )
    google.route(
        f"/mybusinessbusinessinformation/v1/{ACCOUNT}/locations",
        documented(
            {
                "locations": [
                    {"name": "locations/1", "title": "Harbor Street Outlet"},
                    {
                        "name": LOCATION,
                        "title": "Harbor Street Jewelers",
                        "metadata": {"mapsUri": "https://maps.google.com/maps?cid=123"},
                    },
                ]
            }
        ),
    )
    response = alice_client.post(
        reverse("networks:connect_start", args=["google_business"]),
        {"google_business-location": "harbor street jewelers"},
    )
    sent = parse_qs(urlsplit(response["Location"]).query)
    assert sent["redirect_uri"] == [CALLBACK] and sent["access_type"] == ["offline"]
    assert sent["scope"] == ["https://www.googleapis.com/auth/business.manage"]
    kept = alice_client.session["google_business_oauth"]
    assert sent["code_challenge"] == [pkce_challenge(kept["verifier"])]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["google_business"]),
        {"code": "the-code", "state": sent["state"][0]},
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Harbor Street Jewelers is connected; Harken reads its mentions."
    ]
    assert form(google.hits(TOKEN)[0])["code_verifier"] == kept["verifier"]
    account = Account.objects.get(workspace=workspace, network="google_business")
    assert (account.external_id, account.config["account"], account.config["refresh_token"]) == (
        LOCATION,
        ACCOUNT,
        "refresh-1",
    )


def test_the_accounts_page_says_questions_cannot_be_read(alice_client, google):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-google-business"' in page and "Q&amp;A API" in page and CALLBACK in page
    assert "Q&A API" in connector_for(network="google_business").unreadable


def test_a_poll_brings_new_reviews_into_listening_with_their_stars(
    google, workspace, alice, alice_client
):
    from harken.listening.models import Mention, Source
    from harken.listening.polling import poll_source
    from harken.networks.connecting import save_connected

    account = save_connected(
        workspace,
        alice,
        "google_business",
        LOCATION,
        "Harbor Street Jewelers",
        {
            "account": ACCOUNT,
            "location": LOCATION,
            "access_token": "access-1",
            "refresh_token": "refresh-1",
            "expires_at": int(time.time()) + 3000,
        },
    )
    google.route(f"{V4}/reviews", documented(REVIEWS))
    source = Source.objects.get(account=account)
    outcome = poll_source(source.pk, force=True)
    assert (outcome.state, outcome.stored) == ("stored", 3), outcome
    stored = Mention.objects.filter(workspace=workspace, network="google_business")
    complaint = stored.get(external_id="AbFvOqk2")
    assert (complaint.kind, complaint.rating) == ("review", 2)
    assert complaint.text == "The clasp broke after a week."
    assert stored.get(external_id="AbFvOqk1/reply").is_own
    assert stored.get(external_id="AbFvOqk1/reply").rating is None
    # The stars show on the stream's card and in the inbox's conversation, above the words.
    rated = 'aria-label="Rated 2 of 5 stars">★★☆☆☆ <span class="muted">2/5</span>'
    stream = alice_client.get(reverse("listening")).content.decode()
    assert rated in stream and 'aria-label="Rated 5 of 5 stars">★★★★★' in stream
    card = stream.split(f'id="mention-{complaint.pk}"')[1].split("</article>")[0]
    assert card.index(rated) < card.index("The clasp broke")
    url = reverse("inbox_conversation", args=[complaint.conversation_id])
    assert rated in alice_client.get(url).content.decode()
    assert poll_source(source.pk, force=True).stored == 0  # nothing newer, nothing twice
