"""How a Facebook Page connects: Facebook Login (``harken.networks.meta.login``), then
the Page chosen among those the person manages. Facebook's dialog lets the person tick
Pages; when they manage several, the Page's name (or id) typed on Harken's form picks
one, and a Reconnect names the Page it had."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import ConnectFlow, ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.meta import login, webhooks
from harken.networks.meta.graph import Graph
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent

log = logging.getLogger(__name__)

#: What Harken asks Facebook for, and why (docs/connecting-meta.md).
SCOPES = (
    "pages_show_list",  # list the Pages the person manages
    "pages_read_engagement",  # read the Page's posts, fans and followers
    "pages_read_user_content",  # read visitors' posts and comments, with who wrote them
    "pages_manage_engagement",  # answer comments as the Page
    "pages_manage_posts",  # publish as the Page
    "pages_manage_metadata",  # subscribe the Page to Harken's webhook
    "read_insights",  # the Page's and its posts' insights
    "pages_messaging",  # read and answer the Page's Messenger conversations
)


class PageForm(forms.Form):
    page = forms.CharField(
        label="Page (its name or id, when you manage several)", max_length=200, required=False
    )


class OAuth(ConnectFlow):
    form_class = PageForm
    prefix = "facebook"

    def available(self) -> bool:
        return login.configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        return login.authorize_url(redirect_uri, state, SCOPES), {"page": data.get("page", "")}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("Facebook", params)
        token, _ = login.user_token(code, started["redirect_uri"], "Facebook")
        pages = login.managed_pages(token, "Facebook")
        page = login.choose(pages, started.get("page", ""), "Page", _names, "Facebook")
        config: dict[str, Any] = {
            "page_id": str(page["id"]),
            "page_token": str(page["access_token"]),
            "name": str(page.get("name") or ""),
            "username": str(page.get("username") or ""),
            # Asked for pages_messaging: Messenger conversations are read (an account
            # connected before was not asked, and is not read until reconnected).
            "messaging": True,
        }
        account = save_connected(
            workspace, actor, "facebook", config["page_id"], config["name"] or page["id"], config
        )
        subscribe(config)
        return account

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        return {f"{self.prefix}-page": handle}


def subscribe(config: Mapping[str, Any]) -> None:
    """Ask Meta to notify Harken's webhook of the Page's feed (new posts and comments)
    and its Messenger messages, when this installation has webhooks. A refusal is
    logged, not raised: the Page is connected, and polling reads it all the same."""
    if not webhooks.configured():
        return
    client = Graph(config["page_token"], owner=config["page_id"], label="Facebook")
    try:
        client.post(f"{config['page_id']}/subscribed_apps", subscribed_fields="feed,messages")
    except ConnectorError as error:
        log.warning("Facebook refused the webhook for Page %s: %s", config["page_id"], error)


def _names(page: Mapping[str, Any]) -> tuple[str, ...]:
    return (str(page.get("name") or ""), str(page.get("username") or ""))
