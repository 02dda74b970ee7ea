"""How a TikTok account connects: TikTok's consent page (Login Kit, ``api``), then the
account the token signs in as (``/v2/user/info/``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent
from harken.networks.registry import connector_for
from harken.networks.tiktok import api


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
        code = check_consent("TikTok", params)
        tokens = api.exchange_code(code, started["redirect_uri"])
        connector = connector_for(network="tiktok", config=tokens, workspace=workspace)
        me = connector.me()  # type: ignore[attr-defined]
        username = str(me.get("username") or "")
        open_id = str(me.get("open_id") or tokens["open_id"])
        config = {**connector.config, "open_id": open_id, "username": username}
        handle = f"@{username}" if username else str(me.get("display_name") or open_id)
        return save_connected(workspace, actor, "tiktok", open_id, handle, config)
