"""Campaigns, their tracked links and the links' clicks: list and read (every member, as
the campaign pages), create (managers and owners, as the campaign form). A new campaign
goes through the page's own form and ``do_create_campaign``, so the API accepts exactly
what the form does (dates in order, a cap of at least one pledge)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.core.access import access_object, scoped
from harken.core.models import Role
from harken.publishing.links.actions import do_create_campaign
from harken.publishing.links.forms import CampaignForm
from harken.publishing.links.stats import links_with_counts
from harken.publishing.models import Campaign, Click, Link

RESOURCE = "campaigns"
MAX_LIMIT = 100
#: The form's field for each of the API's (the API counts money in cents, as stored).
FORM_FIELDS = {"pledge": "pledge_cents", "cap": "cap_cents"}


@dataclass(frozen=True)
class Page:
    items: list[Any]
    #: The ``before`` of the next page; None on the last.
    next_before: int | None


def _page(rows: QuerySet[Any], before: int | None, limit: int) -> Page:
    """Newest first by id; ``before`` is the last id of the previous page."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = rows.order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, items[-1].pk if more and items else None)


def _campaigns(caller: Caller) -> QuerySet[Campaign]:
    human_unique = Q(links__clicks__is_bot=False, links__clicks__unique_of_day=True)
    return scoped(caller.request, Campaign).annotate(
        unique_clicks=Count("links__clicks", filter=human_unique),
        link_count=Count("links", distinct=True),
    )


def list_campaigns(caller: Caller, before: int | None = None, limit: int = 25) -> Page:
    caller.needs(RESOURCE)
    return _page(_campaigns(caller), before, limit)


def get_campaign(caller: Caller, pk: int) -> Campaign:
    caller.needs(RESOURCE)
    access_object(caller.request, Campaign, pk)
    return _campaigns(caller).get(pk=pk)


def create_campaign(caller: Caller, values: dict[str, Any]) -> Campaign:
    """A campaign, by the campaign form's rules (managers and owners, as the page)."""
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    data = {
        "name": values["name"],
        "goal": values.get("goal") or "",
        "starts": values.get("starts") or "",
        "ends": values.get("ends") or "",
        "pledge": str(Decimal(values.get("pledge_cents") or 0) / 100),
        "cap": str(Decimal(values.get("cap_cents") or 0) / 100),
        "currency": values.get("currency") or "USD",
    }
    form = CampaignForm(data)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        field = None if name == "__all__" else FORM_FIELDS.get(name, name)
        raise ApiError(400, "invalid", " ".join(str(e) for e in errors), field)
    campaign = do_create_campaign(caller.workspace, caller.member.user, **form.cleaned_data)
    return get_campaign(caller, campaign.pk)


def list_links(
    caller: Caller,
    campaign: int | None = None,
    network: str = "",
    before: int | None = None,
    limit: int = 25,
) -> Page:
    """Tracked links with their click counts, by campaign and network."""
    caller.needs(RESOURCE)
    rows = scoped(caller.request, Link)
    if campaign is not None:
        rows = rows.filter(campaign_id=campaign)
    if network:
        rows = rows.filter(network=network)
    return _page(links_with_counts(rows), before, limit)


def list_clicks(
    caller: Caller,
    filters: dict[str, Any],
    before: int | None = None,
    limit: int = 50,
) -> Page:
    """Clicks newest first (by id: they are stored as they come), narrowed by campaign,
    link, network, UTC days and bots. The clicker's address hash is never given out."""
    caller.needs(RESOURCE)
    rows = scoped(caller.request, Click)
    since, until = _day(filters, "since"), _day(filters, "until")
    if since and until and until < since:
        raise ApiError(400, "invalid", "`until` is before `since`.", "until")
    if since:
        rows = rows.filter(day__gte=since)
    if until:
        rows = rows.filter(day__lte=until)
    if filters.get("campaign") is not None:
        rows = rows.filter(link__campaign_id=filters["campaign"])
    if filters.get("link") is not None:
        rows = rows.filter(link_id=filters["link"])
    if filters.get("network"):
        rows = rows.filter(network=filters["network"])
    if filters.get("bots") is not None:
        rows = rows.filter(is_bot=filters["bots"])
    return _page(rows.select_related("link"), before, limit)


def _day(filters: dict[str, Any], name: str) -> date | None:
    """The filter's day (YYYY-MM-DD, as the schema checked); a day no calendar has is a
    400 naming the filter."""
    value = filters.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(400, "invalid", f"{value} is no day.", name) from None
