"""How a Tumblr blog connects: Tumblr's consent page (OAuth 2.0, ``oauth.py``), then the
blog chosen among the person's (the primary one unless the form names another)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import Connector, ConnectorError
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.tumblr import oauth


class BlogForm(forms.Form):
    blog = forms.CharField(
        label="Blog (its name, when you have several; else your main blog)",
        max_length=100,
        required=False,
    )


class OAuth(ConsentFlow):
    network = "tumblr"
    label = "Tumblr"
    app = oauth.APP
    keep = ("blog",)
    form_class = BlogForm
    prefix = "tumblr"

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return oauth.exchange_code(code, started["redirect_uri"])

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        user = connector.user_info()  # type: ignore[attr-defined]
        blogs = [b for b in user.get("blogs") or [] if isinstance(b, dict)]
        blog = choose(blogs, started.get("blog", ""))
        config = {
            "blog": str(blog["name"]),
            "blog_uuid": str(blog.get("uuid") or blog["name"]),
            "user": str(user.get("name") or ""),
        }
        return config["blog_uuid"], config["blog"], config

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
