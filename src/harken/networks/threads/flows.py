"""How a Threads profile connects: Threads' consent page (``harken.networks.threads.api``),
then the long-lived token's profile (``/me``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent
from harken.networks.registry import connector_for
from harken.networks.threads import api


class OAuth(ConnectFlow):
    def available(self) -> bool:
        return api.configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        return api.authorize_url(redirect_uri, state), {}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("Threads", params)
        tokens = api.connect_tokens(code, started["redirect_uri"])
        connector = connector_for(network="threads", config=tokens, workspace=workspace)
        me = connector.me()  # type: ignore[attr-defined]
        config = {
            **connector.config,
            "user_id": str(me["id"]),
            "username": str(me.get("username") or ""),
        }
        handle = f"@{config['username']}" if config["username"] else config["user_id"]
        return save_connected(workspace, actor, "threads", config["user_id"], handle, config)
