"""Polling sources: claim, fetch through the network's connector, ingest, record health.

A source is claimed by an atomic update of ``next_poll`` (a lease), so two workers never
poll it at once; a worker that dies holding the lease only delays the next poll until the
lease runs out. Each page is stored with its cursor in one transaction (see
``pipeline.ingest``). Every failure ends in the source's health fields, in the network's
own words, and never reaches the other sources.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from harken.listening.models import Source
from harken.listening.models.source import hour_key
from harken.listening.pipeline import ingest
from harken.networks.base import Connector, ConnectorError

log = logging.getLogger(__name__)

#: How long a claimed source stays reserved for the worker polling it.
LEASE = timedelta(minutes=10)
#: Pages read in one poll at most, so a deep backlog cannot hold a worker forever.
MAX_PAGES = 10
#: The longest wait between tries of a failing source.
MAX_BACKOFF = timedelta(hours=6)
#: A permanent error (revoked token, feed gone) waits for a person; look again daily.
PERMANENT_WAIT = timedelta(days=1)
#: Sources that are read by polling (a live stream has its own listener; imports, a file).
POLLED = (Source.Kind.ACCOUNT, Source.Kind.FEED, Source.Kind.SEARCH)


@dataclass(frozen=True)
class PollOutcome:
    state: str  # "stored", "failed", "busy"
    stored: int = 0
    error: str = ""


def due_sources(now: datetime | None = None) -> QuerySet[Source]:
    """Enabled sources whose next poll has come, skipping accounts that need a person."""
    now = now or timezone.now()
    return (
        Source.objects.filter(enabled=True, kind__in=POLLED)
        .filter(Q(next_poll__isnull=True) | Q(next_poll__lte=now))
        .exclude(account__status__in=["reconnect", "disabled"])
        .order_by("next_poll", "pk")
    )


def claim(source_id: int, now: datetime, *, force: bool = False) -> Source | None:
    """Take the lease on a due source; None when another worker has it or it is not due."""
    due = Q(next_poll__isnull=True) | Q(next_poll__lte=now)
    rows = Source.objects.filter(pk=source_id, enabled=True)
    if not force:
        rows = rows.filter(due)
    if rows.update(next_poll=now + LEASE) != 1:
        return None
    return Source.objects.select_related("account", "workspace").get(pk=source_id)


def poll_source(source_id: int, *, now: datetime | None = None, force: bool = False) -> PollOutcome:
    """Poll one source if it is due (or ``force``); see the module docstring."""
    now = now or timezone.now()
    source = claim(source_id, now, force=force)
    if source is None:
        return PollOutcome("busy")
    return poll_claimed(source, now)


def poll_claimed(source: Source, now: datetime) -> PollOutcome:
    """Read a source this worker holds the lease on, and record how it went.

    The source may be deleted while it is read (a person deleted it): the read then stops
    before storing, or its batch fails on the missing row, and nothing is recorded: the
    outcome is "gone", never a crash and never a recreated row."""
    skipped: Counter[str] = Counter()  # why the pipeline would not store some items
    try:
        stored = _read(source, skipped)
    except SourceGone:
        return PollOutcome("gone")
    except ConnectorError as exc:
        if not record_failure(source, exc, now, skipped):
            return PollOutcome("gone")
        return PollOutcome("failed", error=exc.message)
    except Exception as exc:
        if not _exists(source):
            return PollOutcome("gone")
        # A bug in one connector must not stop the other sources: record it and go on.
        log.exception("Polling source %s failed", source.pk)
        error = ConnectorError(f"Harken could not read this source ({type(exc).__name__}).")
        record_failure(source, error, now, skipped)
        return PollOutcome("failed", error=error.message)
    if not record_success(source, now, skipped):
        return PollOutcome("gone", stored=stored)
    return PollOutcome("stored", stored=stored)


class SourceGone(Exception):
    """The source was deleted while a worker read it."""


def _exists(source: Source) -> bool:
    return Source.objects.filter(pk=source.pk).exists()


def connector_for_source(source: Source) -> Connector:
    from harken.networks import registry

    query = source.query or None
    if source.account is not None:
        return registry.connector_for(source.account, query=query)
    config = {"url": source.url} if source.url else {}
    return registry.connector_for(
        network=source.network, config=config, query=query, workspace=source.workspace_id
    )


def _read(source: Source, skipped: Counter[str]) -> int:
    """Store the source's new pages; counts in ``skipped`` the items the connector could
    not read and those the pipeline rejected, by reason (the cursor moves past them: the
    source's health is their only trace)."""
    connector = connector_for_source(source)
    stored = 0
    try:
        for _ in range(MAX_PAGES):
            page = connector.fetch(source.cursor or None)
            if not _exists(source):
                raise SourceGone  # deleted during the fetch: store nothing for it
            # None means "nothing newer yet": the cursor stays where it is.
            result = ingest(source, page.items, cursor=page.cursor)
            stored += result.stored
            skipped.update(reason for _, reason in page.skipped)
            skipped.update(reason for _, reason in result.rejected)
            if _query_changed(source) or not page.has_more or page.cursor is None:
                break
    finally:
        # Keep a token the SDK refreshed even when a later call failed.
        if source.account is not None and connector.config_changed:
            source.account.config = connector.config  # type: ignore[assignment]
            source.account.save(update_fields=["config"])
    return stored


def _query_changed(source: Source) -> bool:
    """Whether a person changed the search's query while this worker read the old one.

    The cursor just stored belongs to the old query, and a new query must not inherit it:
    blank it again (the edit blanked it too, but this worker's store may have come
    after). Checked after every stored page, so whichever of the two wins, the new query
    starts from a blank cursor."""
    rows = Source.objects.filter(pk=source.pk)
    now_reads = rows.values_list("query", flat=True).first()
    if now_reads is None or now_reads == source.query:
        return False  # unchanged (or deleted, which the caller finds out next)
    rows.update(cursor="")
    return True


def _save_health(source: Source, fields: list[str]) -> bool:
    """Update, never insert: a source deleted while it was read stays deleted (``save``
    would raise on the missing row). False when the row is gone."""
    values = {field: getattr(source, field) for field in fields}
    return Source.objects.filter(pk=source.pk).update(**values) == 1


#: Reasons kept per poll at most: a connector rejecting items in many different words
#: (each naming its item) must not grow the source's row without end.
MAX_SKIP_REASONS = 10
#: Hours of skipped-item counts kept: the source's page shows the last day.
SKIP_HOURS = 24


def note_skipped(source: Source, skipped: Counter[str], now: datetime) -> list[str]:
    """Record the last poll's skipped items, by reason, and add them to the hour's count;
    returns the fields it set. Hours older than a day are dropped as it goes."""
    reasons = Counter({reason[:200]: n for reason, n in skipped.most_common(MAX_SKIP_REASONS)})
    others = sum(skipped.values()) - sum(reasons.values())
    if others:
        reasons["other reasons"] += others
    source.last_skipped = dict(reasons)
    source.last_skipped_at = now
    oldest = hour_key(now - timedelta(hours=SKIP_HOURS - 1))
    hours = {h: n for h, n in (source.skipped_by_hour or {}).items() if h >= oldest}
    if skipped:
        hour = hour_key(now)
        hours[hour] = hours.get(hour, 0) + sum(skipped.values())
    source.skipped_by_hour = hours
    return ["last_skipped", "last_skipped_at", "skipped_by_hour"]


def record_success(source: Source, now: datetime, skipped: Counter[str] | None = None) -> bool:
    source.last_success = now
    source.failures = 0
    source.next_poll = now + _jittered(timedelta(seconds=source.poll_interval), 0.1)
    fields = ["last_success", "failures", "next_poll"]
    fields += note_skipped(source, skipped or Counter(), now)
    if not _save_health(source, fields):
        return False
    if source.account is not None and source.account.status != "active":
        from harken.networks.registry import do_mark_synced

        do_mark_synced(source.account)
    return True


def record_failure(
    source: Source, error: ConnectorError, now: datetime, skipped: Counter[str] | None = None
) -> bool:
    """Keep the network's words; back off (honouring Retry-After); flag a dead account;
    count the items skipped on the pages stored before the failure, if any.
    False, with nothing recorded, when the source was deleted meanwhile."""
    source.failures += 1
    source.last_error = error.message[:2000]
    source.last_error_at = now
    source.next_poll = now + backoff(source, error)
    fields = ["failures", "last_error", "last_error_at", "next_poll"]
    if skipped:
        fields += note_skipped(source, skipped, now)
    if not _save_health(source, fields):
        return False
    if error.permanent and source.account is not None:
        from harken.networks.registry import do_mark_error

        do_mark_error(source.account, error)
    return True


def backoff(source: Source, error: ConnectorError) -> timedelta:
    """The wait before the next try: the network's Retry-After when it gave one, else
    exponential in the failures so far with jitter, so that many sources failing together
    (a network outage) do not all come back in the same second."""
    if error.permanent:
        return PERMANENT_WAIT
    if error.retry_after is not None:
        return timedelta(seconds=max(1.0, error.retry_after)) + _jittered(timedelta(seconds=5), 1)
    base = timedelta(seconds=max(60, source.poll_interval))
    wait = min(MAX_BACKOFF, base * (2 ** min(source.failures - 1, 16)))
    return _jittered(wait, 0.5)


def _jittered(wait: timedelta, share: float) -> timedelta:
    """``wait`` less a random part of up to ``share`` of it."""
    return wait * (1 - random.uniform(0, share))
