"""Sign in with Bluesky (atproto OAuth), against a local server that plays the account's
DID host, PDS and authorization server as the spec describes (atproto_oauth_server.py).

The browser's trip to the authorization page is played by following the redirect with
httpx: the server "approves" at once and sends the browser back to Harken's callback.
"""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.listening.polling import poll_source
from harken.networks.base import ConnectorError
from harken.networks.bluesky.connector import Bluesky
from harken.networks.models import Account
from harken.networks.registry import connector_for
from tests.networks.atproto_oauth_server import HANDLE, AtprotoServer

pytestmark = pytest.mark.usefixtures("loopback")

HOST = "127.0.0.1:8000"  # HARKEN_BASE_URL's default: the loopback client


@pytest.fixture
def atproto(settings):
    server = AtprotoServer()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    settings.BASE_URL = f"http://{HOST}"
    settings.BLUESKY_HANDLE_WELL_KNOWN = server.url + "/handles/{handle}/atproto-did"
    yield server
    server.shutdown()
    server.server_close()


def start(client: Client, login: str, host: str = HOST):
    return client.post(
        reverse("networks:connect_start", args=["bluesky"]), {"handle": login}, HTTP_HOST=host
    )


def approve(response) -> str:
    """Play the browser at the authorization page: its redirect back to Harken."""
    assert response.status_code == 302, response.content.decode()[:2000]
    answer = httpx.get(response["Location"], follow_redirects=False)
    assert answer.status_code == 302
    return answer.headers["location"]


def come_back(client: Client, callback: str, host: str = HOST, **changes: str):
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return client.get(parts.path, query, HTTP_HOST=host)


def connect(client: Client, atproto: AtprotoServer, login: str | None = None) -> Account:
    response = come_back(client, approve(start(client, login or atproto.did)))
    assert response.status_code == 302 and response["Location"] == reverse("networks:accounts")
    return Account.objects.get(network="bluesky")


