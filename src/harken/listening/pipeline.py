"""The ingest pipeline: a page of normalized items in, stored and threaded mentions out.

normalize → dedupe on (network, external id) → match topics → enrich → bulk store authors
and mentions → group near-duplicates → thread into conversations → alert rules, then the
source's cursor, all in ONE transaction. A crash anywhere rolls the whole batch back and
leaves the cursor where it was, so the next poll repeats the batch; the unique keys make the
repeat harmless. Batches, not rows: every step is a handful of queries per batch.

Two steps: ``prepare_batch`` (normalize, dedupe within the batch, match topics; no
database) and ``store_batch`` (everything else, the one transaction). ``ingest`` runs them
back to back; ``ingest_batches`` prepares the next batch in a thread while one is stored.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from harken.core.models import Workspace
from harken.inbox.models import Conversation
from harken.listening import enrich, signals, threads
from harken.listening.bulk import (
    as_datetime,
    column_list,
    insert_ignoring_conflicts,
    select_in,
    update_by_pk,
)
from harken.listening.models import Author, Mention, Source, Topic
from harken.listening.normalize import Prepared, Rejected, clean_rating, prepare
from harken.networks.base import NormalizedItem

log = logging.getLogger(__name__)

#: The same text within this window is a near-duplicate (a cross-post or re-share).
DUPLICATE_WINDOW = timedelta(days=7)


@dataclass
class IngestResult:
    """What one batch did: counts, and the new mentions' ids (for alerts and tests)."""

    received: int = 0
    stored: int = 0
    known: int = 0  # already stored, or twice in the batch
    near_duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (external id, why)
    mention_ids: list[int] = field(default_factory=list)


@dataclass
class PreparedBatch:
    """A batch made ready for storing, without a database write: its rows normalized and
    deduplicated within the batch, and (when the topics were given) the topics they match.

    Nothing in it depends on what is stored: the dedupe against stored mentions, authors,
    conversations and near-duplicates are read and written by ``store_batch`` in its one
    transaction, so a batch prepared early is exactly as correct as one prepared late."""

    rows: list[Prepared]
    result: IngestResult
    # Per row, the ids of the topics it matches; None: ``store_batch`` matches inside its
    # transaction (after the analysis, so ``lang:`` sees detected languages).
    topic_ids: list[set[int]] | None = None
    # The (id, query) pairs ``topic_ids`` were matched against: one snapshot per batch.
    topics: Sequence[tuple[int, str]] | None = None


def ingest(
    source: Source | None,
    items: Sequence[NormalizedItem],
    *,
    cursor: str | None = None,
    workspace: Workspace | None = None,
    enrichment: bool = True,
) -> IngestResult:
    """Store one batch of items exactly once and, with it, advance ``source``'s cursor.

    ``cursor`` is saved on the source in the same transaction as the batch: never before
    the items it covers are stored. ``workspace`` defaults to the source's.
    """
    return store_batch(
        source, prepare_batch(items), cursor=cursor, workspace=workspace, enrichment=enrichment
    )


