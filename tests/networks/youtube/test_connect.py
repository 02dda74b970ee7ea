"""Settings › Accounts › Connect a YouTube channel: Google's consent page (OAuth 2.0 with
PKCE and offline access) through the shared connect views, against a local Google. The
token answer and the channel are recorded ones (../shared/data/recorded-api/youtube-data/);
the refusals are Google's documented shapes (``{"error": "invalid_grant", ...}``)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.networks.models import Account
from harken.networks.oauth2 import pkce_challenge
from tests.lib.localserver import Reply
from tests.networks.youtube.youtube_local import (
    API,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN,
    body,
    query,
)

CALLBACK = "http://testserver/networks/connect/youtube/callback/"


@pytest.fixture
def google(youtube):
    youtube.route(TOKEN, body("oauth_token_response.json"))
    youtube.route(f"{API}/channels", body("channels_list_single_statistics.json"))
    return youtube


def start(client) -> dict[str, list[str]]:
    response = client.post(reverse("networks:connect_start", args=["youtube"]))
    assert response.status_code == 302, response.content
    url = urlsplit(response["Location"])
    assert (
        f"{url.scheme}://{url.netloc}{url.path}" == "https://accounts.google.test/o/oauth2/v2/auth"
    )
    return parse_qs(url.query)


def come_back(client, **params: str):
    return client.get(reverse("networks:connect_callback", args=["youtube"]), params)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_connect_sends_the_person_to_google_with_pkce_and_offline_access(alice_client, google):
    sent = start(alice_client)
    assert sent["client_id"] == [CLIENT_ID] and sent["redirect_uri"] == [CALLBACK]
    assert sent["scope"] == ["https://www.googleapis.com/auth/youtube.force-ssl"]
    assert sent["access_type"] == ["offline"] and sent["prompt"] == ["consent"]
    kept = alice_client.session["youtube_oauth"]
    assert sent["state"] == [kept["state"]] and sent["code_challenge_method"] == ["S256"]
    assert sent["code_challenge"] == [pkce_challenge(kept["verifier"])]
    assert CLIENT_SECRET not in str(sent) and google.requests == []


def test_the_callback_keeps_the_channel_with_its_refresh_token(alice_client, workspace, google):
    sent = start(alice_client)
    verifier = alice_client.session["youtube_oauth"]["verifier"]
    response = come_back(alice_client, code="the-code", state=sent["state"][0])
    assert said(response) == ["@googledevelopers is connected; Harken reads its mentions."]

    (exchange,) = google.hits(TOKEN)
    assert query(exchange) == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    (mine,) = google.hits(f"{API}/channels")
    assert query(mine)["mine"] == "true"
    assert mine.headers["authorization"] == "Bearer access_token"  # the recorded placeholder
    account = Account.objects.get(workspace=workspace, network="youtube")
    assert (account.external_id, account.handle) == (
        "UC_x5XG1OV2P6uZZ5FSM9Ttw",
        "@googledevelopers",
    )
    assert account.config["refresh_token"] == "refresh_token"
    assert account.config["expires_at"] and "youtube" in account.config["scope"]
    assert AuditEntry.objects.filter(workspace=workspace, action="account.connect").exists()


def test_credentials_are_stored_encrypted(alice_client, workspace, google):
    from django.db import connection

    sent = start(alice_client)
    come_back(alice_client, code="c", state=sent["state"][0])
    account = Account.objects.get(workspace=workspace, network="youtube")
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM networks_account WHERE id = %s", [account.pk])
        (raw,) = cursor.fetchone()
    assert "refresh_token" not in str(raw)


def test_a_refused_code_shows_googles_words_and_saves_nothing(alice_client, workspace, google):
    refusal = {"error": "invalid_grant", "error_description": "Bad Request"}
    google.route(TOKEN, Reply(400, json.dumps(refusal), {"Content-Type": "application/json"}))
    sent = start(alice_client)
    (message,) = said(come_back(alice_client, code="bad", state=sent["state"][0]))
    assert message == "YouTube refused the sign-in: Bad Request (invalid_grant)"
    assert not Account.objects.filter(workspace=workspace).exists()


def test_a_grant_without_a_refresh_token_is_refused(alice_client, workspace, google):
    """Google leaves the refresh token out when the person consented before without
    ``prompt=consent``: the documented shape without ``refresh_token``."""
    google.route(
        TOKEN, Reply(200, '{"access_token": "a", "expires_in": 3599, "token_type": "Bearer"}')
    )
    sent = start(alice_client)
    (message,) = said(come_back(alice_client, code="c", state=sent["state"][0]))
    assert message.startswith("Google gave no refresh token")
    assert not Account.objects.filter(workspace=workspace).exists()


def test_a_forged_state_is_refused_before_google_is_asked(alice_client, workspace, google):
    start(alice_client)
    response = come_back(alice_client, code="c", state="forged")
    assert "expired or was not started here" in said(response)[0]
    assert google.requests == [] and not Account.objects.filter(workspace=workspace).exists()


def test_a_responder_may_not_connect_a_channel(bob_client, google):
    response = bob_client.post(reverse("networks:connect_start", args=["youtube"]))
    assert response.status_code == 403


def test_the_accounts_page_offers_youtube_with_its_callback(alice_client, google):
    page = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-youtube"' in page and CALLBACK in page
