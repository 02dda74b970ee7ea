"""How a Google Business Profile location connects: Google's consent page (OAuth 2.0 with
PKCE and offline access, ``api``) signed by a person who manages the profile, then the
location chosen among those they manage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from harken.networks.base import Connector, ConnectorError
from harken.networks.consent import ConsentFlow, Identity
from harken.networks.google_business import api


class LocationForm(forms.Form):
    location = forms.CharField(
        label="Location (its name, when you manage several)", max_length=200, required=False
    )


class OAuth(ConsentFlow):
    network = "google_business"
    label = "Google"
    app = api.APP
    pkce = True
    keep = ("location",)
    form_class = LocationForm
    prefix = "google_business"

    def consent_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        return api.authorize_url(redirect_uri, state, challenge)

    def tokens(self, code: str, started: Mapping[str, Any]) -> dict[str, Any]:
        return api.exchange_code(code, started["verifier"], started["redirect_uri"])

    def identify(
        self, connector: Connector, tokens: Mapping[str, Any], started: Mapping[str, Any]
    ) -> Identity:
        place = choose(connector.locations(), started.get("location", ""))  # type: ignore[attr-defined]
        metadata = place.get("metadata") or {}
        config = {
            "account": place["account"],
            "location": str(place["name"]),
            "title": str(place.get("title") or ""),
            "maps_uri": str(metadata.get("mapsUri") or ""),
        }
        return config["location"], config["title"] or config["location"], config

    def reconnect_data(self, handle: str) -> dict[str, str] | None:
        return {f"{self.prefix}-location": handle}


def choose(places: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The location called ``wanted`` (its title or id, any case), or the only one."""
    places = [p for p in places if str(p.get("name") or "").startswith("locations/")]
    if not places:
        raise ConnectorError(
            "This Google account manages no Business Profile location (or Google did not "
            "allow Harken to list them); a manager of the profile must connect it.",
            permanent=True,
        )
    wanted = wanted.strip().casefold()
    if wanted:
        for place in places:
            names = {str(place.get("title") or "").casefold(), str(place["name"]).casefold()}
            if wanted in names or f"locations/{wanted}" in names:
                return place
    if wanted or len(places) > 1:
        listed = ", ".join(str(p.get("title") or p["name"]) for p in places)
        said = f"none is called “{wanted}”; " if wanted else ""
        raise ConnectorError(
            f"Write which location to connect ({said}yours are: {listed}) and connect again.",
            permanent=True,
        )
    return places[0]
