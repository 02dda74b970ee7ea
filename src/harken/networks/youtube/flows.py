"""How a YouTube channel connects: Google's consent page (OAuth 2.0 with PKCE, offline
access for a refresh token, ``harken.networks.youtube.google``), then the channel the
Google account signs in as."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import Connector
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.youtube import google

#: Read, answer and moderate comments, upload videos, read statistics: youtube.force-ssl
#: is the one scope that covers all of it (docs/connecting-youtube.md).
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)


class OAuth(ConsentFlow):
    """Exchange the code, ask YouTube which channel the token is (``channels.list?mine``),
    then save it; a refusal saves nothing."""

    network = "youtube"
    label = "YouTube"
    pkce = True

    def available(self) -> bool:
        return google.configured()

    def consent_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        return google.authorize_url(redirect_uri, state, challenge, SCOPES)

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return google.exchange_code(code, started["verifier"], started["redirect_uri"], "YouTube")

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        channel = connector.me()  # type: ignore[attr-defined]
        snippet = channel.get("snippet") or {}
        config = {
            "channel_id": str(channel["id"]),
            "title": str(snippet.get("title") or ""),
            "handle": str(snippet.get("customUrl") or ""),
        }
        handle = config["handle"] or config["title"] or config["channel_id"]
        return config["channel_id"], handle, config