def ingest_batches(
    source: Source | None,
    batches: Iterable[tuple[Sequence[NormalizedItem], str | None]],
    *,
    workspace: Workspace | None = None,
    enrichment: bool = True,
    overlap: bool | None = None,
) -> Iterator[IngestResult]:
    """``ingest`` each (items, cursor) of ``batches`` in order, preparing batch N+1 in a
    worker thread while batch N is stored; yields each batch's result once it is stored.

    Stores stay in order, each one transaction with its own cursor: a crash loses and
    duplicates nothing, as with ``ingest``. A failure while preparing a batch is raised
    here, as ``ingest`` raises it, before anything of that batch is stored (its cursor
    stays); the batches before it are stored, the ones after it are not read.

    ``overlap`` defaults to PostgreSQL only: there the store waits on the server (psycopg
    releases the GIL meanwhile), longer still when the server is another machine, and
    the preparation (about a third of this process's CPU) hides in those waits. SQLite's
    work is this process's, in many short calls that each take the GIL back from the
    worker: the bench measured it 10-40% slower overlapped. (On a 2-core machine that
    also runs PostgreSQL, the two were within noise: see bench/ingest.py and the README.)"""
    if workspace is None:
        workspace = _workspace_of(source)
    if overlap is None:
        overlap = connection.vendor == "postgresql"
    if not overlap:
        for items, cursor in batches:
            yield ingest(source, items, cursor=cursor, workspace=workspace, enrichment=enrichment)
        return
    upcoming = iter(batches)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="harken-prepare") as worker:
        pending = _prepare_next(worker, workspace, upcoming)
        try:
            while pending is not None:
                future, cursor = pending
                batch = future.result()  # the preparation's own exception, unchanged
                pending = _prepare_next(worker, workspace, upcoming)
                yield store_batch(
                    source, batch, cursor=cursor, workspace=workspace, enrichment=enrichment
                )
        finally:
            if pending is not None:  # stopped early: the next batch is not stored
                pending[0].cancel()


def _prepare_next(
    worker: ThreadPoolExecutor,
    workspace: Workspace,
    upcoming: Iterator[tuple[Sequence[NormalizedItem], str | None]],
) -> tuple[Future[PreparedBatch], str | None] | None:
    """Start preparing the next batch, if any. The topics are read here, in the caller's
    thread and connection: the worker thread never touches the database."""
    following = next(upcoming, None)
    if following is None:
        return None
    items, cursor = following
    topics = enabled_topics(workspace)
    return worker.submit(prepare_batch, items, topics, background=True), cursor


def enabled_topics(workspace: Workspace) -> list[tuple[int, str]]:
    """(id, query) of the workspace's enabled topics, what ``prepare_batch`` matches against."""
    rows = Topic.objects.filter(workspace=workspace, enabled=True).values_list("pk", "query")
    return [(pk, query) for pk, query in rows]


def prepare_batch(
    items: Sequence[NormalizedItem],
    topics: Sequence[tuple[int, str]] | None = None,
    *,
    background: bool = False,
) -> PreparedBatch:
    """Normalize and dedupe within the batch and, given ``topics``, match them: pure, no
    database, so it may run in another thread ahead of the store.

    ``background``: this runs beside a thread that waits on the database, and hands the
    GIL over every ten items. Otherwise that thread, its answer in, waits for
    Python's switch interval (5 ms) at each of a batch's dozen queries: slower than
    not overlapping at all."""
    pause = _let_others_run if background else None
    result = IngestResult(received=len(items))
    rows = _prepare(items, result, pause)
    topic_ids = None if topics is None else _match(topics, [row.item for row in rows], pause)
    return PreparedBatch(rows=rows, result=result, topic_ids=topic_ids, topics=topics)


#: Items a background preparation handles between two hand-overs of the GIL (~0.2 ms).
_SLICE = 10


def _let_others_run() -> None:
    time.sleep(0)  # releases the GIL: a thread waiting for it takes it now


def _match(
    topics: Sequence[tuple[int, str]],
    items: list[NormalizedItem],
    pause: Callable[[], None] | None = None,
) -> list[set[int]]:
    matcher = enrich.optional_module("harken.listening.matcher")
    if matcher is None or not topics or not items:
        return [set() for _ in items]
    compiled = matcher.compile_topics(topics)
    step = _SLICE if pause else len(items)
    found: list[set[int]] = []
    for start in range(0, len(items), step):
        if pause:
            pause()
        found.extend(
            {int(getattr(t, "pk", t)) for t in matched}
            for matched in compiled.match_many(items[start : start + step])
        )
    return found


