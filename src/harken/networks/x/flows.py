"""How an X account connects: X's consent page (OAuth 2.0 with PKCE, see
``harken.networks.x.oauth``), or a user access token pasted as a fallback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.forms import TokenForm, check_token
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent, pkce_pair
from harken.networks.registry import connector_for
from harken.networks.x import oauth


class OAuth(ConnectFlow):
    """Authorization Code Flow with PKCE: the verifier stays in the session."""

    def available(self) -> bool:
        return oauth.oauth_configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        verifier, challenge = pkce_pair()
        return oauth.authorize_url(redirect_uri, state, challenge), {"verifier": verifier}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("X", params)
        return oauth.do_connect_x_oauth(
            workspace, actor, code, started["verifier"], started["redirect_uri"]
        )


class Token(ConnectFlow):
    """An OAuth 2.0 user-context access token, pasted. It has no refresh token, so it is
    not renewed: it works until X expires it."""

    kind = "form"
    form_class = TokenForm
    prefix = "x"

    def connect(self, workspace: Any, actor: Any, data: Mapping[str, Any]) -> Account:
        return do_connect_x(workspace, actor, data["token"])


def do_connect_x(workspace: Any, actor: Any, token: str) -> Account:
    """Ask X whose token this is (``GET /2/users/me``, a billed read), then save it."""
    config: dict[str, Any] = {"bearer_token": check_token(token, "X")}
    connector = connector_for(network="x", config=config, workspace=workspace)
    me = connector.me()  # type: ignore[attr-defined]
    config.update(user_id=str(me["id"]), handle=me["username"])
    return save_connected(workspace, actor, "x", str(me["id"]), f"@{me['username']}", config)
