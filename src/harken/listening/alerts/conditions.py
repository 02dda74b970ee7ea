"""What each rule kind notices in a batch of stored mentions, as candidate events.

A candidate carries its dedupe key: ``mention:<id>`` for the mention kinds, and
``spike:<topic>:<hour>`` / ``surge:<topic>:<hour>`` for the baseline kinds, so one hour
of one topic alerts once however many batches land in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from harken.core.models import Workspace
from harken.listening.alerts.baseline import HOUR, HourStats, floor_hour, hour_stats
from harken.listening.alerts.messages import safe_url
from harken.listening.alerts.schedule import workspace_zone
from harken.listening.models import AlertRule, Mention

#: Mentions posted longer ago than this never alert: importing a year of history, or a
#: source catching up after a week offline, must not page anyone about old news.
MAX_AGE = dt.timedelta(hours=48)
TEXT_LIMIT = 2000


@dataclass
class Batch:
    """The stored mentions of one ingest batch that may alert, with their topic ids."""

    mentions: list[Mention]
    topic_ids: dict[int, set[int]] = field(default_factory=dict)

    def topics_of(self, mention: Mention) -> set[int]:
        return self.topic_ids.get(mention.pk, set())


@dataclass(frozen=True)
class Candidate:
    rule: AlertRule
    key: str
    title: str
    text: str
    url: str = ""
    mention: Mention | None = None


def candidates(rule: AlertRule, batch: Batch, now: dt.datetime) -> list[Candidate]:
    if rule.kind in (AlertRule.Kind.SPIKE, AlertRule.Kind.SURGE):
        return _baseline_candidates(rule, batch, now)
    return [_mention_candidate(rule, m) for m in batch.mentions if matches(rule, m, batch)]


def matches(rule: AlertRule, mention: Mention, batch: Batch) -> bool:
    """Whether a mention-kind rule fires for ``mention``."""
    if rule.topic_id is not None and rule.topic_id not in batch.topics_of(mention):
        return False
    params = rule.params or {}
    if rule.kind == AlertRule.Kind.TOPIC:
        return rule.topic_id is not None
    if rule.kind == AlertRule.Kind.INTENT:
        return bool(set(mention.intents or []) & set(params.get("intents", [])))
    if rule.kind == AlertRule.Kind.INFLUENCER:
        followers = mention.author.followers or 0
        negative = mention.sentiment == Mention.Sentiment.NEGATIVE
        return negative and followers >= params.get("min_followers", 0)
    return False


def _mention_candidate(rule: AlertRule, mention: Mention) -> Candidate:
    author = mention.author
    reach = f" ({author.followers:,} followers)" if author.followers else ""
    return Candidate(
        rule=rule,
        key=f"mention:{mention.pk}",
        title=f"{rule.name}: @{author.handle} on {mention.network}{reach}"[:300],
        text=mention.text[:TEXT_LIMIT],
        url=safe_url(mention.url),  # shown as a link on the rule page: http(s) only
        mention=mention,
    )


def _baseline_candidates(rule: AlertRule, batch: Batch, now: dt.datetime) -> list[Candidate]:
    negative = rule.kind == AlertRule.Kind.SURGE
    hours = _recent_hours(rule, batch, now, negative=negative)
    found = []
    for hour in sorted(hours):
        stats = hour_stats(rule.workspace, rule.topic, hour, negative=negative)
        params = rule.params or {}
        if stats.count >= params.get("min_count", 1) and stats.z >= params.get("z", 3.5):
            found.append(_baseline_candidate(rule, stats, negative))
    return found


def _recent_hours(
    rule: AlertRule, batch: Batch, now: dt.datetime, *, negative: bool
) -> set[dt.datetime]:
    """The hours this batch added to, for this rule: only the current and previous hour."""
    oldest = floor_hour(now) - HOUR
    hours = set()
    for mention in batch.mentions:
        if rule.topic_id is not None and rule.topic_id not in batch.topics_of(mention):
            continue
        if negative and mention.sentiment != Mention.Sentiment.NEGATIVE:
            continue
        hour = floor_hour(mention.posted)
        if oldest <= hour <= now:
            hours.add(hour)
    return hours


def _baseline_candidate(rule: AlertRule, stats: HourStats, negative: bool) -> Candidate:
    what = "Negative surge" if negative else "Volume spike"
    subject = rule.topic.name if rule.topic else "all mentions"
    noun = "negative mentions" if negative else "mentions"
    zone = workspace_zone(rule.workspace.time_zone)
    text = (
        f"{stats.count} {noun} of {subject} in the hour from "
        f"{stats.hour.astimezone(zone):%H:%M} ({zone.key}); "
        f"usually {stats.median:g} at this hour (robust z-score {stats.z:.1f})."
    )
    topic_part = rule.topic_id or "all"
    return Candidate(
        rule=rule,
        key=f"{rule.kind}:{topic_part}:{stats.hour:%Y%m%d%H}",
        title=f"{rule.name}: {what} on {subject}"[:300],
        text=text,
    )


def load_batch(workspace: Workspace, mentions: Iterable[Mention], now: dt.datetime) -> Batch:
    """Re-read the batch's mentions that may alert: recent, not ours, not near-duplicates.

    Reading them back (3 queries) means the caller's objects need only be stored: their
    pk, or their (network, external_id) when a bulk insert did not return one.
    """
    ids = _mention_ids(workspace, mentions)
    rows = list(
        Mention.objects.filter(
            workspace=workspace,
            pk__in=ids,
            posted__gte=now - MAX_AGE,
            is_own=False,
            duplicate_of__isnull=True,
        ).select_related("author")
    )
    through = Mention.topics.through.objects.filter(mention_id__in=[m.pk for m in rows])
    topic_ids: dict[int, set[int]] = {}
    for mention_id, topic_id in through.values_list("mention_id", "topic_id"):
        topic_ids.setdefault(mention_id, set()).add(topic_id)
    return Batch(mentions=rows, topic_ids=topic_ids)


def _mention_ids(workspace: Workspace, mentions: Iterable[Mention]) -> Any:
    """The batch's ids: a subquery for a queryset (nothing is loaded twice), else the pks,
    looking up by (network, external_id) the rows a bulk insert returned no pk for."""
    if isinstance(mentions, QuerySet):
        return mentions.values("pk")
    rows = list(mentions)
    ids = [m.pk for m in rows if m.pk is not None]
    unsaved = [(m.network, m.external_id) for m in rows if m.pk is None]
    for network in {n for n, _ in unsaved}:
        external = [e for n, e in unsaved if n == network]
        ids += Mention.objects.filter(
            workspace=workspace, network=network, external_id__in=external
        ).values_list("pk", flat=True)
    return ids