def store_batch(
    source: Source | None,
    batch: PreparedBatch,
    *,
    cursor: str | None = None,
    workspace: Workspace | None = None,
    enrichment: bool = True,
) -> IngestResult:
    """Store a prepared batch and ``source``'s cursor in one transaction (see ``ingest``)."""
    if workspace is None:
        workspace = _workspace_of(source)
    result = dataclasses.replace(batch.result, rejected=list(batch.result.rejected))
    _keep_statistics()
    with transaction.atomic():
        rows, topic_ids = _drop_known(workspace, batch.rows, batch.topic_ids, result)
        if rows:
            _store(workspace, source, rows, (topic_ids, batch.topics), result, enrichment)
            signals.mentions_stored.send(
                Mention, workspace=workspace, mention_ids=result.mention_ids
            )
        crash_point("stored")
        if source is not None and cursor is not None:
            source.cursor = cursor
            source.save(update_fields=["cursor"])
    return result


def _workspace_of(source: Source | None) -> Workspace:
    if source is None:
        raise ValueError("ingest needs a source or a workspace")
    return source.workspace


#: The tables whose lookups the pipeline plans on every batch, and the fields those
#: lookups filter, join and sort on.
_PLANNED: dict[type[Model], tuple[str, ...]] = {
    Mention: (
        "workspace",
        "network",
        "external_id",
        "fingerprint",
        "posted",
        "conversation",
        "duplicate_of",
    ),
    Author: ("workspace", "network", "external_id"),
    Conversation: ("workspace", "network", "root_external_id"),
}

# Never analyzed, or more than twice the rows the statistics know (and 100 more: a lookup
# planned on "empty" reads every row each time, and ANALYZE of a small table is quick).
# The live rows as pg_stat_user_tables counts them, read for these tables only: through
# the view, the same check took 0.7 ms a batch against 0.1.
_STALE = """
    SELECT c.relname FROM pg_class AS c WHERE c.oid = ANY(%s::regclass[])
    AND (c.reltuples < 0 OR pg_stat_get_live_tuples(c.oid) > 2 * c.reltuples + 100)
"""


