"""The publishing tick: claim what is due, publish it once, record what the network said.

``do_publish_due(now)`` may run in any number of workers at once. A variant is claimed by
moving it scheduled → publishing in one UPDATE that picks the earliest due row and names
the row it took (on PostgreSQL the pick is locked with ``SKIP LOCKED`` so workers take
different rows instead of waiting on the same one); only that worker publishes it.

A variant still in publishing after ``LEASE`` was claimed by a worker that died mid-call:
the network may or may not have the post. It is reconciled first (the connector's
``find_published``); a network that cannot be asked gets no second post: the variant fails
with "check the network" for a person to decide.

A variant with replies (a thread's other parts, a first comment; ``compose.threads``)
records its main post's id, then each reply's, before sending the next; each reply has
its own idempotency key derived from the variant's. A retry or a reconciliation starts
after what is recorded and asks the network for the one reply a crash may have left
unrecorded, so no part goes out twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone

from harken.core.actions import audit
from harken.networks.base import Connector, ConnectorError, MediaFile, Published
from harken.networks.models import Account
from harken.networks.registry import (
    connector_class,
    connector_for,
    do_mark_error,
    network_label,
)
from harken.publishing import demo, signals
from harken.publishing.claimed import load_claimed
from harken.publishing.compose.media import public_url
from harken.publishing.compose.threads import Reply, part_key, post_texts, replies
from harken.publishing.gate import findings_for, rules_for
from harken.publishing.guidelines import Finding, Rules
from harken.publishing.models import Variant
from harken.publishing.states import State, transition

log = logging.getLogger(__name__)

#: How long a claim holds: longer than the slowest publish call with its retries.
LEASE = timedelta(minutes=5)
#: How many variants one tick claims at most.
BATCH = 50
#: Transient failures before a variant fails for good.
MAX_ATTEMPTS = 6
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)


@dataclass
class TickReport:
    published: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    reconciled: list[int] = field(default_factory=list)
    #: Accounts a network refused for good during this tick: their other variants wait.
    broken: dict[int, str] = field(default_factory=dict)
    #: Due variants this tick claimed (a full ``limit`` means more may be waiting).
    claimed: int = 0
    #: The connector of each account this tick published to, made once per tick: making
    #: one (an HTTP client, a session) costs more than a local network's publish call.
    connectors: dict[int, Connector] = field(default_factory=dict, repr=False)
    #: Each workspace's guidelines, read once per tick (a tick lasts a second or so; a
    #: rule changed meanwhile applies from the next one).
    rules: dict[int, Rules] = field(default_factory=dict, repr=False)


def backoff(attempts: int) -> timedelta:
    """The wait before try ``attempts + 1``: 30 s, 1 min, 2 min … at most an hour."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_CAP)


def do_publish_due(now: datetime | None = None, limit: int = BATCH) -> TickReport:
    """One tick: reconcile variants left in publishing, then publish what is due, up to
    ``limit`` variants.

    Each variant is claimed just before it is published, one at a time, at the tick's
    clock (``now`` plus the time the tick has taken so far): a worker killed mid-tick
    leaves only the variant it was sending in publishing, not a batch it had not reached
    yet, and a claim's lease runs from its own publish call, not from the tick's start."""
    now = now or timezone.now()
    started = time.monotonic()
    report = TickReport()
    for variant in _claim_stuck(now):
        _settle(_reconcile, variant, now, report)
    for _ in range(limit):
        at = now + timedelta(seconds=time.monotonic() - started)
        claimed = claim_due(at, 1)
        if not claimed:
            break
        report.claimed += 1
        _settle(publish_claimed, claimed[0], now, report)
    return report


def _settle(
    step: Callable[[Variant, datetime, TickReport], None],
    variant: Variant,
    now: datetime,
    report: TickReport,
) -> None:
    """Run ``step``; an unexpected error (a network answer nobody foresaw) is logged and
    the variant left in publishing: whether it went out is unknown, so it is reconciled
    after its lease like a crash, and the rest of the batch goes on."""
    try:
        step(variant, now, report)
    except Exception:  # noqa: BLE001 - the variant's state records what is known
        log.exception("Publishing variant %s failed unexpectedly", variant.pk)


