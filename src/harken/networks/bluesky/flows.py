"""How a Bluesky account connects: "Sign in with Bluesky" (atproto OAuth, see
``harken.networks.bluesky.oauth``), or a handle and an app password
(``harken.networks.bluesky.connect``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from harken.networks.base import ConnectFlow
from harken.networks.bluesky import oauth
from harken.networks.bluesky.connect import do_connect_bluesky
from harken.networks.bluesky.forms import BlueskyForm, BlueskySignInForm
from harken.networks.models import Account


class OAuth(ConnectFlow):
    """atproto OAuth: PAR, PKCE and DPoP; the pending sign-in holds the DPoP private key
    and the PKCE verifier, so it is kept sealed."""

    form_class = BlueskySignInForm

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        # Bluesky sends the browser to the client's own callback, built from
        # HARKEN_BASE_URL, not to ``redirect_uri`` as this request saw it.
        client = oauth.oauth_client()
        oauth.check_browser_host(client, host)
        url, pending = oauth.start_sign_in(data["handle"], client, state)
        return url, {"pending": oauth.seal(pending)}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        pending = oauth.unseal(started.get("pending"))
        return oauth.do_finish_sign_in(workspace, actor, pending, params)


class AppPassword(ConnectFlow):
    """A handle and an app password; the connector logs in with it again when its
    session expires."""

    kind = "form"
    form_class = BlueskyForm
    error_field = "app_password"

    def connect(self, workspace: Any, actor: Any, data: Mapping[str, Any]) -> Account:
        return do_connect_bluesky(
            workspace, actor, data["handle"], data["app_password"], data["service"]
        )
