"""Settings › Accounts › Connect Instagram: Facebook Login through the shared connect
views, then the Instagram account linked to a Page the person manages. The long-lived
token is a recorded answer; /me/accounts is the recorded one with one Page's
``instagram_business_account`` filled in as Meta documents it (the recording did not ask
for that field), the short-lived token answer the documented shape."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from harken.listening.models import Source
from harken.networks.models import Account
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import EMPTY, body, path, query, recorded

TOKEN_PATH = path("oauth", "access_token")
SHORT = Reply(200, '{"access_token": "short-token", "token_type": "bearer", "expires_in": 5183}')


def pages_with(linked: dict[str, dict[str, str]]) -> Reply:
    pages = json.loads(recorded("me_accounts_p1.json"))
    for page in pages["data"]:
        if page["id"] in linked:
            page["instagram_business_account"] = linked[page["id"]]
    return Reply(200, json.dumps(pages), {"Content-Type": "application/json"})


@pytest.fixture
def instagram(meta):
    meta.route(TOKEN_PATH, SHORT, body("oauth_long_lived_token.json"))
    linked = {"123512": {"id": "17841406338772941", "username": "ikroskun"}}
    meta.route(path("me", "accounts"), pages_with(linked), Reply(200, EMPTY))
    return meta


def connect(client, username: str = ""):
    response = client.post(
        reverse("networks:connect_start", args=["instagram"]), {"instagram-username": username}
    )
    assert response.status_code == 302
    sent = parse_qs(urlsplit(response["Location"]).query)
    scopes = set(sent["scope"][0].split(","))
    assert {"instagram_basic", "instagram_manage_comments", "instagram_content_publish"} <= scopes
    assert "instagram_manage_insights" in scopes
    callback = reverse("networks:connect_callback", args=["instagram"])
    return client.get(callback, {"code": "c", "state": sent["state"][0]})


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_only_linked_instagram_account_is_connected(alice_client, workspace, instagram):
    response = connect(alice_client)
    assert said(response) == ["@ikroskun is connected; Harken reads its mentions."]
    account = Account.objects.get(workspace=workspace, network="instagram")
    assert (account.external_id, account.handle) == ("17841406338772941", "@ikroskun")
    assert account.config["page_id"] == "123512" and account.config["page_token"] == "access_token"
    assert Source.objects.filter(account=account, enabled=True).exists()
    assert query(instagram.hits(path("me", "accounts"))[0])["fields"].endswith(
        "instagram_business_account{id,username}"
    )


def test_with_no_linked_account_it_says_what_is_missing(alice_client, workspace, meta):
    meta.route(TOKEN_PATH, SHORT, body("oauth_long_lived_token.json"))
    meta.route(path("me", "accounts"), body("me_accounts_p1.json"), Reply(200, EMPTY))
    (message,) = said(connect(alice_client))
    assert "lists no Instagram account you manage" in message
    assert not Account.objects.filter(workspace=workspace).exists()


def test_several_linked_accounts_are_chosen_by_username(alice_client, workspace, meta):
    meta.route(TOKEN_PATH, SHORT, body("oauth_long_lived_token.json"))
    linked = {
        "123": {"id": "1", "username": "harbor.rings"},
        "1234": {"id": "2", "username": "harbor.watches"},
    }
    meta.route(path("me", "accounts"), pages_with(linked), Reply(200, EMPTY))
    assert "harbor.rings, harbor.watches" in said(connect(alice_client))[0]
    meta.route(TOKEN_PATH, SHORT, body("oauth_long_lived_token.json"))
    meta.route(path("me", "accounts"), pages_with(linked), Reply(200, EMPTY))
    connect(alice_client, "@Harbor.Watches")
    assert Account.objects.get(workspace=workspace, network="instagram").handle == "@harbor.watches"
