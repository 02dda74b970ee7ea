"""Settings → Accounts: listing, connecting Mastodon, disconnecting."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.db import connection
from django.urls import reverse

from harken.listening.models import Source
from harken.networks.models import Account, MastodonApp
from tests.lib.localserver import Reply
from tests.networks.recorded import recorded

pytestmark = pytest.mark.usefixtures("loopback")

JSON = {"Content-Type": "application/json; charset=utf-8"}


def recorded_body(name: str, path: str) -> str:
    data = yaml.safe_load(recorded("mastodon", name).read_text())
    return next(i for i in data["interactions"] if i["request"]["uri"].endswith(path))["response"][
        "body"
    ]["string"]


@pytest.fixture
def mastodon_server(server):
    """A Mastodon server on 127.0.0.1: app registration and token answers as the API
    reference documents them, instance and account answers as recorded from a real one."""
    app = {
        "id": "563419",
        "name": "Harken",
        "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
        "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
        "redirect_uri": "x",
        "vapid_key": "k",
    }
    token = {
        "access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
        "token_type": "Bearer",
        "scope": "read write",
        "created_at": 1573979017,
    }
    server.route("/api/v1/apps", Reply(200, json.dumps(app), JSON))
    server.route("/oauth/token", Reply(200, json.dumps(token), JSON))
    server.route(
        "/api/v2/instance/",
        Reply(200, recorded_body("test_hashtag_tl.yaml", "/api/v2/instance/"), JSON),
    )
    server.route(
        "/api/v1/accounts/verify_credentials",
        Reply(200, recorded_body("test_verify_credentials.yaml", "/verify_credentials"), JSON),
    )
    return server


def test_the_page_lists_the_workspaces_accounts_and_their_health(
    alice_client, workspace, other_workspace
):
    Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@mastodon.social",
        status=Account.Status.RECONNECT,
        last_error="<b>Token revoked</b>",
    )
    Account.objects.create(
        workspace=other_workspace, network="mastodon", handle="@rival@mastodon.social"
    )
    page = alice_client.get(reverse("networks:accounts"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "@harbor@mastodon.social" in html and "Reconnect needed" in html
    assert "&lt;b&gt;Token revoked&lt;/b&gt;" in html  # the network's words, escaped
    assert 'name="instance" value="mastodon.social"><button type="submit">Reconnect' in html
    assert "@rival@mastodon.social" not in html
    assert 'id="connect-mastodon"' in html
    # Feeds and searches are sources: the page sends there and adds none itself.
    assert 'id="add-feed"' not in html and 'id="add-search"' not in html
    assert f'href="{reverse("source_list")}"' in html


def test_a_viewer_sees_the_page_without_the_connect_forms(client, victor):
    client.force_login(victor)
    html = client.get(reverse("networks:accounts")).content.decode()
    assert "connect-mastodon" not in html


def test_connecting_mastodon_registers_once_and_sends_to_the_server_with_a_state(
    alice_client, mastodon_server
):
    response = alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": mastodon_server.base}
    )
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}{target.path}" == mastodon_server.url(
        "/oauth/authorize"
    )
    assert query["client_id"] == ["TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM"]
    assert query["redirect_uri"] == ["http://testserver/networks/connect/mastodon/callback/"]
    assert query["state"] == [alice_client.session["mastodon_oauth"]["state"]]
    alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": mastodon_server.base}
    )
    assert len(mastodon_server.hits("/api/v1/apps")) == 1
    assert MastodonApp.objects.get().client_secret == "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw"


def test_the_callback_creates_the_account_with_its_token_encrypted(
    alice_client, workspace, mastodon_server
):
    alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": mastodon_server.base}
    )
    state = alice_client.session["mastodon_oauth"]["state"]
    response = alice_client.get(
        reverse("networks:connect_callback", args=["mastodon"]),
        {"code": "the-code", "state": state},
    )
    assert response.status_code == 302
    account = Account.objects.get(workspace=workspace)
    assert account.handle == f"@mastodonpy_test@{urlsplit(mastodon_server.base).netloc}"
    assert account.config["access_token"] == "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
    assert account.config["limits"]["max_chars"] == 500
    with connection.cursor() as cursor:
        cursor.execute("SELECT config FROM networks_account WHERE id = %s", [account.pk])
        assert "ZA-Yj3aBD8U8" not in cursor.fetchone()[0]
    token_request = mastodon_server.hits("/oauth/token")[0]
    assert token_request.method == "POST"
    assert "mastodon_oauth" not in alice_client.session
    # Its mentions are read from now on.
    assert account.sources.get().kind == "account"


def test_a_callback_with_another_state_connects_nothing(alice_client, mastodon_server):
    alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": mastodon_server.base}
    )
    response = alice_client.get(
        reverse("networks:connect_callback", args=["mastodon"]), {"code": "c", "state": "forged"}
    )
    assert response.status_code == 302
    assert not Account.objects.exists()
    assert mastodon_server.hits("/oauth/token") == []


def test_a_mastodon_sign_in_started_in_another_workspace_connects_nothing(
    alice_client, alice, other_workspace, mastodon_server
):
    from harken.core.models import Member, Role

    alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": mastodon_server.base}
    )
    state = alice_client.session["mastodon_oauth"]["state"]
    Member.objects.create(workspace=other_workspace, user=alice, role=Role.OWNER)
    session = alice_client.session
    session["workspace_id"] = other_workspace.pk  # she switched workspaces meanwhile
    session.save()
    response = alice_client.get(
        reverse("networks:connect_callback", args=["mastodon"]), {"code": "c", "state": state}
    )
    assert response.status_code == 302
    assert not Account.objects.exists()
    assert mastodon_server.hits("/oauth/token") == []


def test_a_private_instance_is_refused(alice_client, settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    response = alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": "http://10.0.0.8"}
    )
    assert (
        response.status_code == 400 and "private or reserved address" in response.content.decode()
    )
    assert not MastodonApp.objects.exists()


def test_disconnecting_wipes_the_token(alice_client, workspace):
    account = Account.objects.create(
        workspace=workspace, network="mastodon", handle="@h@m.social", config={"access_token": "t"}
    )
    response = alice_client.post(reverse("networks:account_disconnect", args=[account.pk]))
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.config == {} and account.status == Account.Status.DISABLED


def test_it_refuses_another_workspaces_account(charlie_client, workspace):
    account = Account.objects.create(
        workspace=workspace, network="mastodon", handle="@h@m.social", config={"access_token": "t"}
    )
    response = charlie_client.post(reverse("networks:account_disconnect", args=[account.pk]))
    assert response.status_code == 404
    account.refresh_from_db()
    assert account.config == {"access_token": "t"}


def test_a_responder_may_not_disconnect(bob_client, workspace):
    account = Account.objects.create(
        workspace=workspace, network="mastodon", handle="@h@m.social", config={"access_token": "t"}
    )
    assert (
        bob_client.post(reverse("networks:account_disconnect", args=[account.pk])).status_code
        == 403
    )


def test_reconnecting_a_disconnected_account_starts_its_sources_again(
    alice_client, workspace, mastodon_server
):
    host = urlsplit(mastodon_server.base).netloc
    account = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle=f"@mastodonpy_test@{host}",
        external_id=f"117020457910412882@{host}",
        status=Account.Status.DISABLED,
    )
    source = Source.objects.create(
        workspace=workspace,
        name="Mentions",
        kind="account",
        network="mastodon",
        account=account,
        enabled=False,
    )
    alice_client.post(
        reverse("networks:connect_start", args=["mastodon"]), {"instance": mastodon_server.base}
    )
    state = alice_client.session["mastodon_oauth"]["state"]
    alice_client.get(
        reverse("networks:connect_callback", args=["mastodon"]), {"code": "c", "state": state}
    )
    account.refresh_from_db()
    source.refresh_from_db()
    assert account.status == Account.Status.ACTIVE and account.config["access_token"]
    assert source.enabled
    assert Account.objects.count() == 1
