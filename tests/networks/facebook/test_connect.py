"""Settings › Accounts › Connect a Facebook Page: Facebook Login through the shared
connect views, against a local Graph API. The long-lived token and /me/accounts answers
are recorded ones (../shared/data/recorded-api/facebook-graph/); the short-lived token,
the last (empty) page of /me/accounts and the refusals are Meta's documented shapes."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.networks.models import Account
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import APP_ID, APP_SECRET, EMPTY, body, error, path, query

TOKEN_PATH = path("oauth", "access_token")
SHORT = Reply(200, '{"access_token": "short-token", "token_type": "bearer", "expires_in": 5183}')
CALLBACK = "http://testserver/networks/connect/facebook/callback/"


@pytest.fixture
def facebook(meta):
    meta.route(TOKEN_PATH, SHORT, body("oauth_long_lived_token.json"))
    meta.route(path("me", "accounts"), body("me_accounts_p1.json"), Reply(200, EMPTY))
    return meta


def start(client, page: str = "") -> dict[str, list[str]]:
    response = client.post(
        reverse("networks:connect_start", args=["facebook"]), {"facebook-page": page}
    )
    assert response.status_code == 302, response.content
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://facebook.test/v23.0/dialog/oauth"
    return parse_qs(url.query)


def come_back(client, **params: str):
    return client.get(reverse("networks:connect_callback", args=["facebook"]), params)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_connect_sends_the_person_to_facebooks_dialog_with_the_page_permissions(
    alice_client, facebook
):
    sent = start(alice_client)
    assert sent["client_id"] == [APP_ID] and sent["redirect_uri"] == [CALLBACK]
    assert sent["response_type"] == ["code"]
    scopes = set(sent["scope"][0].split(","))
    assert {"pages_show_list", "pages_read_engagement", "pages_manage_posts"} <= scopes
    assert {"pages_read_user_content", "pages_manage_engagement", "read_insights"} <= scopes
    assert sent["state"] == [alice_client.session["facebook_oauth"]["state"]]
    assert APP_SECRET not in str(sent) and facebook.requests == []


def test_the_callback_keeps_the_chosen_pages_token(alice_client, workspace, facebook):
    sent = start(alice_client, page="bbbbbbbb")
    response = come_back(alice_client, code="the-code", state=sent["state"][0])
    assert said(response) == ["BBBBBBBB is connected; Harken reads its mentions."]

    short, long = facebook.hits(TOKEN_PATH)
    assert query(short) == {
        "client_id": APP_ID,
        "client_secret": APP_SECRET,
        "redirect_uri": CALLBACK,
        "code": "the-code",
    }
    assert query(long)["grant_type"] == "fb_exchange_token"
    assert query(long)["fb_exchange_token"] == "short-token"
    pages = facebook.hits(path("me", "accounts"))
    assert query(pages[0])["access_token"] == "token"  # the long-lived user token

    account = Account.objects.get(workspace=workspace, network="facebook")
    assert (account.external_id, account.handle) == ("1234", "BBBBBBBB")
    assert account.config["page_token"] == "access_token"  # the recorded placeholder
    assert "token" not in account.config.values()  # the user token is not kept
    assert Source.objects.get(workspace=workspace, account=account).enabled
    assert AuditEntry.objects.filter(workspace=workspace, action="account.connect").exists()


def test_several_pages_and_none_named_are_listed_and_nothing_is_saved(
    alice_client, workspace, facebook
):
    sent = start(alice_client)
    response = come_back(alice_client, code="c", state=sent["state"][0])
    (message,) = said(response)
    assert (
        "You manage 4 of them" in message and "AAAAAAAAA, BBBBBBBB, EEEEEEEE, FFFFFFFFFF" in message
    )
    assert not Account.objects.filter(workspace=workspace).exists()


def test_a_page_the_person_does_not_manage_is_refused(alice_client, workspace, facebook):
    sent = start(alice_client, page="Rival Rings")
    (message,) = said(come_back(alice_client, code="c", state=sent["state"][0]))
    assert "You do not manage a Page called “rival rings”" in message
    assert not Account.objects.filter(workspace=workspace).exists()


def test_a_callback_with_another_state_is_refused_before_facebook_is_asked(
    alice_client, workspace, facebook
):
    start(alice_client, page="1234")
    response = come_back(alice_client, code="c", state="forged")
    assert "expired or was not started here" in said(response)[0]
    assert facebook.requests == [] and not Account.objects.filter(workspace=workspace).exists()


def test_pressing_cancel_on_facebook_connects_nothing(alice_client, workspace, facebook):
    sent = start(alice_client, page="1234")
    response = come_back(alice_client, error="access_denied", state=sent["state"][0])
    assert said(response) == ["Access was not granted on Facebook, so nothing was connected."]
    assert facebook.requests == []


def test_a_refused_code_shows_facebooks_words(alice_client, workspace, facebook):
    facebook.route(TOKEN_PATH, error(100, "Invalid verification code format."))
    sent = start(alice_client, page="1234")
    (message,) = said(come_back(alice_client, code="bad", state=sent["state"][0]))
    assert message.startswith("Facebook refused the sign-in: Invalid verification code format.")
    assert not Account.objects.filter(workspace=workspace).exists()


def test_a_responder_may_not_connect_a_page(bob_client, facebook):
    response = bob_client.post(reverse("networks:connect_start", args=["facebook"]))
    assert response.status_code == 403


def test_the_accounts_page_offers_facebook_with_its_callback(alice_client, facebook):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-facebook"' in page and CALLBACK in page


def test_without_the_meta_app_facebook_is_not_offered(alice_client, monkeypatch, settings):
    monkeypatch.delenv("HARKEN_FACEBOOK_APP_ID", raising=False)
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-facebook"' not in page
    response = alice_client.post(reverse("networks:connect_start", args=["facebook"]))
    assert response.status_code == 404


def test_a_broken_page_reconnects_in_one_press_naming_it(alice_client, workspace, facebook):
    Account.objects.create(
        workspace=workspace,
        network="facebook",
        external_id="1234",
        handle="BBBBBBBB",
        status=Account.Status.RECONNECT,
        config={},
    )
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'name="facebook-page" value="BBBBBBBB"' in page
    sent = start(alice_client, page="BBBBBBBB")
    come_back(alice_client, code="c", state=sent["state"][0])
    account = Account.objects.get(workspace=workspace, network="facebook")
    assert account.status == Account.Status.ACTIVE and account.config["page_id"] == "1234"
    assert json.dumps(account.config).count("access_token") == 1


def test_with_webhooks_the_page_is_subscribed_to_its_feed(
    alice_client, workspace, facebook, monkeypatch
):
    """Meta's documented ``{"success": true}`` answer to POST /{page}/subscribed_apps."""
    monkeypatch.setenv("HARKEN_FACEBOOK_WEBHOOK_TOKEN", "verify")
    facebook.route(path("1234", "subscribed_apps"), Reply(200, '{"success": true}'))
    sent = start(alice_client, page="1234")
    come_back(alice_client, code="c", state=sent["state"][0])
    (subscribed,) = facebook.hits(path("1234", "subscribed_apps"))
    assert query(subscribed)["subscribed_fields"] == "feed,messages"
    assert query(subscribed)["access_token"] == "access_token"  # the Page's token


def test_a_refused_subscription_still_connects_the_page(
    alice_client, workspace, facebook, monkeypatch
):
    monkeypatch.setenv("HARKEN_FACEBOOK_WEBHOOK_TOKEN", "verify")
    facebook.route(
        path("1234", "subscribed_apps"),
        error(200, "(#200) Requires pages_manage_metadata permission"),
    )
    sent = start(alice_client, page="1234")
    come_back(alice_client, code="c", state=sent["state"][0])
    assert (
        Account.objects.get(workspace=workspace, network="facebook").status == Account.Status.ACTIVE
    )
