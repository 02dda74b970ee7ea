"""How a YouTube channel connects: Google's consent page (OAuth 2.0 with PKCE, offline
access for a refresh token, ``harken.networks.youtube.google``), then the channel the
Google account signs in as."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent, pkce_pair
from harken.networks.registry import connector_for
from harken.networks.youtube import google

#: Read, answer and moderate comments, upload videos, read statistics: youtube.force-ssl
#: is the one scope that covers all of it (docs/connecting-youtube.md).
SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)


class OAuth(ConnectFlow):
    def available(self) -> bool:
        return google.configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        verifier, challenge = pkce_pair()
        url = google.authorize_url(redirect_uri, state, challenge, SCOPES)
        return url, {"verifier": verifier}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("YouTube", params)
        return do_connect_youtube(
            workspace, actor, code, started["verifier"], started["redirect_uri"]
        )


def do_connect_youtube(
    workspace: Any, actor: Any, code: str, verifier: str, redirect_uri: str
) -> Account:
    """Exchange the code, ask YouTube which channel the token is (``channels.list?mine``),
    then save it; a refusal saves nothing."""
    tokens = google.exchange_code(code, verifier, redirect_uri, "YouTube")
    connector = connector_for(network="youtube", config=tokens, workspace=workspace)
    channel = connector.me()  # type: ignore[attr-defined]
    snippet = channel.get("snippet") or {}
    config: dict[str, Any] = dict(connector.config)
    config.update(
        channel_id=str(channel["id"]),
        title=str(snippet.get("title") or ""),
        handle=str(snippet.get("customUrl") or ""),
    )
    handle = config["handle"] or config["title"] or config["channel_id"]
    return save_connected(workspace, actor, "youtube", config["channel_id"], handle, config)
