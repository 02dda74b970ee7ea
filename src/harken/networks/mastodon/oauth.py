"""Connecting a Mastodon account: app registration per server, then OAuth's
authorization-code flow.

Harken registers itself once on each server (``MastodonApp``), sends the person to the
server's consent page, and on the way back exchanges the code for a token that is stored
encrypted in the account's config. The shared connect views keep and check ``state`` and
the workspace (``harken.networks.views``); ``flows.OAuth`` ties this module to them.
"""

from __future__ import annotations

from typing import Any

from harken.lib.http import loopback_allowed
from harken.lib.urlguard import UnsafeURL, check_url
from harken.networks.base import ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.mastodon.connector import (
    REQUEST_TIMEOUT,
    SCOPES,
    USER_AGENT,
    GuardedSession,
    Mastodon,
    MastodonAPI,
    api_client,
    normalize_instance,
)
from harken.networks.models import Account, MastodonApp

APP_NAME = "Harken"
APP_WEBSITE = "https://github.com/harken-social/harken"


def check_instance(raw: str) -> str:
    """The server's base URL, or ``ConnectorError`` when it is not a public http(s) host."""
    instance = normalize_instance(raw)
    if not instance:
        raise ConnectorError("Enter your Mastodon server, e.g. mastodon.social.", permanent=True)
    try:
        check_url(instance, allow_loopback=loopback_allowed())
    except UnsafeURL as exc:
        raise ConnectorError(str(exc), permanent=True) from None
    return instance


def app_for(instance: str, redirect_uri: str) -> MastodonApp:
    """Harken's app on ``instance``, registered on first use (or again when Harken's own
    address changed, since the server only redirects to the registered callback)."""
    app = MastodonApp.objects.filter(instance=instance).first()
    if app is not None and app.redirect_uri == redirect_uri:
        return app
    client_id, client_secret = _register(instance, redirect_uri)
    app, _ = MastodonApp.objects.update_or_create(
        instance=instance,
        defaults={
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
        },
    )
    return app


def _register(instance: str, redirect_uri: str) -> tuple[str, str]:
    probe = Mastodon({"instance": instance})
    return probe.call(
        lambda: MastodonAPI.create_app(
            APP_NAME,
            scopes=SCOPES,
            redirect_uris=redirect_uri,
            website=APP_WEBSITE,
            api_base_url=instance,
            session=GuardedSession(),
            request_timeout=REQUEST_TIMEOUT,
            user_agent=USER_AGENT,
        )
    )


def authorize_url(app: MastodonApp, state: str) -> str:
    api = api_client(app.instance, client_id=app.client_id, client_secret=app.client_secret)
    return api.auth_request_url(
        redirect_uris=app.redirect_uri,
        scopes=SCOPES,
        state=state,
        skip_server_info=True,
        allow_http=loopback_allowed(),
    )


def do_connect_mastodon(workspace: Any, actor: Any, app: MastodonApp, code: str) -> Account:
    """Exchange ``code`` for a token and create (or reconnect) the workspace's account.

    The server is asked first, the database written after, so no transaction (and no
    SQLite write lock) is held across a network call."""
    api = api_client(app.instance, client_id=app.client_id, client_secret=app.client_secret)
    probe = Mastodon({"instance": app.instance})
    token = probe.call(
        lambda: api.log_in(
            code=code, redirect_uri=app.redirect_uri, scopes=SCOPES, allow_http=loopback_allowed()
        )
    )
    connector = Mastodon({"instance": app.instance, "access_token": token})
    me = connector.call(connector.api.account_verify_credentials)
    config = {
        "instance": app.instance,
        "access_token": token,
        "account_id": str(me["id"]),
        **_known(connector),
    }
    return _save_account(workspace, actor, app.instance, me, config)


def _save_account(
    workspace: Any, actor: Any, instance: str, me: Any, config: dict[str, Any]
) -> Account:
    host = instance.split("://", 1)[-1]
    return save_connected(
        workspace, actor, "mastodon", f"{me['id']}@{host}", f"@{me['acct']}@{host}", config
    )


def _known(connector: Mastodon) -> dict[str, Any]:
    # The server's version and limits were read while verifying: keep them.
    return {key: connector.config[key] for key in ("version", "limits") if key in connector.config}
