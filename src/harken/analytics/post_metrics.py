"""A daily snapshot of each recent published post's likes, comments, shares and views,
from its connector's ``post_metrics()``.

Networks name their counts differently (favourites, reblogs, reactions, score…);
``counts_of`` reads them into Harken's four. A post is followed for ``FOLLOW_DAYS``
after it went out: by then nearly all of its engagement has come, and a workspace of
years of posts costs no more network calls than one of a month."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from harken.analytics.days import zone_of
from harken.analytics.models import PostMetric
from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.publishing.models import Variant
from harken.publishing.states import State

log = logging.getLogger(__name__)

#: Days after publishing that a post's counts are still asked for.
FOLLOW_DAYS = 30

#: Each of Harken's counts, and the names networks give it (summed where several).
LIKES = ("likes", "reactions", "favourites", "score")
COMMENTS = ("comments", "replies")
SHARES = ("shares", "reposts", "reblogs", "quotes")
IMPRESSIONS = ("impressions", "views", "post_media_view")
REACH = ("reach", "post_total_media_view_unique")


@dataclass(frozen=True)
class Counts:
    likes: int = 0
    comments: int = 0
    shares: int = 0
    impressions: int | None = None
    reach: int | None = None

    @property
    def engagement(self) -> int:
        return self.likes + self.comments + self.shares


def _number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return max(0, int(value))


def _summed(raw: Mapping[str, Any], names: Iterable[str]) -> int | None:
    found = [n for n in (_number(raw.get(name)) for name in names) if n is not None]
    return sum(found) if found else None


def _first(raw: Mapping[str, Any], names: Iterable[str]) -> int | None:
    for name in names:
        number = _number(raw.get(name))
        if number is not None:
            return number
    return None


def counts_of(raw: Mapping[str, Any]) -> Counts:
    """A connector's answer read as Harken's counts. A negative Reddit score (more down
    votes than up) counts as no likes, not as negative engagement."""
    return Counts(
        likes=_summed(raw, LIKES) or 0,
        comments=_summed(raw, COMMENTS) or 0,
        shares=_summed(raw, SHARES) or 0,
        impressions=_first(raw, IMPRESSIONS),
        reach=_first(raw, REACH),
    )


def record(variant: Variant, counts: Counts, day: dt.date) -> PostMetric:
    """Keep ``counts`` as the post's row of ``day`` and mark it its latest."""
    with transaction.atomic():
        row, _ = PostMetric.objects.update_or_create(
            variant=variant,
            day=day,
            defaults={
                "workspace_id": variant.workspace_id,
                "account_id": variant.account_id,
                "network": variant.account.network,
                "published": variant.published_at or timezone.now(),
                "likes": counts.likes,
                "comments": counts.comments,
                "shares": counts.shares,
                "impressions": counts.impressions,
                "reach": counts.reach,
                "latest": True,
            },
        )
        PostMetric.objects.filter(variant=variant, latest=True).exclude(pk=row.pk).update(
            latest=False
        )
    return row


def due(now: dt.datetime | None = None) -> Iterable[Variant]:
    """Published posts with a network id, out for less than ``FOLLOW_DAYS``."""
    now = now or timezone.now()
    return (
        Variant.objects.filter(
            state=State.PUBLISHED,
            external_id__gt="",
            published_at__gte=now - dt.timedelta(days=FOLLOW_DAYS),
            account__status=Account.Status.ACTIVE,
        )
        .select_related("account", "workspace")
        .order_by("account_id", "published_at")
    )


def snapshot_posts(now: dt.datetime | None = None) -> int:
    """Ask each post's network for its counts and keep them as today's row; returns how
    many posts were counted. A network without per-post counts is asked once and left;
    an account that needs reconnecting is left for the day; one missing post is skipped."""
    taken = 0
    skip: set[int] = set()
    connectors: dict[int, Any] = {}
    for variant in due(now):
        account = variant.account
        if account.pk in skip:
            continue
        try:
            if account.pk not in connectors:
                connectors[account.pk] = connector_for(account)
            raw = connectors[account.pk].post_metrics(variant.external_id)
        except (NotImplementedError, KeyError):
            skip.add(account.pk)
            continue
        except ConnectorError as exc:
            log.info("No counts for post %s today: %s", variant.pk, exc)
            if exc.permanent or exc.retry_after:
                skip.add(account.pk)
            continue
        finally:
            connector = connectors.get(account.pk)
            if connector is not None and connector.config_changed:
                # A refreshed token: saved now, or the next call would use the spent one.
                account.config = connector.config
                account.save(update_fields=["config"])
                connector.config_changed = False
        day = (now or timezone.now()).astimezone(zone_of(variant.workspace)).date()
        record(variant, counts_of(raw), day)
        taken += 1
    return taken
