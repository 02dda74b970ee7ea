"""Connecting a Reddit account through Reddit's consent page (OAuth 2.0 authorization
code, ``duration=permanent``), with PRAW's web-app flow (``reddit.auth.url`` and
``reddit.auth.authorize``).

The installation's Reddit app (``HARKEN_REDDIT_CLIENT_ID``/``_SECRET``, of type "web
app") must list Harken's callback as its redirect URI, exactly: Reddit compares them
character for character, so the Accounts page shows the address to register. A
permanent authorization yields a refresh token, kept encrypted in the account's config
like a pasted one; PRAW renews the hour-long access tokens from it.
"""

from __future__ import annotations

from typing import Any

import prawcore

from harken.networks.base import ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.reddit.connector import Reddit

#: What the connector does with the account: who it is (identity), its inbox of
#: mentions and replies (privatemessages), searches and listings (read), and answers
#: (submit). Reddit shows the person each of these on its consent page.
SCOPES = ["identity", "privatemessages", "read", "submit"]


def _flow(redirect_uri: str) -> Reddit:
    """A connector with the installation's app keys and no account yet."""
    return Reddit({"redirect_uri": redirect_uri})


def authorize_url(redirect_uri: str, state: str) -> str:
    """Reddit's consent page for Harken's app, coming back to ``redirect_uri``."""
    reddit = _flow(redirect_uri).reddit
    return reddit.auth.url(scopes=SCOPES, state=state, duration="permanent")


def do_connect_reddit_oauth(workspace: Any, actor: Any, code: str, redirect_uri: str) -> Account:
    """Exchange the callback's ``code`` for a refresh token, ask Reddit whose it is
    (``GET /api/v1/me``), then save the account; a refusal saves nothing."""
    connector = _flow(redirect_uri)
    refresh_token = _authorize(connector, code)
    username = connector.me()
    config = {"refresh_token": refresh_token, "username": username}
    return save_connected(workspace, actor, "reddit", username, f"u/{username}", config)


def _authorize(connector: Reddit, code: str) -> str:
    try:
        refresh_token = connector._call(lambda: connector.reddit.auth.authorize(code))
    except ConnectorError as exc:
        cause = exc.__cause__
        if isinstance(cause, prawcore.OAuthException):
            # Reddit answers a spent or foreign code with 200 and {"error": ...}.
            words = cause.error + (f": {cause.description}" if cause.description else "")
            raise ConnectorError(f"Reddit refused the sign-in: {words}", permanent=True) from exc
        raise
    if not refresh_token:
        raise ConnectorError(
            "Reddit granted only a temporary sign-in, so Harken could not keep the account; "
            "connect again.",
            permanent=True,
        )
    return str(refresh_token)
