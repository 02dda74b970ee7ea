"""How a LinkedIn page connects: LinkedIn's consent page (``oauth.py``) signed by an
administrator of the page, then the page chosen among those they administer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import Connector, ConnectorError
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.linkedin import oauth


class PageForm(forms.Form):
    page = forms.CharField(
        label="Page (its name, when you administer several)", max_length=200, required=False
    )


class OAuth(ConsentFlow):
    network = "linkedin"
    label = "LinkedIn"
    app = oauth.APP
    keep = ("page",)
    form_class = PageForm
    prefix = "linkedin"

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return oauth.exchange_code(code, started["redirect_uri"])

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        page = choose(connector.administered(), started.get("page", ""))  # type: ignore[attr-defined]
        config = {
            "organization": page["organization"],
            "name": str(page.get("localizedName") or ""),
            "vanity_name": str(page.get("vanityName") or ""),
        }
        handle = config["name"] or config["vanity_name"] or page["organization"]
        return page["organization"], handle, config

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        return {f"{self.prefix}-page": handle}


def choose(pages: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The page named ``wanted`` (name, vanity name or id, any case), or the only one."""
    if not pages:
        raise ConnectorError(
            "You administer no LinkedIn page (or LinkedIn did not allow Harken to list them); "
            "a page's administrator must connect it.",
            permanent=True,
        )
    wanted = wanted.strip().casefold()
    if wanted:
        for page in pages:
            names = {str(page.get(k) or "").casefold() for k in ("localizedName", "vanityName")}
            if wanted in names or wanted == page["organization"].rsplit(":", 1)[1]:
                return page
    if wanted or len(pages) > 1:
        listed = ", ".join(str(p.get("localizedName") or p["organization"]) for p in pages)
        raise ConnectorError(
            f"Write which page to connect ({'none is called “' + wanted + '”; ' if wanted else ''}"
            f"yours are: {listed}) and connect again.",
            permanent=True,
        )
    return pages[0]