def run_ticks(ticks: int, every: float, limit: int = BATCH, publishers: int = 1) -> TickReport:
    """``ticks`` ticks, started ``every`` seconds apart (the queue's periodic task runs a
    minute of them, since its schedule has minutes, not seconds). A tick that claimed a
    full ``limit`` is followed at once by another: a backlog is drained, not worked off
    at ``limit`` variants per ``every`` seconds.

    ``publishers`` threads tick side by side, each claiming and sending one variant at a
    time as any worker does: a network's answer takes longer than our own work, so one
    publisher spends most of its time waiting. Each thread has its own database
    connection (closed when it ends) and its own connectors; the atomic claim keeps them
    apart, and a worker killed mid-run leaves at most ``publishers`` variants in
    publishing, one per thread, for reconciliation after the lease."""
    if publishers <= 1:
        return _ticks_alone(ticks, every, limit)
    reports: list[TickReport] = []
    errors: list[BaseException] = []

    def publisher() -> None:
        try:
            reports.append(_ticks_alone(ticks, every, limit))
        except BaseException as error:  # noqa: BLE001 - raised again below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=publisher, daemon=True) for _ in range(publishers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = TickReport()
    for report in reports:
        _add(total, report)
    if errors:
        raise errors[0]
    return total


def _ticks_alone(ticks: int, every: float, limit: int) -> TickReport:
    total = TickReport()
    first = time.monotonic()
    for tick in range(ticks):
        while True:
            report = do_publish_due(limit=limit)
            _add(total, report)
            if report.claimed < limit:
                break
        if tick < ticks - 1:
            time.sleep(max(0.0, first + (tick + 1) * every - time.monotonic()))
    return total


def _add(total: TickReport, report: TickReport) -> None:
    for name in ("published", "retrying", "failed", "reconciled"):
        getattr(total, name).extend(getattr(report, name))
    total.claimed += report.claimed


def claim_due(now: datetime, limit: int = BATCH) -> list[Variant]:
    """Move up to ``limit`` due variants to publishing; only the rows this call won."""
    won: list[int] = []
    for _ in range(limit):
        pk = _claim_one(now)
        if pk is None:
            break
        won.append(pk)
    # With its account and post, and whether it has images (``has_media``): most posts
    # have none, and asking each variant for its images is a query of its own.
    return load_claimed(won, now)


def _claim_one(now: datetime) -> int | None:
    """The earliest due variant, moved scheduled → publishing in one statement that names
    the row it took (``RETURNING``): SQLite runs it under its write lock, so the row the
    subquery picks is still scheduled when it is updated; PostgreSQL's ``SKIP LOCKED``
    sends concurrent workers to different rows instead of queueing them on one."""
    table = connection.ops.quote_name(Variant._meta.db_table)
    skip_locked = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    at = connection.ops.adapt_datetimefield_value(now)
    # The table's name and the locking clause are ours; every value is a parameter.
    sql = (
        f"UPDATE {table} SET state = %s, claimed_at = %s, attempts = attempts + 1 "  # noqa: S608
        f"WHERE id = (SELECT id FROM {table} WHERE state = %s AND scheduled_at <= %s "
        "AND (next_attempt_at IS NULL OR next_attempt_at <= %s) "
        f"ORDER BY scheduled_at, id LIMIT 1{skip_locked}) AND state = %s RETURNING id"
    )
    params = [State.PUBLISHING, at, State.SCHEDULED, at, at, State.SCHEDULED]
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(p) if isinstance(p, State) else p for p in params])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def publish_claimed(variant: Variant, now: datetime, report: TickReport) -> None:
    """Publish a variant this worker holds in publishing, and record the outcome."""
    account = variant.account
    if account.status != Account.Status.ACTIVE and demo.is_demo_account(account):
        demo.hold(variant)  # `harken demo`'s example account: held, never sent or failed
        return
    if account.status != Account.Status.ACTIVE or account.pk in report.broken:
        why = report.broken.get(account.pk) or account.last_error or account.status
        _fail(variant, f"{account.handle} needs reconnecting: {why}", report)
        return
    # A variant whose main post is out already (a reply failed, or a crash cut it short)
    # only has replies left: the gate judged the post when it went out.
    held = [] if variant.external_id else _findings(variant, now, report)
    if held:
        _fail(variant, "Held by the guidelines: " + " ".join(f.message for f in held), report)
        return
    try:
        connector = report.connectors.get(account.pk) or connector_for(account)
    except ConnectorError as error:  # no token, no app keys: nothing was sent
        _failed_call(variant, error, now, report)
        return
    report.connectors[account.pk] = connector
    planned = replies(variant)
    try:
        if _may_be_out(variant, connector):
            # Since the scheduled time: every earlier try came after it.
            since = cast(datetime, variant.scheduled_at) - timedelta(minutes=1)
            if _find_cut_short(variant, connector, since):
                report.reconciled.append(variant.pk)
        if not variant.external_id:
            # The network's own fields (Reddit's title and subreddit) go with the images.
            options = {**attachments(variant), **(variant.post_options or {})}
            published = connector.publish(
                post_texts(variant)[0], idempotency_key=str(variant.idempotency_key), **options
            )
            if not planned:  # nothing follows: one write records the post and its state
                _keep_config(account, connector)
                _mark_published(variant, published, report)
                return
            if not _record(variant, external_id=published.external_id, url=published.url[:500]):
                return
        _send_replies(variant, connector, planned)
    except ConnectorError as error:
        _keep_config(account, connector)
        _failed_call(variant, error, now, report)
        return
    _keep_config(account, connector)
    _mark_published(variant, Published(variant.external_id, variant.url), report)


