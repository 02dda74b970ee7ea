"""Connecting a Bluesky account with a handle and an app password.

Bluesky is asked first (``createSession``) and the database written after, so a wrong
password saves nothing and no transaction is held across a network call. The app password
stays in the account's encrypted config: the connector logs in with it again when its
saved session expires.
"""

from __future__ import annotations

from typing import Any

from harken.lib.http import loopback_allowed
from harken.lib.urlguard import UnsafeURL, check_url
from harken.networks.base import ConnectorError
from harken.networks.bluesky.connector import DEFAULT_SERVICE, Bluesky
from harken.networks.connecting import save_connected
from harken.networks.models import Account


def check_service(raw: str) -> str:
    """The PDS base URL (Bluesky's own when empty), or ``ConnectorError`` when it is not a
    public http(s) address: the login request goes wherever the person points it."""
    service = (raw or "").strip().rstrip("/") or DEFAULT_SERVICE
    if "://" not in service:
        service = "https://" + service
    try:
        return check_url(service, allow_loopback=loopback_allowed())
    except UnsafeURL as exc:
        raise ConnectorError(str(exc), permanent=True) from None


def check_handle(raw: str) -> str:
    """A handle as people paste it (``@shop.bsky.social``) as the login wants it."""
    handle = raw.strip().removeprefix("@").strip()
    if not handle or any(ch.isspace() for ch in handle):
        raise ConnectorError("Enter the account's handle, e.g. shop.bsky.social.", permanent=True)
    return handle


def do_connect_bluesky(
    workspace: Any, actor: Any, handle: str, app_password: str, service: str = ""
) -> Account:
    """Log in to Bluesky, then create (or reconnect) the workspace's account and the
    source that reads its mentions. Raises ``ConnectorError`` in Bluesky's words."""
    config = {
        "handle": check_handle(handle),
        "app_password": app_password.strip(),
        "service": check_service(service),
    }
    connector = Bluesky(config)
    did, confirmed_handle = connector.log_in()
    return save_connected(workspace, actor, "bluesky", did, confirmed_handle, connector.config)
