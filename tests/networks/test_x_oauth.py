"""Settings › Accounts › Connect X: X's OAuth 2.0 Authorization Code Flow with PKCE,
against a local X that checks what Harken sends (tests/networks/x_local.py)."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.networks.models import Account, XUsage
from harken.networks.oauth2 import pkce_challenge
from tests.networks.x_local import (
    CLIENT_ID,
    CLIENT_SECRET,
    ME_PATH,
    TOKEN_PATH,
    form,
    me_reply,
    refusal,
    token_reply,
    unauthorized,
)

AUTHORIZE = "https://x.test/i/oauth2/authorize"
CALLBACK = "http://testserver/networks/connect/x/callback/"


@pytest.fixture
def x_app(monkeypatch, settings, loopback, server):
    """This installation's X app (a confidential client), and X played by ``server``."""
    monkeypatch.setenv("HARKEN_X_BEARER_TOKEN", "app-token")
    monkeypatch.setenv("HARKEN_X_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("HARKEN_X_CLIENT_SECRET", CLIENT_SECRET)
    settings.X_API_URL = server.base
    settings.X_AUTHORIZE_URL = AUTHORIZE
    server.route(TOKEN_PATH, token_reply("access-1", "refresh-1"))
    server.route(ME_PATH, me_reply())
    return server


def start(client) -> dict[str, list[str]]:
    """Press "Connect X"; the query of the consent page Harken sent the browser to."""
    response = client.post(reverse("networks:connect_start", args=["x"]))
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == AUTHORIZE
    return parse_qs(url.query)


def come_back(client, **query: str):
    return client.get(reverse("networks:connect_callback", args=["x"]), query)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_connect_sends_the_person_to_xs_consent_page_with_a_pkce_challenge(alice_client, x_app):
    query = start(alice_client)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["scope"] == [
        "tweet.read tweet.write users.read offline.access dm.read dm.write media.write"
    ]
    assert query["code_challenge_method"] == ["S256"]
    started = alice_client.session["x_oauth"]
    assert query["state"] == [started["state"]] and len(started["state"]) >= 32
    # The verifier stays in the session; only its challenge travels.
    assert query["code_challenge"] == [pkce_challenge(started["verifier"])]
    assert started["verifier"] not in str(query)
    assert x_app.requests == []  # nothing is asked of X before the person consents


def test_the_callback_trades_the_code_and_verifier_and_saves_the_account(
    alice_client, workspace, x_app
):
    query = start(alice_client)
    response = come_back(alice_client, code="the-code", state=query["state"][0])
    assert response.status_code == 302 and response["Location"] == reverse("networks:accounts")

    exchange, me = x_app.requests
    assert (exchange.method, exchange.path) == ("POST", TOKEN_PATH)
    sent = form(exchange)
    assert sent["grant_type"] == "authorization_code"
    assert sent["code"] == "the-code" and sent["redirect_uri"] == CALLBACK
    assert pkce_challenge(sent["code_verifier"]) == query["code_challenge"][0]
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert exchange.headers["authorization"] == f"Basic {basic}"  # a confidential client
    assert "client_id" not in sent
    assert (me.path.split("?")[0], me.headers["authorization"]) == (ME_PATH, "Bearer access-1")

    account = Account.objects.get(workspace=workspace, network="x")
    assert (account.handle, account.external_id) == ("@TweepyDev", "1072250532645998596")
    config = account.config
    assert (config["bearer_token"], config["refresh_token"]) == ("access-1", "refresh-1")
    assert abs(config["expires_at"] - (time.time() + 7200)) < 60
    assert config["user_id"] == "1072250532645998596"
    assert Source.objects.get(workspace=workspace).account == account
    assert AuditEntry.objects.filter(workspace=workspace, action="account.connect").exists()
    assert XUsage.objects.get(workspace=workspace).users_read == 1  # the read was counted
    assert said(response) == ["@TweepyDev is connected; Harken reads its mentions."]
    assert "x_oauth" not in alice_client.session  # a callback cannot be replayed


def test_a_public_client_names_itself_in_the_body_instead_of_basic_auth(
    alice_client, x_app, monkeypatch
):
    monkeypatch.delenv("HARKEN_X_CLIENT_SECRET")
    query = start(alice_client)
    come_back(alice_client, code="c", state=query["state"][0])
    exchange = x_app.hits(TOKEN_PATH)[0]
    assert "authorization" not in exchange.headers
    assert form(exchange)["client_id"] == CLIENT_ID


def test_a_callback_with_another_state_is_refused_and_asks_x_nothing(alice_client, x_app):
    start(alice_client)
    response = come_back(alice_client, code="stolen-code", state="not-the-one")
    assert said(response) == ["This sign-in link expired or was not started here; connect again."]
    assert x_app.requests == [] and not Account.objects.exists()


def test_a_forged_state_in_any_characters_is_refused_not_a_server_error(alice_client, x_app):
    start(alice_client)
    response = come_back(alice_client, code="stolen-code", state="é-not-ascii")
    assert response.status_code == 302
    assert said(response) == ["This sign-in link expired or was not started here; connect again."]
    assert x_app.requests == [] and not Account.objects.exists()


def test_a_callback_nobody_started_is_refused(alice_client, x_app):
    response = come_back(alice_client, code="c", state="s")
    assert "not started here" in said(response)[0]
    assert x_app.requests == [] and not Account.objects.exists()


def test_denied_consent_says_so_and_saves_nothing(alice_client, x_app):
    query = start(alice_client)
    response = come_back(alice_client, error="access_denied", state=query["state"][0])
    assert said(response) == ["Access was not granted on X, so nothing was connected."]
    assert x_app.requests == [] and not Account.objects.exists()


def test_a_refused_code_shows_xs_words_and_saves_nothing(alice_client, x_app):
    x_app.route(TOKEN_PATH, refusal("Value passed for the authorization code was invalid."))
    query = start(alice_client)
    response = come_back(alice_client, code="spent", state=query["state"][0])
    assert said(response) == [
        "X refused the sign-in: Value passed for the authorization code was invalid. "
        "(invalid_request)"
    ]
    assert len(x_app.requests) == 1 and not Account.objects.exists()


def test_a_sign_in_started_in_another_workspace_is_refused(
    alice_client, alice, other_workspace, x_app
):
    from harken.core.models import Member, Role

    query = start(alice_client)
    Member.objects.create(workspace=other_workspace, user=alice, role=Role.OWNER)
    session = alice_client.session
    session["workspace_id"] = other_workspace.pk  # she switched workspaces meanwhile
    session.save()
    response = come_back(alice_client, code="c", state=query["state"][0])
    assert "another workspace" in said(response)[0]
    assert x_app.requests == [] and not Account.objects.exists()


def test_reconnecting_replaces_the_tokens_of_the_same_account(alice_client, workspace, x_app):
    for access, refresh in (("access-1", "refresh-1"), ("access-2", "refresh-2")):
        x_app.route(TOKEN_PATH, token_reply(access, refresh))
        query = start(alice_client)
        come_back(alice_client, code="c", state=query["state"][0])
    account = Account.objects.get(workspace=workspace, network="x")
    assert account.config["refresh_token"] == "refresh-2"
    assert AuditEntry.objects.filter(action="account.reconnect").count() == 1


def test_the_page_offers_the_button_and_keeps_the_token_form_as_a_fallback(alice_client, x_app):
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-x-oauth"' in html
    assert "Use a token instead" in html and 'id="connect-x-token"' in html
    assert CALLBACK in html  # the callback URI to register with X


def test_without_a_client_id_only_the_token_form_is_offered(alice_client, x_app, monkeypatch):
    monkeypatch.delenv("HARKEN_X_CLIENT_ID")
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-x-oauth"' not in html and 'id="connect-x-token"' in html
    assert alice_client.post(reverse("networks:connect_start", args=["x"])).status_code == 404


def test_a_responder_may_not_connect_x(bob_client, x_app):
    assert bob_client.post(reverse("networks:connect_start", args=["x"])).status_code == 403
    assert (
        bob_client.get(reverse("networks:connect_callback", args=["x"]), {"code": "c"}).status_code
        == 403
    )


def test_connect_is_a_post(alice_client, x_app):
    assert alice_client.get(reverse("networks:connect_start", args=["x"])).status_code == 405


def test_a_token_x_refuses_at_once_is_renewed_and_the_renewed_pair_is_saved(
    alice_client, workspace, x_app
):
    x_app.route(
        TOKEN_PATH, token_reply("access-1", "refresh-1"), token_reply("access-2", "refresh-2")
    )
    x_app.route(ME_PATH, unauthorized("access-1"), me_reply("access-2"))
    query = start(alice_client)
    come_back(alice_client, code="c", state=query["state"][0])
    exchange, renewal = x_app.hits(TOKEN_PATH)
    assert form(renewal)["refresh_token"] == "refresh-1"
    config = Account.objects.get(workspace=workspace, network="x").config
    assert (config["bearer_token"], config["refresh_token"]) == ("access-2", "refresh-2")
