"""How a Pinterest account connects: Pinterest's consent page (``api``), then the account
the token signs in as (``/v5/user_account``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent
from harken.networks.pinterest import api
from harken.networks.registry import connector_for


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
        code = check_consent("Pinterest", params)
        tokens = api.exchange_code(code, started["redirect_uri"])
        connector = connector_for(network="pinterest", config=tokens, workspace=workspace)
        me = connector.me()  # type: ignore[attr-defined]
        username = str(me.get("username") or "")
        user_id = str(me.get("id") or username)
        config = {**connector.config, "user_id": user_id, "username": username}
        handle = f"@{username}" if username else user_id
        return save_connected(workspace, actor, "pinterest", user_id, handle, config)
