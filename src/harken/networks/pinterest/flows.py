"""How a Pinterest account connects: Pinterest's consent page (``api``), then the account
the token signs in as (``/v5/user_account``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import Connector
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.pinterest import api


class OAuth(ConsentFlow):
    network = "pinterest"
    label = "Pinterest"
    app = api.APP

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return api.exchange_code(code, started["redirect_uri"])

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        me = connector.me()  # type: ignore[attr-defined]
        username = str(me.get("username") or "")
        user_id = str(me.get("id") or username)
        handle = f"@{username}" if username else user_id
        return user_id, handle, {"user_id": user_id, "username": username}
