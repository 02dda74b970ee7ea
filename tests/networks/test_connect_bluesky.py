"""Settings → Accounts: connecting a Bluesky account with a handle and an app password,
against a local XRPC server (test_bluesky's) that plays createSession."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.models import Source
from harken.networks.models import Account
from tests.networks.test_bluesky import DID, HANDLE, XrpcServer

pytestmark = pytest.mark.usefixtures("loopback")

APP_PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def pds():
    server = XrpcServer()
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def connect(client, pds, **fields):
    data = {"handle": f"@{HANDLE}", "app_password": APP_PASSWORD, "service": pds.url, **fields}
    return client.post(reverse("networks:connect_form", args=["bluesky", "app_password"]), data)


def test_the_page_offers_the_bluesky_form_to_those_who_may_connect(alice_client, client, victor):
    assert 'id="connect-bluesky"' in alice_client.get(reverse("networks:accounts")).content.decode()
    client.force_login(victor)
    assert 'id="connect-bluesky"' not in client.get(reverse("networks:accounts")).content.decode()


def test_connecting_logs_in_and_saves_the_account_with_its_app_password_encrypted(
    alice_client, workspace, pds
):
    response = connect(alice_client, pds)
    assert response.status_code == 302
    account = Account.objects.get(workspace=workspace, network="bluesky")
    assert (account.handle, account.external_id, account.status) == (HANDLE, DID, "active")
    assert account.config["app_password"] == APP_PASSWORD
    assert account.config["service"] == pds.url and account.config["session"]
    login = pds.requests[0]
    assert login[0] == "com.atproto.server.createSession"
    assert login[2] == {"identifier": HANDLE, "password": APP_PASSWORD}  # the @ is dropped
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM networks_account WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]
    assert APP_PASSWORD not in stored and DID not in stored


def test_connecting_creates_the_source_that_reads_its_mentions_and_audits(
    alice_client, workspace, pds
):
    connect(alice_client, pds)
    account = Account.objects.get(workspace=workspace)
    source = Source.objects.get(workspace=workspace)
    assert (source.kind, source.network, source.account, source.enabled) == (
        "account",
        "bluesky",
        account,
        True,
    )
    entry = AuditEntry.objects.get(workspace=workspace, action="account.connect")
    assert APP_PASSWORD not in str(entry.__dict__)


def test_a_wrong_app_password_shows_blueskys_words_and_saves_nothing(alice_client, pds):
    pds.fail(
        "com.atproto.server.createSession",
        401,
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
    )
    response = connect(alice_client, pds)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Invalid identifier or password" in html
    assert APP_PASSWORD not in html  # a password is never written back into the page
    assert not Account.objects.exists() and not Source.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="account.").exists()


def test_connecting_again_reconnects_the_same_account_and_restarts_its_source(
    alice_client, workspace, pds
):
    connect(alice_client, pds)
    account = Account.objects.get(workspace=workspace)
    account.status = Account.Status.DISABLED
    account.config = {}
    account.save()
    Source.objects.update(enabled=False)
    response = connect(alice_client, pds, handle=HANDLE)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.status == "active" and account.config["app_password"] == APP_PASSWORD
    assert Account.objects.filter(workspace=workspace).count() == 1
    assert list(Source.objects.values_list("enabled", flat=True)) == [True]
    assert AuditEntry.objects.filter(workspace=workspace, action="account.reconnect").exists()


def test_a_server_on_a_private_address_is_refused_before_any_request(alice_client, pds, settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    response = connect(alice_client, pds, service="http://10.1.2.3")
    assert response.status_code == 400
    assert "private or reserved address" in response.content.decode()
    assert pds.requests == [] and not Account.objects.exists()


def test_a_blank_handle_is_refused_with_a_reason(alice_client, pds):
    response = connect(alice_client, pds, handle="@ ")
    assert response.status_code == 400 and pds.requests == []


def test_a_responder_may_not_connect_bluesky(bob_client, pds):
    response = connect(bob_client, pds)
    assert response.status_code == 403
    assert pds.requests == [] and not Account.objects.exists()
