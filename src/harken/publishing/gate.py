"""The guidelines gate against the database: a variant's rules and its account's posts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.db.models import Q

from harken.publishing.guidelines import PROMOTIONS, Draft, Finding, Other, Rules, check
from harken.publishing.linkcheck import check_links
from harken.publishing.models import Guidelines, Variant
from harken.publishing.states import State


def rules_for(workspace_id: int) -> Rules:
    stored = Guidelines.objects.filter(workspace_id=workspace_id).first()
    return Rules.from_data(stored.rules if stored else None)


def others_for(variant: Variant, at: datetime, rules: Rules, published_only: bool) -> list[Other]:
    """The account's other posts near ``at``: scheduled and sent ones when scheduling,
    only those that went out when publishing (what followers have actually seen)."""
    states = (
        [State.PUBLISHED]
        if published_only
        else [
            State.SCHEDULED,
            State.PUBLISHING,
            State.PUBLISHED,
        ]
    )
    # Only as far as the rules that read other posts look: a burst on one account with
    # those rules off (a bench, an agency's own pacing) would otherwise read every post
    # of the day for each post, a cost that grows with the square of the burst.
    reaches = [
        timedelta(minutes=rules.min_gap_minutes),
        timedelta(days=1 if rules.daily_cap else 0),
        timedelta(days=rules.duplicate_days),
    ]
    reach = max(reaches)
    if not reach:
        return []
    rows = (
        Variant.objects.filter(account_id=variant.account_id, state__in=states)
        # A post counts at the time it went out, which may be after its scheduled time.
        .filter(
            Q(scheduled_at__gte=at - reach, scheduled_at__lte=at + reach)
            | Q(published_at__gte=at - reach, published_at__lte=at + reach)
        )
        .exclude(pk=variant.pk)
        .values_list("text", "scheduled_at", "published_at")
    )
    # scheduled_at is set on every row the range matched (a published one has both).
    return [
        Other(text, cast(datetime, published or scheduled)) for text, scheduled, published in rows
    ]


def recent_categories(variant: Variant, at: datetime) -> list[str]:
    """The categories of the workspace's other posts going out in the 30 days before
    ``at`` (one per post, however many accounts it goes to)."""
    rows = (
        Variant.objects.filter(
            workspace_id=variant.workspace_id,
            state__in=[State.SCHEDULED, State.PUBLISHING, State.PUBLISHED],
            scheduled_at__gte=at - timedelta(days=30),
            scheduled_at__lte=at,
        )
        .exclude(post_id=variant.post_id)
        .order_by()  # the default ordering would add its columns to the DISTINCT
        .values_list("post_id", "post__category")
        .distinct()
    )
    return [category for _, category in rows]


def findings_for(
    variant: Variant, at: datetime, *, published_only: bool = False, rules: Rules | None = None
) -> list[Finding]:
    """What the gate says about ``variant`` going out at ``at``, less what a person
    overrode for it. ``rules``: the workspace's, when the caller read them already."""
    rules = rules or rules_for(variant.workspace_id)
    post = variant.post
    draft = Draft(variant.text, variant.account.network, at, post.sponsored, post.category)
    recent = recent_categories(variant, at) if draft.category in PROMOTIONS else []
    found = check(draft, others_for(variant, at, rules, published_only), rules, recent)
    overridden = set(variant.overrides or [])
    if "link_offline" not in overridden:  # an overridden rule costs no request
        found += check_links(variant.text, variant.workspace_id, rules, publishing=published_only)
    return [f for f in found if f.rule not in overridden]
