"""How a Mastodon account connects: the person names their server, Harken registers
itself there once (``MastodonApp``) and sends them to the server's consent page
(``harken.networks.mastodon.oauth``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import ConnectFlow, ConnectorError
from harken.networks.mastodon import oauth
from harken.networks.models import Account, MastodonApp
from harken.networks.oauth2 import check_consent


class MastodonForm(forms.Form):
    instance = forms.CharField(label="Your Mastodon server", max_length=255)


class OAuth(ConnectFlow):
    """OAuth 2.0 authorization code on the person's own server."""

    form_class = MastodonForm

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        instance = oauth.check_instance(data["instance"])
        app = oauth.app_for(instance, redirect_uri)
        return oauth.authorize_url(app, state), {"instance": instance}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("Mastodon", params)
        app = MastodonApp.objects.filter(instance=started.get("instance", "")).first()
        if app is None:
            raise ConnectorError("Connect the account again.", permanent=True)
        return oauth.do_connect_mastodon(workspace, actor, app, code)

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        # The server to reconnect to, from the handle: a disconnected account has no config.
        return {"instance": handle.rsplit("@", 1)[-1]}
