"""The Pinterest connector and its connect flow against a local Pinterest. Nothing of
Pinterest was recorded (../shared/data/recorded-api/SOURCES.md): every answer here follows
the shapes of Pinterest's API v5 reference (developers.pinterest.com/docs/api/v5:
``oauth/token`` with HTTP Basic app credentials, ``user_account``, ``boards``, ``pins``
create and list, ``pins/{id}/analytics`` and ``user_account/analytics`` with their
``all.summary_metrics``, and errors as ``{"code", "message"}``)."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.models import Account
from harken.networks.pinterest import api
from harken.networks.registry import connector_for
from tests.lib.localserver import Reply

CALLBACK = "http://testserver/networks/connect/pinterest/callback/"
TOKEN = "/v5/oauth/token"
IMAGE = MediaFile(b"\xff\xd8\xff\xe0 a jpeg", "image/jpeg", "A gold ring on driftwood")


def documented(payload, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload), {"Content-Type": "application/json"})


def form(seen) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(seen.body.decode()).items()}


@pytest.fixture
def pinterest(settings, loopback, server, monkeypatch):
    monkeypatch.setenv(api.APP_ID, "1500000")
    monkeypatch.setenv(api.APP_SECRET, "pin-secret")
    settings.PINTEREST_AUTHORIZE_URL = "https://www.pinterest.test/oauth/"
    settings.PINTEREST_API_URL = server.base
    return server


@pytest.fixture
def pinner(pinterest, workspace):
    return Account.objects.create(
        workspace=workspace,
        network="pinterest",
        handle="@harborstreet",
        external_id="549755885175",
        config={
            "user_id": "549755885175",
            "username": "harborstreet",
            "access_token": "pina_1",
            "refresh_token": "pinr_1",
            "expires_at": int(time.time()) + 20 * 86400,
        },
    )


def connector(account):
    return connector_for(Account.objects.get(pk=account.pk))


BOARDS = {
    "items": [
        {"id": "549755885175", "name": "Rings", "privacy": "PUBLIC"},
        {"id": "549755885176", "name": "Necklaces", "privacy": "PUBLIC"},
    ],
    "bookmark": None,
}


def test_a_pin_goes_to_the_named_board_with_its_image_link_and_title(pinterest, pinner):
    pinterest.route("/v5/boards", documented(BOARDS))
    pinterest.route(
        "/v5/pins",
        documented({"id": "813744226420795884", "board_id": "549755885176", "created_at": "x"}),
    )
    made = connector(pinner).publish(
        "Hand-made gold chains",
        board="necklaces",
        title="Gold chains",
        link="https://harbor.example/chains",
        media=[IMAGE],
    )
    sent = json.loads(pinterest.hits("/v5/pins")[0].body)
    assert sent["board_id"] == "549755885176" and sent["description"] == "Hand-made gold chains"
    assert (sent["title"], sent["link"], sent["alt_text"]) == (
        "Gold chains",
        "https://harbor.example/chains",
        "A gold ring on driftwood",
    )
    assert sent["media_source"] == {
        "source_type": "image_base64",
        "content_type": "image/jpeg",
        "data": base64.b64encode(IMAGE.data).decode(),
    }
    assert (made.external_id, made.url) == (
        "813744226420795884",
        "https://www.pinterest.com/pin/813744226420795884/",
    )
    assert pinterest.hits("/v5/pins")[0].headers["authorization"] == "Bearer pina_1"


def test_a_pin_without_an_image_or_with_an_unknown_board_is_refused(pinterest, pinner):
    pinterest.route("/v5/boards", documented(BOARDS))
    with pytest.raises(ConnectorError) as caught:
        connector(pinner).publish("No picture", board="Rings")
    assert caught.value.rejected and pinterest.requests == []
    with pytest.raises(ConnectorError) as caught:
        connector(pinner).publish("Lost", board="Bracelets", media=[IMAGE])
    assert caught.value.rejected and "Rings, Necklaces" in caught.value.message
    assert pinterest.hits("/v5/pins") == []


def test_a_pin_pinterest_refuses_is_rejected_in_its_words(pinterest, pinner):
    pinterest.route("/v5/pins", documented({"code": 1, "message": "Invalid parameters."}, 400))
    with pytest.raises(ConnectorError) as caught:
        connector(pinner).publish("Rings", board="549755885175", media=[IMAGE])
    assert caught.value.rejected and "Invalid parameters. (code 1)" in caught.value.message


def test_a_refused_token_means_reconnect(pinterest, pinner):
    pinterest.route(
        "/v5/user_account", documented({"code": 2, "message": "Authentication failed."}, 401)
    )
    with pytest.raises(ConnectorError) as caught:
        connector(pinner).metrics()
    assert caught.value.permanent and "Authentication failed." in caught.value.message


def test_metrics_give_followers_and_the_months_impressions_saves_and_clicks(pinterest, pinner):
    pinterest.route(
        "/v5/user_account",
        documented(
            {
                "account_type": "BUSINESS",
                "id": "549755885175",
                "username": "harborstreet",
                "follower_count": 812,
                "following_count": 40,
                "pin_count": 233,
                "monthly_views": 15200,
            }
        ),
    )
    pinterest.route(
        "/v5/user_account/analytics",
        documented(
            {
                "all": {
                    "daily_metrics": [],
                    "summary_metrics": {
                        "IMPRESSION": 9000,
                        "SAVE": 120,
                        "PIN_CLICK": 300,
                        "OUTBOUND_CLICK": 45,
                    },
                }
            }
        ),
    )
    pinterest.route(
        "/v5/pins/813744226420795884/analytics",
        documented(
            {"all": {"summary_metrics": {"IMPRESSION": 50, "SAVE": 4, "OUTBOUND_CLICK": 2}}}
        ),
    )
    found = connector(pinner).metrics()
    assert (found.followers, found.posts) == (812, 233)
    assert found.extra == {
        "monthly_views": 15200,
        "impressions": 9000,
        "saves": 120,
        "pin_clicks": 300,
        "outbound_clicks": 45,
    }
    asked = parse_qs(urlsplit(pinterest.hits("/v5/user_account/analytics")[0].path).query)
    assert asked["metric_types"] == ["IMPRESSION,SAVE,PIN_CLICK,OUTBOUND_CLICK"]
    pin = connector(pinner).post_metrics("813744226420795884")
    assert (pin["impressions"], pin["saves"], pin["outbound_clicks"]) == (50, 4, 2)


def test_a_token_near_its_end_is_renewed_with_basic_app_credentials(pinterest, pinner):
    Account.objects.filter(pk=pinner.pk).update(
        config={**pinner.config, "expires_at": int(time.time()) + 86400}
    )
    pinterest.route(
        TOKEN,
        documented(
            {
                "access_token": "pina_2",
                "refresh_token": "pinr_2",
                "response_type": "refresh_token",
                "token_type": "bearer",
                "expires_in": 2592000,
                "refresh_token_expires_in": 5184000,
                "scope": "boards:read,pins:read,pins:write,user_accounts:read",
            }
        ),
    )
    pinterest.route("/v5/pins", documented({"items": []}))
    made = connector(pinner)
    made.find_published("k", "x", datetime(2026, 1, 1, tzinfo=UTC))
    (renewal,) = pinterest.hits(TOKEN)
    assert form(renewal) == {"grant_type": "refresh_token", "refresh_token": "pinr_1"}
    expected = "Basic " + base64.b64encode(b"1500000:pin-secret").decode()
    assert renewal.headers["authorization"] == expected
    kept = Account.objects.get(pk=pinner.pk).config  # saved at once, for every worker
    assert (kept["access_token"], kept["refresh_token"]) == ("pina_2", "pinr_2")
    assert kept["refresh_expires_at"] and made.config["access_token"] == "pina_2"
    assert pinterest.hits("/v5/pins")[0].headers["authorization"] == "Bearer pina_2"


def test_reading_asks_pinterest_nothing(pinterest, pinner):
    page = connector(pinner).fetch(None)
    assert page.items == [] and pinterest.requests == []
    assert "fetch" not in connector(pinner).capabilities
    assert "no way to read the comments" in connector(pinner).unreadable


def test_connecting_keeps_the_account_and_its_tokens(alice_client, workspace, pinterest):
    pinterest.route(
        TOKEN,
        documented(
            {
                "access_token": "pina_1",
                "refresh_token": "pinr_1",
                "token_type": "bearer",
                "expires_in": 2592000,
                "refresh_token_expires_in": 31536000,
                "scope": "boards:read,pins:read,pins:write,user_accounts:read",
            }
        ),
    )
    pinterest.route(
        "/v5/user_account", documented({"id": "549755885175", "username": "harborstreet"})
    )
    response = alice_client.post(reverse("networks:connect_start", args=["pinterest"]))
    sent = parse_qs(urlsplit(response["Location"]).query)
    assert sent["redirect_uri"] == [CALLBACK] and "pins:write" in sent["scope"][0]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["pinterest"]),
        {"code": "the-code", "state": sent["state"][0]},
    )
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("@harborstreet is connected; Pinterest's API gives apps no way")
    assert form(pinterest.hits(TOKEN)[0]) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": CALLBACK,
    }
    account = Account.objects.get(workspace=workspace, network="pinterest")
    assert (account.external_id, account.config["access_token"]) == ("549755885175", "pina_1")


def test_a_refused_code_connects_nothing(alice_client, workspace, pinterest):
    pinterest.route(TOKEN, documented({"code": 1, "message": "Invalid authorization code"}, 400))
    response = alice_client.post(reverse("networks:connect_start", args=["pinterest"]))
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["pinterest"]), {"code": "bad", "state": state}
    )
    assert (
        "Pinterest refused the sign-in: Invalid authorization code"
        in [str(m) for m in get_messages(response.wsgi_request)][0]
    )
    assert not Account.objects.filter(workspace=workspace, network="pinterest").exists()


def test_the_accounts_page_says_pinterest_comments_cannot_be_read(alice_client, pinterest):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-pinterest"' in page and "no way to read the comments" in page


def test_a_refresh_token_near_its_end_warns_the_owners_once(pinterest, pinner, alice, mailoutbox):
    Account.objects.filter(pk=pinner.pk).update(
        config={**pinner.config, "refresh_expires_at": int(time.time()) + 5 * 86400}
    )
    pinterest.route("/v5/pins", documented({"items": []}))
    since = datetime(2026, 1, 1, tzinfo=UTC)
    connector(pinner).find_published("k", "x", since)
    connector(pinner).find_published("k", "x", since)
    (mail,) = mailoutbox
    assert mail.to == [alice.email] and "Reconnect @harborstreet on Pinterest" in mail.subject