def flashed(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


# --- connecting ------------------------------------------------------------------------


def test_the_page_offers_sign_in_with_bluesky_and_keeps_the_app_password_form(
    alice_client, client, victor
):
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-bluesky-oauth"' in html and "Sign in with Bluesky" in html
    assert 'id="connect-bluesky"' in html  # the app password stays the alternative
    client.force_login(victor)
    html = client.get(reverse("networks:accounts")).content.decode()
    assert 'id="connect-bluesky-oauth"' not in html


def test_signing_in_with_a_handle_connects_the_account(alice_client, workspace, atproto):
    account = connect(alice_client, atproto, f"@{HANDLE}")
    assert (account.external_id, account.handle, account.status) == (
        atproto.did,
        HANDLE,
        "active",
    )
    config = account.config
    assert config["auth"] == "oauth" and config["did"] == atproto.did
    assert config["pds"] == atproto.url and config["issuer"] == atproto.url
    assert config["access_token"].startswith("acc-") and config["refresh_token"]
    assert config["expires_at"] > time.time() + 600
    assert config["dpop_key"]["d"] and config["dpop_nonces"] == {atproto.url: atproto.nonce}
    # The tokens and the private key are encrypted at rest.
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM networks_account WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert config["access_token"] not in stored and config["dpop_key"]["d"] not in stored
    source = Source.objects.get(workspace=workspace, account=account)
    assert source.enabled and source.kind == "account"
    assert AuditEntry.objects.filter(workspace=workspace, action="account.connect").exists()


def test_the_pushed_request_carries_pkce_state_and_login_hint_after_a_nonce_retry(
    alice_client, atproto
):
    connect(alice_client, atproto, HANDLE)
    refused, pushed = atproto.hits("/oauth/par")
    assert "nonce" not in refused.claims and pushed.claims["nonce"] == atproto.nonce
    form = pushed.form
    assert form["code_challenge_method"] == "S256" and len(form["code_challenge"]) == 43
    assert form["login_hint"] == HANDLE and len(form["state"]) >= 32
    assert form["scope"] == "atproto transition:generic transition:chat.bsky"
    # The loopback client: its client_id carries the redirect and scope.
    assert form["client_id"].startswith("http://localhost?")
    assert form["redirect_uri"] == f"http://{HOST}/networks/connect/bluesky/callback/"
    assert parse_qs(urlsplit(form["client_id"]).query)["redirect_uri"] == [form["redirect_uri"]]
    # The code was exchanged with the verifier and the same key (the server checks both).
    exchange = atproto.grants("authorization_code")
    assert len(exchange) == 1 and exchange[0].form["code_verifier"]


def test_the_connected_account_reads_its_mentions_over_dpop(alice_client, atproto):
    account = connect(alice_client, atproto)
    atproto.rotate_nonce()  # the PDS asks for its new nonce first: the call is repeated
    page = connector_for(account).fetch("2020-01-01T00:00:00.000Z|")
    assert [i.kind for i in page.items].count("reply") == 1
    assert all(i.network == "bluesky" for i in page.items) and len(page.items) == 5
    calls = atproto.hits("/xrpc/app.bsky.notification.listNotifications")
    assert [c.headers["authorization"].split()[0] for c in calls] == ["DPoP", "DPoP"]
    assert len(atproto.grants("refresh_token")) == 0


def test_the_connected_account_publishes_through_its_pds(alice_client, atproto):
    account = connect(alice_client, atproto)
    published = connector_for(account).publish("New rings in the window today #jewelry")
    (sent,) = atproto.hits("/xrpc/com.atproto.repo.createRecord")
    body = json.loads(sent.raw)
    assert body["repo"] == atproto.did and body["collection"] == "app.bsky.feed.post"
    assert body["record"]["text"] == "New rings in the window today #jewelry"
    assert published.external_id == f"at://{atproto.did}/app.bsky.feed.post/3kvnewpost222"
    assert published.url == f"https://bsky.app/profile/{HANDLE}/post/3kvnewpost222"


def test_a_pds_error_is_retried_with_a_fresh_proof(alice_client, atproto):
    account = connect(alice_client, atproto)
    atproto.xrpc_failures = [502]
    assert connector_for(account).fetch(None).items
    calls = atproto.hits("/xrpc/app.bsky.notification.listNotifications")
    proofs = {c.headers["dpop"] for c in calls}
    assert len(calls) == 2 and len(proofs) == 2  # a DPoP proof is never sent twice


def test_a_web_install_uses_its_client_metadata_document(alice_client, client, atproto, settings):
    settings.BASE_URL = "https://harken.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "harken.example"]
    metadata_url = "https://harken.example/networks/bluesky/client-metadata.json"
    document = client.get(reverse("networks:bluesky_client_metadata"), HTTP_HOST="harken.example")
    metadata = document.json()
    assert metadata == {
        "client_id": metadata_url,
        "client_name": "Harken",
        "client_uri": "https://harken.example",
        "redirect_uris": ["https://harken.example/networks/connect/bluesky/callback/"],
        "scope": "atproto transition:generic transition:chat.bsky",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "application_type": "web",
        "dpop_bound_access_tokens": True,
    }
    atproto.client_documents[metadata_url] = metadata
    callback = approve(start(alice_client, atproto.did, host="harken.example"))
    assert callback.startswith("https://harken.example/networks/connect/bluesky/callback/?")
    come_back(alice_client, callback, host="harken.example")
    assert Account.objects.get(network="bluesky").config["client_id"] == metadata_url


def test_a_loopback_install_serves_no_metadata_document(client, atproto):
    assert client.get(reverse("networks:bluesky_client_metadata")).status_code == 404


def test_plain_http_on_another_host_is_refused_with_the_way_out(alice_client, atproto, settings):
    settings.BASE_URL = "http://192.168.1.20:8000"
    response = start(alice_client, atproto.did)
    assert response.status_code == 400
    assert "needs Harken on HTTPS" in response.content.decode()
    assert atproto.seen == []


def test_browsing_as_localhost_is_told_to_open_the_loopback_address(alice_client, atproto):
    response = start(alice_client, atproto.did, host="localhost:8000")
    assert response.status_code == 400
    assert "Open Harken at http://127.0.0.1:8000" in response.content.decode()
    assert atproto.seen == []


# --- refused answers -------------------------------------------------------------------


def test_a_callback_with_another_state_connects_nothing(alice_client, atproto):
    response = come_back(alice_client, approve(start(alice_client, atproto.did)), state="forged")
    assert "expired or was not started here" in flashed(response)
    assert not Account.objects.exists() and atproto.grants("authorization_code") == []


def test_a_callback_in_another_servers_name_connects_nothing(alice_client, atproto):
    atproto.iss = "https://evil.example"
    response = come_back(alice_client, approve(start(alice_client, atproto.did)))
    assert "https://evil.example" in flashed(response)
    assert not Account.objects.exists() and atproto.grants("authorization_code") == []


def test_a_token_for_another_account_connects_nothing(alice_client, atproto):
    atproto.sub = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
    response = come_back(alice_client, approve(start(alice_client, atproto.did)))
    assert "not " + atproto.did in flashed(response)
    assert not Account.objects.exists() and not Source.objects.exists()


def test_a_callback_in_a_session_that_started_nothing_connects_nothing(
    alice, alice_client, atproto
):
    callback = approve(start(alice_client, atproto.did))
    elsewhere = Client()  # the same person, another browser: no sign-in started there
    elsewhere.force_login(alice)
    response = come_back(elsewhere, callback)
    assert "expired or was not started here" in flashed(response)
    assert not Account.objects.exists() and atproto.grants("authorization_code") == []


def test_a_pds_on_a_private_address_is_refused_before_any_oauth_request(alice_client, atproto):
    atproto.pds_endpoint = "http://10.0.0.7"
    response = start(alice_client, atproto.did)
    assert response.status_code == 400
    assert "private or reserved address" in response.content.decode()
    assert [s.path for s in atproto.seen if s.path != "/.well-known/did.json"] == []


def test_a_handle_the_account_does_not_claim_is_refused(alice_client, atproto):
    atproto.claimed_handle = "someone-else.test"
    response = start(alice_client, HANDLE)
    assert response.status_code == 400
    assert "does not claim the handle" in response.content.decode()
    assert atproto.hits("/oauth/par") == []


def test_a_blank_or_malformed_handle_is_refused_with_a_reason(alice_client, atproto):
    for value in ("", "not a handle", "http://x.example/"):
        response = start(alice_client, value)
        assert response.status_code == 400
    assert "handle" in response.content.decode()
    assert atproto.seen == []


def test_only_those_who_may_connect_can_start_or_finish(bob_client, atproto):
    assert start(bob_client, atproto.did).status_code == 403
    url = reverse("networks:connect_callback", args=["bluesky"])
    assert bob_client.get(url, {"state": "x"}, HTTP_HOST=HOST).status_code == 403
    assert atproto.seen == []


# --- tokens over time ------------------------------------------------------------------


def expire(account: Account) -> None:
    account.config = {**account.config, "expires_at": time.time() - 5}
    account.save(update_fields=["config"])


def test_an_expired_token_is_refreshed_once_and_saved_at_once(alice_client, atproto):
    account = connect(alice_client, atproto)
    expire(account)
    old = account.config
    connector = connector_for(account)
    assert connector.fetch(None).items
    (refreshed,) = atproto.grants("refresh_token")
    assert refreshed.form["refresh_token"] == old["refresh_token"]
    account.refresh_from_db()
    assert account.config["refresh_token"] != old["refresh_token"]  # rotated, and kept
    assert account.config["access_token"] == connector.config["access_token"]
    assert account.config["expires_at"] > time.time() + 600


def test_a_refresh_another_worker_saved_is_used_not_repeated(alice_client, atproto):
    account = connect(alice_client, atproto)
    expire(account)
    first, second = connector_for(account), connector_for(account)  # both hold stale tokens
    first.fetch(None)
    second.fetch(None)
    assert len(atproto.grants("refresh_token")) == 1
    assert second.config["access_token"] == first.config["access_token"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_send_one_refresh_request(alice_client, atproto):
    account = connect(alice_client, atproto)
    expire(account)
    atproto.refresh_delay = 0.3  # long enough for every worker to find the token stale
    errors: list[Exception] = []

    def work() -> None:
        try:
            connector_for(Account.objects.get(pk=account.pk)).fetch(None)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert errors == []
    assert len(atproto.grants("refresh_token")) == 1
    assert len(atproto.hits("/xrpc/app.bsky.notification.listNotifications")) >= 4


def test_a_token_the_pds_refuses_is_refreshed_and_the_call_repeated(alice_client, atproto):
    account = connect(alice_client, atproto)
    atproto.access.clear()  # revoked on the server, though not expired here
    assert connector_for(account).fetch(None).items
    assert len(atproto.grants("refresh_token")) == 1


def test_a_revoked_sign_in_marks_the_account_reconnect_needed(alice_client, atproto):
    account = connect(alice_client, atproto)
    expire(account)
    atproto.revoke_all()
    source = Source.objects.get(account=account)
    outcome = poll_source(source.pk, force=True)
    assert outcome.state == "failed" and "reconnect the account" in outcome.error
    account.refresh_from_db()
    assert account.status == Account.Status.RECONNECT
    assert "reconnect the account" in account.last_error


def test_a_refused_refresh_is_a_permanent_connector_error(alice_client, atproto):
    account = connect(alice_client, atproto)
    expire(account)
    atproto.revoke_all()
    with pytest.raises(ConnectorError) as caught:
        connector_for(account).fetch(None)
    assert caught.value.permanent and "reconnect the account" in caught.value.message


def test_app_password_accounts_do_not_use_oauth():
    connector = Bluesky({"handle": "shop.bsky.social", "app_password": "x"})
    assert not connector.uses_oauth


def test_a_state_that_is_not_ascii_is_refused_like_any_other(alice_client, atproto):
    callback = approve(start(alice_client, atproto.did))
    response = come_back(alice_client, callback, state="ünïcode")
    assert response.status_code == 302 and "expired or was not started here" in flashed(response)
    assert not Account.objects.exists()


def test_a_callback_in_another_workspace_connects_nothing(
    alice, alice_client, other_workspace, atproto
):
    from harken.core.models import Member, Role

    callback = approve(start(alice_client, atproto.did))
    Member.objects.create(workspace=other_workspace, user=alice, role=Role.OWNER)
    session = alice_client.session
    session["workspace_id"] = other_workspace.pk  # she switched workspaces meanwhile
    session.save()
    response = come_back(alice_client, callback)
    assert "started in another workspace" in flashed(response)
    assert not Account.objects.exists()
