"""How a Threads profile connects: Threads' consent page (``harken.networks.threads.api``),
then the long-lived token's profile (``/me``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import Connector
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.threads import api


class OAuth(ConsentFlow):
    network = "threads"
    label = "Threads"
    app = api.APP

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return api.connect_tokens(code, started["redirect_uri"])

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        me = connector.me()  # type: ignore[attr-defined]
        user_id, username = str(me["id"]), str(me.get("username") or "")
        handle = f"@{username}" if username else user_id
        return user_id, handle, {"user_id": user_id, "username": username}
