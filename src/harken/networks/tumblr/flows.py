"""How a Tumblr blog connects: Tumblr's consent page (OAuth 2.0, ``oauth.py``), then the
blog chosen among the person's (the primary one unless the form names another)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import ConnectFlow, ConnectorError
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.oauth2 import check_consent
from harken.networks.registry import connector_for
from harken.networks.tumblr import oauth


class BlogForm(forms.Form):
    blog = forms.CharField(
        label="Blog (its name, when you have several; else your main blog)",
        max_length=100,
        required=False,
    )


class OAuth(ConnectFlow):
    form_class = BlogForm
    prefix = "tumblr"

    def available(self) -> bool:
        return oauth.configured()

    def start(
        self, data: Mapping[str, Any], *, state: str, redirect_uri: str, host: str
    ) -> tuple[str, dict[str, Any]]:
        return oauth.authorize_url(redirect_uri, state), {"blog": data.get("blog", "")}

    def finish(
        self, workspace: Any, actor: Any, started: Mapping[str, Any], params: Mapping[str, str]
    ) -> Account:
        code = check_consent("Tumblr", params)
        tokens = oauth.exchange_code(code, started["redirect_uri"])
        connector = connector_for(network="tumblr", config=tokens, workspace=workspace)
        user = connector.user_info()  # type: ignore[attr-defined]
        blog = choose(
            [b for b in user.get("blogs") or [] if isinstance(b, dict)], started.get("blog", "")
        )
        config: dict[str, Any] = dict(connector.config)
        config.update(
            blog=str(blog["name"]),
            blog_uuid=str(blog.get("uuid") or blog["name"]),
            user=str(user.get("name") or ""),
        )
        return save_connected(
            workspace, actor, "tumblr", config["blog_uuid"], config["blog"], config
        )

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        return {f"{self.prefix}-blog": handle}


def choose(blogs: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The blog named ``wanted`` (any case), else the primary one."""
    wanted = wanted.strip().casefold()
    for blog in blogs:
        if wanted and str(blog.get("name") or "").casefold() == wanted:
            return blog
        if not wanted and blog.get("primary"):
            return blog
    if wanted:
        names = ", ".join(str(b.get("name")) for b in blogs) or "none"
        raise ConnectorError(
            f"You have no Tumblr blog called “{wanted}”; yours are: {names}.", permanent=True
        )
    if blogs:
        return blogs[0]
    raise ConnectorError("This Tumblr account has no blog.", permanent=True)
