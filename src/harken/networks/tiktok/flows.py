"""How a TikTok account connects: TikTok's consent page (Login Kit, ``api``), then the
account the token signs in as (``/v2/user/info/``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import Connector
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.tiktok import api


class OAuth(ConsentFlow):
    network = "tiktok"
    label = "TikTok"
    app = api.APP

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return api.exchange_code(code, started["redirect_uri"])

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        me = connector.me()  # type: ignore[attr-defined]
        username = str(me.get("username") or "")
        open_id = str(me.get("open_id") or tokens["open_id"])
        handle = f"@{username}" if username else str(me.get("display_name") or open_id)
        return open_id, handle, {"open_id": open_id, "username": username}