def _keep_statistics() -> None:
    """ANALYZE the pipeline's tables on PostgreSQL when an ingest outgrew their statistics.

    Autovacuum analyzes a table after 10% of it changed, a minute later at best; a fresh
    install importing a file outgrows that many times over, and on a table it believes
    empty the planner reads a whole workspace for each lookup (quadratic in the batches).
    This is the "ANALYZE after a bulk load" of PostgreSQL's manual, done as the table
    doubles: a few times per install, each under a second. Outside a transaction only,
    so its lock is never held while the batch waits on another worker's rows.

    Only the columns those lookups use: a whole-table ANALYZE also sorts the sample's
    texts, URLs and JSON (190 ms against 85 ms for 50,000 mentions). It still counts the
    rows, and PostgreSQL then keeps the table's count of changes, so autovacuum still
    gives every column fresh statistics as usual."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    quote = connection.ops.quote_name
    columns = {
        str(model._meta.db_table): column_list(model, names) for model, names in _PLANNED.items()
    }
    try:
        with connection.cursor() as cursor:
            cursor.execute(_STALE, [list(columns)])
            for (table,) in cursor.fetchall():
                cursor.execute(f"ANALYZE {quote(table)} ({columns[table]})")
    except DatabaseError:  # not the tables' owner: slower plans, never a lost batch
        log.warning("Could not ANALYZE the ingest tables", exc_info=True)


def crash_point(name: str) -> None:
    """Die here, without cleanup, when HARKEN_CRASH_AT says so: the crash test's hook.

    ``HARKEN_CRASH_AT=stored:3`` kills the process the third time a batch reaches "stored"
    (mentions inserted, transaction not yet committed). Costs one dict lookup otherwise.
    """
    spec = os.environ.get("HARKEN_CRASH_AT")
    if not spec:
        return
    point, _, count = spec.partition(":")
    if point != name:
        return
    _CRASH_COUNTS[name] = _CRASH_COUNTS.get(name, 0) + 1
    if _CRASH_COUNTS[name] >= int(count or 1):
        os._exit(137)


_CRASH_COUNTS: dict[str, int] = {}


def _prepare(
    items: Sequence[NormalizedItem],
    result: IngestResult,
    pause: Callable[[], None] | None = None,
) -> list[Prepared]:
    rows: dict[tuple[str, str], Prepared] = {}
    for position, item in enumerate(items):
        if pause and position % _SLICE == 0:
            pause()
        try:
            row = prepare(item)
        except Rejected as exc:
            result.rejected.append((str(item.external_id), str(exc)))
            continue
        key = (row.network, row.external_id)
        if key in rows:
            result.known += 1
        else:
            rows[key] = row
    return list(rows.values())


def _drop_known(
    workspace: Workspace,
    rows: list[Prepared],
    topic_ids: list[set[int]] | None,
    result: IngestResult,
) -> tuple[list[Prepared], list[set[int]] | None]:
    """Dedupe against the database: one query per network (and 30,000 ids). Inside the
    storing transaction, however early the batch was prepared."""
    known: set[tuple[str, str]] = set()
    for network, group in _by_network(rows).items():
        ids = [row.external_id for row in group]
        where = {"workspace": workspace.pk, "network": network}
        known.update(
            (network, ext)
            for (ext,) in select_in(Mention, ["external_id"], where, "external_id", ids)
        )
    result.known += len(known)
    if not known:
        return rows, topic_ids
    keep = [_key(row) not in known for row in rows]
    kept_topics = None
    if topic_ids is not None:
        kept_topics = [t for t, kept in zip(topic_ids, keep, strict=True) if kept]
    return [row for row, kept in zip(rows, keep, strict=True) if kept], kept_topics


def _by_network(rows: Sequence[Prepared]) -> dict[str, list[Prepared]]:
    grouped: dict[str, list[Prepared]] = defaultdict(list)
    for row in rows:
        grouped[row.network].append(row)
    return grouped


def _store(
    workspace: Workspace,
    source: Source | None,
    rows: list[Prepared],
    matched: tuple[list[set[int]] | None, Sequence[tuple[int, str]] | None],
    result: IngestResult,
    enrichment: bool,
) -> None:
    analyses = enrich.analyze_rows(workspace, rows) if enrichment else [None] * len(rows)
    # Match after analysis, so `lang:` also works where the network gave no language.
    topic_ids = _topics_after_analysis(workspace, rows, matched, analyses)
    authors = _store_authors(workspace, rows)
    conversations: dict[tuple[str, str], int] = {}
    for network, group in _by_network(rows).items():
        for ext, conv in threads.assign_conversations(workspace, group).items():
            conversations[(network, ext)] = conv
    # Read before this batch is in: the stored originals its re-shares point at.
    firsts = _first_by_fingerprint(workspace, rows)
    now = timezone.now()
    # Read once: ``.pk`` goes through Django's descriptor, 3 lookups a row otherwise.
    owners = (workspace.pk, source.pk if source is not None else None)
    inserted = insert_ignoring_conflicts(
        Mention,
        MENTION_FIELDS,
        (
            _mention(owners, row, authors, conversations, analysis, now)
            for row, analysis in zip(rows, analyses, strict=True)
        ),
        returning=("network", "external_id", "id"),
    )
    ids = {(network, ext): pk for network, ext, pk in inserted}
    if len(ids) < len(rows):
        # Another worker stored these since _drop_known looked (the insert waited for its
        # commit): they are known, with that worker's topics, duplicates and alerts.
        result.known += len(rows) - len(ids)
        topic_ids = [t for row, t in zip(rows, topic_ids, strict=True) if _key(row) in ids]
        rows = [row for row in rows if _key(row) in ids]
    result.mention_ids = list(ids.values())
    result.stored = len(rows)
    _attach_topics(rows, topic_ids, ids)
    result.near_duplicates = _group_near_duplicates(rows, ids, firsts)
    threads.refresh(conversations.values())
    enrich.evaluate_alerts(workspace, result.mention_ids)


def _topics_after_analysis(
    workspace: Workspace,
    rows: list[Prepared],
    matched: tuple[list[set[int]] | None, Sequence[tuple[int, str]] | None],
    analyses: Sequence[dict[str, Any] | None],
) -> list[set[int]]:
    """The topics of each row, given the languages the analysis found: matched here, or,
    for a batch matched while it was prepared, matched again for the rows whose language
    only the analysis knows (the only input of a match that the analysis changes)."""
    items = _with_languages(rows, analyses)
    topic_ids, topics = matched
    if topic_ids is None or topics is None:
        return enrich.match_topics(workspace, items)
    if not _names_languages(topics):
        return topic_ids  # no topic says `lang:`: a language found changes no match
    changed = [
        i for i, (row, item) in enumerate(zip(rows, items, strict=True)) if item is not row.item
    ]
    if not changed:
        return topic_ids
    again = _match(topics, [items[i] for i in changed])
    topic_ids = list(topic_ids)
    for i, found in zip(changed, again, strict=True):
        topic_ids[i] = found
    return topic_ids


def _names_languages(topics: Sequence[tuple[int, str]]) -> bool:
    """Whether any of ``topics`` has a ``lang:`` term (when unsure: yes)."""
    matcher = enrich.optional_module("harken.listening.matcher")
    if matcher is None or not topics:
        return False
    return bool(getattr(matcher.compile_topics(topics), "languages", True))


def _with_languages(
    rows: list[Prepared], analyses: Sequence[dict[str, Any] | None]
) -> list[NormalizedItem]:
    items = []
    for row, analysis in zip(rows, analyses, strict=True):
        item = row.item
        if not item.language and analysis and analysis.get("language"):
            item = dataclasses.replace(item, language=analysis["language"])
        items.append(item)
    return items


def _store_authors(workspace: Workspace, rows: list[Prepared]) -> dict[tuple[str, str], int]:
    """Author id per (network, author id): insert the new ones, refresh handle and reach."""
    latest: dict[tuple[str, str], Prepared] = {}
    reach: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row.network, row.author_id)
        latest[key] = row
        if row.item.author_followers is not None:
            reach[key] = row.item.author_followers  # not every item carries it
    ids = _read_authors(workspace, latest, reach)
    missing = [(key, row) for key, row in latest.items() if key not in ids]
    now = timezone.now()
    inserted = insert_ignoring_conflicts(
        Author,
        ("workspace", "network", "external_id", "handle", "name", "followers", "first_seen"),
        (
            (workspace.pk, *key, *_author_values(row, reach.get(key), None), now)
            for key, row in missing
        ),
        returning=("network", "external_id", "id"),
    )
    ids.update(((network, ext), pk) for network, ext, pk in inserted)
    if len(inserted) < len(missing):  # another worker stored them first: read theirs
        ids.update(_read_authors(workspace, {k: r for k, r in missing if k not in ids}, reach))
    return ids


def _read_authors(
    workspace: Workspace, wanted: dict[tuple[str, str], Prepared], reach: dict[tuple[str, str], int]
) -> dict[tuple[str, str], int]:
    """Stored authors among ``wanted``; refreshes the handle, name and reach that changed."""
    found: dict[tuple[str, str], int] = {}
    stale = []
    for network, group in _by_network(list(wanted.values())).items():
        ids = sorted({row.author_id for row in group})
        where = {"workspace": workspace.pk, "network": network}
        fields = ["id", "external_id", "handle", "name", "followers"]
        for pk, ext, *stored in select_in(Author, fields, where, "external_id", ids):
            fresh = _author_values(wanted[(network, ext)], reach.get((network, ext)), stored)
            if fresh != tuple(stored):
                stale.append((*fresh, pk))
            found[(network, ext)] = pk
    update_by_pk(Author, ("handle", "name", "followers"), stale)
    return found


def _author_values(
    row: Prepared, followers: int | None, stored: list[Any] | None
) -> tuple[str, str, int | None]:
    """(handle, name, followers) from the batch, keeping stored values it does not give."""
    name = (row.item.author_name or (stored[1] if stored else ""))[:255]
    if followers is None and stored:
        followers = stored[2]
    return (row.author_handle, name, followers)


MENTION_FIELDS = (
    "workspace",
    "network",
    "external_id",
    "kind",
    "source",
    "author",
    "text",
    "url",
    "posted",
    "ingested",
    "in_reply_to",
    "is_own",
    "rating",
    "language",
    "sentiment",
    "sentiment_scores",
    "intents",
    "key_phrases",
    "priority",
    "priority_reasons",
    "fingerprint",
    "conversation",
)


def _mention(
    owners: tuple[int, int | None],
    row: Prepared,
    authors: dict[tuple[str, str], int],
    conversations: dict[tuple[str, str], int],
    analysis: dict[str, Any] | None,
    now: datetime,
) -> tuple[Any, ...]:
    """One row of MENTION_FIELDS; ``owners`` is (workspace id, source id or None)."""
    item = row.item
    found = analysis or {}
    return (
        owners[0],
        row.network,
        row.external_id,
        (item.kind or "post")[:16],
        owners[1],
        authors[(row.network, row.author_id)],
        row.text,
        row.url,
        row.posted,
        now,
        row.in_reply_to,
        item.is_own,
        clean_rating(item.rating),
        found.get("language") or (item.language or "")[:8],
        found.get("sentiment", ""),
        found.get("sentiment_scores", {}),
        found.get("intents", []),
        found.get("key_phrases", []),
        found.get("priority", 0),
        found.get("priority_reasons", ""),
        row.fingerprint,
        conversations[(row.network, row.external_id)],
    )


def _key(row: Prepared) -> tuple[str, str]:
    return (row.network, row.external_id)


def _attach_topics(
    rows: list[Prepared], topic_ids: list[set[int]], ids: dict[tuple[str, str], int]
) -> None:
    links = [
        (ids[(row.network, row.external_id)], topic_id)
        for row, matched in zip(rows, topic_ids, strict=True)
        for topic_id in matched
    ]
    insert_ignoring_conflicts(Mention.topics.through, ("mention", "topic"), links)


def _group_near_duplicates(
    rows: list[Prepared],
    ids: dict[tuple[str, str], int],
    firsts: dict[str, tuple[int, datetime]],
) -> int:
    """Point each re-share at the first mention with its fingerprint in the window before it."""
    printed = sorted((r for r in rows if r.fingerprint), key=lambda r: r.posted)
    originals: dict[int, list[int]] = defaultdict(list)
    for row in printed:
        pk = ids[_key(row)]
        first = firsts.get(row.fingerprint)
        if first is None or row.posted - first[1] > DUPLICATE_WINDOW:
            firsts[row.fingerprint] = (pk, row.posted)  # a new original (or a new window)
        else:
            originals[first[0]].append(pk)
    for original, copies in originals.items():
        Mention.objects.filter(pk__in=copies).update(duplicate_of_id=original)
    return sum(len(copies) for copies in originals.values())


def _first_by_fingerprint(
    workspace: Workspace, rows: list[Prepared]
) -> dict[str, tuple[int, datetime]]:
    """The earliest stored original per fingerprint of ``rows``, within the window before
    the batch's earliest: read before the batch is stored, so none of its own rows."""
    printed = [row for row in rows if row.fingerprint]
    if not printed:
        return {}
    earliest = min(row.posted for row in printed)
    candidates = select_in(
        Mention,
        ["fingerprint", "id", "posted"],
        {"workspace": workspace.pk},
        "fingerprint",
        sorted({row.fingerprint for row in printed}),
        extra="duplicate_of_id IS NULL AND posted >= %s",
        extra_params=[_datetime_param(earliest - DUPLICATE_WINDOW)],
        first_by=("posted", "id"),
    )
    firsts: dict[str, tuple[int, datetime]] = {}
    for fp, pk, posted in sorted(candidates, key=lambda c: (as_datetime(c[2]), c[1])):
        firsts.setdefault(fp, (pk, as_datetime(posted)))
    return firsts


def _datetime_param(moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)