def _may_be_out(variant: Variant, connector: Connector) -> bool:
    """Whether an earlier try may have reached the network although it ended in a
    transient error (a 5xx or a timeout can come after the network took the post), on a
    network that takes no idempotency key but can be asked: it is asked before any resend."""
    return (
        variant.attempts > 1
        and bool(variant.error)
        and not connector.idempotent_writes
        and connector.finds_published
    )


def _findings(variant: Variant, now: datetime, report: TickReport) -> list[Finding]:
    """The gate, again, just before the variant goes out: against what went out."""
    rules = report.rules.get(variant.workspace_id)
    if rules is None:
        rules = report.rules[variant.workspace_id] = rules_for(variant.workspace_id)
    return findings_for(variant, now, published_only=True, rules=rules)


def _record(variant: Variant, **fields: object) -> bool:
    """Save what went out while the variant is still ours (in publishing): the main post's
    id before any reply, each reply's id before the next, so a retry or a reconciliation
    after a crash starts after what is recorded."""
    kept = Variant.objects.filter(pk=variant.pk, state=State.PUBLISHING).update(**fields)
    if kept != 1:
        log.warning("Variant %s was settled elsewhere while publishing", variant.pk)
        return False
    for name, value in fields.items():
        setattr(variant, name, value)
    return True


def _send_replies(variant: Variant, connector: Connector, planned: list[Reply]) -> None:
    """Post the thread's other parts and the first comment, each once, after the main
    post: each under its own idempotency key derived from the variant's, each recorded
    before the next is sent."""
    done = list(variant.parts or [])
    for n in range(len(done), len(planned)):
        reply = planned[n]
        parent = variant.external_id if reply.parent == 0 else done[reply.parent - 1]
        key = part_key(variant.idempotency_key, n + 1)
        got = connector.reply(parent, reply.text, idempotency_key=key)
        done.append(got.external_id)
        if not _record(variant, parts=list(done)):
            raise ConnectorError("Another worker took over this post.")


def attachments(variant: Variant) -> dict[str, object]:
    """The connector's media options: ``media``, each file's bytes, type and alt text
    (for networks that take an upload), ``image_urls``, the images' signed expiring
    addresses (for networks that fetch an image themselves, Facebook and Instagram), and
    for a video ``video`` (its ``MediaFile``, also in ``media``) and ``video_url``."""
    unknown = True  # a variant not read by the claim: ask
    if not variant.pk or not getattr(variant, "has_media", unknown):
        return {}
    attached = list(variant.media.all())  # type: ignore[attr-defined]
    if not attached:
        return {}
    media = []
    for item in attached:
        with item.file.open("rb") as handle:
            data = handle.read()
            media.append(MediaFile(data, item.content_type, item.alt_text, item.width, item.height))
    options: dict[str, object] = {
        "media": media,
        "image_urls": [public_url(item) for item in attached if not item.is_video],
    }
    videos = [(item, file) for item, file in zip(attached, media, strict=True) if item.is_video]
    if videos:
        options["video"], options["video_url"] = videos[0][1], public_url(videos[0][0])
    return options


def _mark_published(variant: Variant, published: Published, report: TickReport) -> None:
    won = transition(
        variant,
        State.PUBLISHED,
        external_id=published.external_id,
        url=published.url[:500],
        published_at=timezone.now(),
        error="",
        next_attempt_at=None,
    )
    if won:
        report.published.append(variant.pk)
        signals.variant_published.send(Variant, variant=variant)
    else:  # the lease ran out during the call and another worker reconciled it
        log.warning("Variant %s was settled elsewhere while publishing", variant.pk)


def _failed_call(
    variant: Variant, error: ConnectorError, now: datetime, report: TickReport
) -> None:
    """A permanent error fails the variant (and marks the account where it is the
    account's fault); a rejection of the content fails it at once and leaves the account
    connected; a transient one retries later, until ``MAX_ATTEMPTS``."""
    if error.rejected:
        _fail(variant, error.message, report)
        return
    if error.permanent:
        _mark_broken(variant.account, error, report)
        _fail(variant, error.message, report)
        return
    if variant.attempts >= MAX_ATTEMPTS:
        _fail(variant, f"Gave up after {variant.attempts} tries: {error.message}", report)
        return
    wait = max(backoff(variant.attempts), timedelta(seconds=error.retry_after or 0))
    if transition(
        variant, State.SCHEDULED, error=error.message, next_attempt_at=now + wait, claimed_at=None
    ):
        report.retrying.append(variant.pk)


