"""How a Reddit account connects: Reddit's consent page (``harken.networks.reddit.oauth``),
or a refresh token issued to this installation's app, pasted as a fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.forms import TokenForm, check_token
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent
from harken.networks.reddit import oauth
from harken.networks.registry import connector_for


class OAuth(ConnectFlow):
    """Authorization code with ``duration=permanent``; Reddit compares the callback with
    the app's registered one character for character."""

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        return oauth.authorize_url(redirect_uri, state), {}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("Reddit", params)
        return oauth.do_connect_reddit_oauth(workspace, actor, code, started["redirect_uri"])


class Token(ConnectFlow):
    """A permanent refresh token issued to this installation's app (its client id and
    secret are the installation's keys)."""

    kind = "form"
    form_class = TokenForm
    prefix = "reddit"

    def connect(self, workspace: Any, actor: Any, data: Mapping[str, Any]) -> Account:
        return do_connect_reddit(workspace, actor, data["token"])


def do_connect_reddit(workspace: Any, actor: Any, refresh_token: str) -> Account:
    """Ask Reddit who the refresh token signs in as (``user.me()``), then save it."""
    config: dict[str, Any] = {"refresh_token": check_token(refresh_token, "Reddit")}
    connector = connector_for(network="reddit", config=config, workspace=workspace)
    username = connector.me()  # type: ignore[attr-defined]
    config["username"] = username
    return save_connected(workspace, actor, "reddit", username, f"u/{username}", config)
