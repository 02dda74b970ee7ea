"""State changes of campaigns and their links; each validates, changes and audits."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from harken.core.actions import audit
from harken.core.models import Workspace
from harken.publishing.links.forms import campaign_slug
from harken.publishing.links.tracking import DEFAULT_CAMPAIGN, create_link, utm_for
from harken.publishing.models import Campaign, Link

EDITABLE = ["name", "goal", "starts", "ends", "pledge_cents", "currency", "cap_cents"]


@transaction.atomic
def do_create_campaign(workspace: Workspace, actor: Any, **fields: Any) -> Campaign:
    taken = set(Campaign.objects.filter(workspace=workspace).values_list("slug", flat=True))
    campaign = Campaign.objects.create(
        workspace=workspace,
        slug=campaign_slug(fields["name"], taken),
        **{k: fields[k] for k in EDITABLE},
    )
    audit(workspace, actor, "campaign.create", campaign)
    return campaign


@transaction.atomic
def do_update_campaign(campaign: Campaign, actor: Any, **fields: Any) -> Campaign:
    """Change the campaign; the running total is never written here (only clicks add to
    it), and the row is locked so a click's pledge and this save cannot interleave."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changed = {
        k: [getattr(locked, k), fields[k]] for k in EDITABLE if getattr(locked, k) != fields[k]
    }
    if changed:
        Campaign.objects.filter(pk=campaign.pk).update(**{k: fields[k] for k in changed})
        audit(campaign.workspace, actor, "campaign.update", campaign, **_plain(changed))
    campaign.refresh_from_db()
    return campaign


def _plain(changed: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: [str(v) if v is not None else None for v in pair] for k, pair in changed.items()}


def do_add_link(campaign: Campaign, actor: Any, destination: str, network: str = "") -> Link:
    link = create_link(
        destination,
        workspace=campaign.workspace,
        network=network,
        campaign=campaign,
        utm=utm_for(network or DEFAULT_CAMPAIGN, campaign),
    )
    audit(campaign.workspace, actor, "link.create", link)
    return link