def _mark_broken(account: Account, error: ConnectorError, report: TickReport) -> None:
    do_mark_error(account, error)
    report.broken[account.pk] = error.message


def _fail(variant: Variant, words: str, report: TickReport) -> None:
    if transition(variant, State.FAILED, error=words, next_attempt_at=None):
        report.failed.append(variant.pk)
        audit(variant.post.workspace, None, "variant.failed", variant, error=words)
        signals.variant_failed.send(Variant, variant=variant, error=words)
        notify_author(variant)


def notify_author(variant: Variant) -> bool:
    """Email the post's author that a variant failed, in the network's words; True when
    a mail went out. A mail failure is logged: the variant's state is already saved."""
    author = variant.post.author
    email = author.user.email if author is not None else ""
    if not email:
        return False
    label = network_label(variant.account.network)
    body = (
        f"Harken could not publish your post to {variant.account.handle} on {label}.\n\n"
        f"{label} said: {variant.error}\n\n"
        f"The post:\n{variant.text}\n\n"
        "Open the calendar in Harken to change it and retry."
    )
    try:
        send_mail(f"Not published on {label}: your post", body, None, [email])
    except Exception:  # noqa: BLE001 - SMTP may be down
        log.exception("Could not email the author of variant %s", variant.pk)
        return False
    return True


def _keep_config(account: Account, connector: Connector) -> None:
    """Save what the connector learnt (a refreshed token, the server's limits)."""
    if connector.config_changed:
        account.config = connector.config  # type: ignore[assignment]
        account.save(update_fields=["config"])


# --- after a crash ---------------------------------------------------------------------


def _claim_stuck(now: datetime) -> list[Variant]:
    """Variants in publishing whose lease ran out, each re-leased to this worker."""
    stuck = Variant.objects.filter(state=State.PUBLISHING, claimed_at__lt=now - LEASE)
    won = []
    for variant in stuck.select_related("account", "post").order_by("claimed_at")[:BATCH]:
        lease = Variant.objects.filter(
            pk=variant.pk, state=State.PUBLISHING, claimed_at=variant.claimed_at
        )
        if lease.update(claimed_at=now) == 1:
            won.append(variant)
    return won


def _reconcile(variant: Variant, now: datetime, report: TickReport) -> None:
    """Ask the network whether a publish cut short by a crash went out, then settle it:
    published with the network's id, sent now if the network says it has nothing, or
    failed for a person to check where the network cannot be asked."""
    since = cast(datetime, variant.claimed_at) - timedelta(minutes=1)
    variant.claimed_at = now
    if not connector_class(variant.account.network).finds_published:
        label = network_label(variant.account.network)
        _fail(
            variant,
            f"Unknown: Harken stopped while publishing this to {label} and {label} cannot "
            f"be asked whether it arrived. Check the account on {label}; retry only if "
            "the post is not there.",
            report,
        )
        return
    try:
        connector = connector_for(variant.account)
        found = _find_cut_short(variant, connector, since)
    except ConnectorError as error:
        if error.permanent:
            _mark_broken(variant.account, error, report)
            _fail(variant, error.message, report)
        return  # transient: the lease is renewed, the next tick after it asks again
    if found:
        report.reconciled.append(variant.pk)
    publish_claimed(variant, now, report)


def _find_cut_short(variant: Variant, connector: Connector, since: datetime) -> bool:
    """Record what the crash left unrecorded: the main post, then the one reply that may
    have been in flight (replies go out one after another, each recorded before the
    next). True when the network had something; what it lacks is sent after."""
    found_any = False
    if not variant.external_id:
        main = post_texts(variant)[0]
        # A network without an idempotency key may know the post by its own fields
        # (Reddit: the title in the subreddit), passed by name as to ``publish``.
        by_fields = getattr(connector, "finds_by_fields", False)
        fields = (variant.post_options or {}) if by_fields else {}
        found = connector.find_published(str(variant.idempotency_key), main, since, **fields)
        if found is None:
            return False
        if not _record(variant, external_id=found.external_id, url=found.url[:500]):
            return False
        found_any = True
    planned = replies(variant)
    n = len(variant.parts or [])
    if n < len(planned):
        key = part_key(variant.idempotency_key, n + 1)
        part = connector.find_published(key, planned[n].text, since)
        if part is not None:
            _record(variant, parts=[*variant.parts, part.external_id])
            found_any = True
    return found_any
