"""Every connector's SDK goes through the URL guard on every hop and at connect time.

Each SDK (atproto for Bluesky, Mastodon.py, PRAW, tweepy) talks to a real local server
that answers its first request with a redirect to an internal address; and to a host
name that resolves (at the DNS boundary, ``socket.getaddrinfo``) to an internal address,
where a bare listener records whether anything at all arrived. The redirects re-send the
request's body (307) where the SDK's first request carries a secret: a password, a
refresh token.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from harken.networks.base import Connector, ConnectorError
from harken.networks.bluesky.connector import Bluesky
from harken.networks.registry import connector_for
from harken.networks.x.connector import X
from tests.lib.localserver import Listener, LocalServer, Reply, fake_dns

pytestmark = pytest.mark.usefixtures("loopback")

X_USER = "783214"


def bluesky(base: str, workspace: Any, settings: Any) -> Connector:
    return Bluesky({"handle": "shop.example", "app_password": "app-pass-word", "service": base})


def mastodon(base: str, workspace: Any, settings: Any) -> Connector:
    return connector_for(
        network="mastodon",
        config={"instance": base, "access_token": "token", "account_id": "1", "version": "4.6.4"},
    )


def reddit(base: str, workspace: Any, settings: Any) -> Connector:
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = base
    return connector_for(
        network="reddit",
        config={"client_id": "id", "client_secret": "secret", "refresh_token": "refresh-me"},
    )


def x(base: str, workspace: Any, settings: Any) -> Connector:
    settings.X_API_URL = base
    return X({"bearer_token": "token", "user_id": X_USER, "handle": "shop"}, workspace=workspace)


#: Per SDK: how to make the connector for a server (``settings`` is pytest-django's, so
#: what it changes is undone), and the path of the first request it sends.
SDKS: dict[str, tuple[Callable[[str, Any, Any], Connector], str]] = {
    "bluesky": (bluesky, "/xrpc/com.atproto.server.createSession"),
    "mastodon": (mastodon, "/api/v1/notifications"),
    "reddit": (reddit, "/api/v1/access_token"),
    "x": (x, f"/2/users/{X_USER}/mentions"),
}


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin"]
)
def test_a_redirect_to_an_internal_address_is_refused(sdk, target, server, settings, workspace):
    make, first_path = SDKS[sdk]
    server.route(first_path, Reply(307, headers={"Location": target}))
    with pytest.raises(ConnectorError, match="private or reserved") as caught:
        make(server.base, workspace, settings).fetch(None)
    assert caught.value.permanent
    assert len(server.hits(first_path)) == 1  # refused at once, not retried


@pytest.mark.parametrize("sdk", SDKS)
def test_a_redirect_to_loopback_is_refused_before_it_connects(sdk, server, settings, workspace):
    """The first hop is let through to the local server; while it answers, loopback is
    forbidden, so the next connection (to another local port) must be vetted again."""
    make, first_path = SDKS[sdk]

    def forbid_loopback() -> None:
        settings.HTTP_ALLOW_LOOPBACK = False

    with Listener() as internal:
        target = f"http://127.0.0.1:{internal.port}/admin"
        server.route(first_path, Reply(307, headers={"Location": target}, before=forbid_loopback))
        with pytest.raises(ConnectorError, match="private or reserved") as caught:
            make(server.base, workspace, settings).fetch(None)
        time.sleep(0.1)
    assert caught.value.permanent
    assert internal.connections == 0 and internal.received == b""


@pytest.mark.parametrize("sdk", SDKS)
def test_a_redirect_to_a_name_that_resolves_internally_is_refused(
    sdk, server, settings, monkeypatch, workspace
):
    make, first_path = SDKS[sdk]
    fake_dns(monkeypatch, {"metadata.example": "169.254.169.254"})
    server.route(first_path, Reply(302, headers={"Location": "http://metadata.example/"}))
    with pytest.raises(ConnectorError, match=r"metadata.example \(169.254.169.254\)") as caught:
        make(server.base, workspace, settings).fetch(None)
    assert caught.value.permanent


@pytest.mark.parametrize("sdk", SDKS)
def test_a_server_name_that_resolves_internally_gets_nothing(sdk, settings, monkeypatch, workspace):
    """No byte leaves, not even a connection: the secret in the first request (an app
    password, a refresh token, a bearer token) never reaches the internal host."""
    settings.HTTP_ALLOW_LOOPBACK = False
    make, _ = SDKS[sdk]
    with Listener() as internal:
        fake_dns(monkeypatch, {"social.example": "127.0.0.1"})
        with pytest.raises(ConnectorError, match=r"social.example \(127.0.0.1\)") as caught:
            make(f"http://social.example:{internal.port}", workspace, settings).fetch(None)
        time.sleep(0.1)
    assert caught.value.permanent
    assert internal.connections == 0 and internal.received == b""


@pytest.mark.parametrize("sdk", SDKS)
def test_dns_that_rebinds_between_two_connections_is_caught(sdk, settings, monkeypatch, workspace):
    """Every new connection resolves and vets again: the name answered with the local
    server first (allowed here), then with an internal address."""
    make, first_path = SDKS[sdk]
    with LocalServer() as local:
        port = local.httpd.server_address[1]
        # Connection: close makes the redirect's hop open a second connection.
        local.route(first_path, Reply(307, headers={"Location": "/2", "Connection": "close"}))
        asked = fake_dns(monkeypatch, {"api.example": ["127.0.0.1", "10.0.0.1"]})
        with pytest.raises(ConnectorError, match=r"api.example \(10.0.0.1\)"):
            make(f"http://api.example:{port}", workspace, settings).fetch(None)
    assert asked == ["api.example", "api.example"]
    assert len(local.hits(first_path)) == 1


@pytest.mark.parametrize("sdk", SDKS)
def test_a_temporary_dns_failure_is_tried_again(sdk, server, settings, monkeypatch, workspace):
    """The resolver failing for now (EAI_AGAIN) is no refusal: the SDK's call is retried
    and reaches the server (which then refuses the credentials)."""
    make, first_path = SDKS[sdk]
    port = server.httpd.server_address[1]
    again = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    asked = fake_dns(monkeypatch, {"social.example": [again, "127.0.0.1"]})
    refusal = '{"error": "AuthenticationRequired", "message": "Invalid identifier or password"}'
    server.route(first_path, Reply(401, refusal, {"Content-Type": "application/json"}))
    with pytest.raises(ConnectorError):
        make(f"http://social.example:{port}", workspace, settings).fetch(None)
    assert asked[:2] == ["social.example", "social.example"]
    assert len(server.hits(first_path)) >= 1
