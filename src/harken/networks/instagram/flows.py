"""How an Instagram professional account connects: Facebook Login
(``harken.networks.meta.login``), then the Instagram account linked to one of the Pages
the person manages (the Page's ``instagram_business_account``). With several, the
username typed on Harken's form picks one, and a Reconnect names the one it had."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import ConnectFlow
from harken.networks.connecting import save_connected
from harken.networks.meta import login
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent

#: What Harken asks Facebook for, and why (docs/connecting-meta.md).
SCOPES = (
    "instagram_basic",  # the account, its media and followers
    "instagram_manage_comments",  # read comments and tags, answer comments
    "instagram_content_publish",  # publish images and carousels
    "instagram_manage_insights",  # reach, views, saves
    "pages_show_list",  # find the Page the account is linked to
    "pages_read_engagement",  # the Page's token the Instagram calls are made with
    "instagram_manage_messages",  # read and answer direct messages
    "pages_manage_metadata",  # the Conversations API for the linked Page
)


class AccountForm(forms.Form):
    username = forms.CharField(
        label="Instagram username (when several are linked to your Pages)",
        max_length=100,
        required=False,
    )


class OAuth(ConnectFlow):
    form_class = AccountForm
    prefix = "instagram"

    def available(self) -> bool:
        return login.configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        url = login.authorize_url(redirect_uri, state, SCOPES)
        return url, {"username": data.get("username", "")}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("Instagram", params)
        token, _ = login.user_token(code, started["redirect_uri"], "Instagram")
        linked = [
            page
            for page in login.managed_pages(token, "Instagram")
            if (page.get("instagram_business_account") or {}).get("id")
        ]
        page = login.choose(
            linked, started.get("username", ""), "Instagram account", _names, "Instagram"
        )
        ig = page["instagram_business_account"]
        username = str(ig.get("username") or "")
        config = {
            "ig_user_id": str(ig["id"]),
            "username": username,
            "page_id": str(page["id"]),
            "page_token": str(page["access_token"]),
            "messaging": True,  # asked for instagram_manage_messages (see Facebook's)
        }
        handle = f"@{username}" if username else str(ig["id"])
        return save_connected(workspace, actor, "instagram", str(ig["id"]), handle, config)

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        return {f"{self.prefix}-username": handle.lstrip("@")}


def _names(page: Mapping[str, Any]) -> tuple[str, ...]:
    return (str((page.get("instagram_business_account") or {}).get("username") or ""),)
