"""Connecting X and Reddit accounts with a token the person pastes: the fallback behind
"Use a token instead" (the usual way is each network's consent page, see
``harken.networks.x.oauth`` and ``harken.networks.reddit.oauth``). A pasted X token has no
refresh token, so it is not renewed: it works until X expires it.

X takes an OAuth 2.0 user-context access token; Reddit a refresh token issued to this
installation's app (its client id and secret are the installation's keys). Each is
checked by asking the network who it belongs to before anything is saved.
"""

from __future__ import annotations

from typing import Any

from harken.networks.base import ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.registry import connector_for


def check_token(raw: str, network: str) -> str:
    token = "".join((raw or "").split())
    if not token:
        raise ConnectorError(f"Paste the {network} token.", permanent=True)
    return token


def do_connect_x(workspace: Any, actor: Any, token: str) -> Account:
    """Ask X whose token this is (``GET /2/users/me``, a billed read), then save it."""
    config: dict[str, Any] = {"bearer_token": check_token(token, "X")}
    connector = connector_for(network="x", config=config, workspace=workspace)
    me = connector.me()  # type: ignore[attr-defined]
    config.update(user_id=str(me["id"]), handle=me["username"])
    return save_connected(workspace, actor, "x", str(me["id"]), f"@{me['username']}", config)


def do_connect_reddit(workspace: Any, actor: Any, refresh_token: str) -> Account:
    """Ask Reddit who the refresh token signs in as (``user.me()``), then save it."""
    config: dict[str, Any] = {"refresh_token": check_token(refresh_token, "Reddit")}
    connector = connector_for(network="reddit", config=config, workspace=workspace)
    username = connector.me()  # type: ignore[attr-defined]
    config["username"] = username
    return save_connected(workspace, actor, "reddit", username, f"u/{username}", config)
