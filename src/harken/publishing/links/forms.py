"""The campaign form and the form that adds a tracked link to a campaign."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import slugify

from harken.networks.registry import CONNECTORS, network_label
from harken.publishing.links.money import CURRENCIES, from_cents, to_cents
from harken.publishing.models import Campaign


def money_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        label=label,
        help_text=help_text,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
    )


class CampaignForm(forms.Form):
    """A campaign's name, goal and dates, and its pledge: an amount per unique click up to
    a cap. Amounts are typed in the currency ("1.00") and stored in cents."""

    name = forms.CharField(max_length=120)
    goal = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the campaign is for, as the public progress page says it.",
    )
    starts = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    pledge = money_field(
        "Pledge per unique click", "Leave empty or 0 for a campaign without a pledge."
    )
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], initial="USD")
    cap = money_field("Up to", "Pledging stops at this total.")

    def __init__(self, *args: Any, campaign: Campaign | None = None, **kwargs: Any) -> None:
        self.campaign = campaign
        if campaign is not None and not kwargs.get("data"):
            kwargs.setdefault("initial", initial_for(campaign))
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The campaign cannot end before it starts.")
        pledge = to_cents(data.get("pledge") or Decimal(0))
        cap = to_cents(data.get("cap") or Decimal(0))
        if pledge and cap < pledge:
            self.add_error("cap", "A pledge needs a cap of at least one pledge.")
        pledged = self.campaign.pledged_cents if self.campaign else 0
        if pledged and cap < pledged:
            self.add_error(
                "cap", f"{from_cents(pledged)} is pledged already: the cap cannot be lower."
            )
        if pledged and self.campaign and data.get("currency") != self.campaign.currency:
            self.add_error("currency", "Pledges were made in this currency: it cannot change.")
        data["pledge_cents"], data["cap_cents"] = pledge, cap
        return data


def initial_for(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "goal": campaign.goal,
        "starts": campaign.starts,
        "ends": campaign.ends,
        "pledge": from_cents(campaign.pledge_cents) if campaign.pledge_cents else None,
        "currency": campaign.currency,
        "cap": from_cents(campaign.cap_cents) if campaign.cap_cents else None,
    }


def campaign_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:50] or "campaign"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class LinkForm(forms.Form):
    """A tracked link to ``destination`` for one network (its utm_source)."""

    destination = forms.URLField(max_length=2000, assume_scheme="https")
    network = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        network = self.fields["network"]
        assert isinstance(network, forms.ChoiceField)
        network.choices = [("", "Any")] + [
            (key, network_label(key)) for key in CONNECTORS if key != "feed"
        ]
