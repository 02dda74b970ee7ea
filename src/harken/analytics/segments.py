"""A segment filter: the figures of the people one imported segment holds ("region:
North", "age band: 65+", "customer status: Customer").

The rollups count everyone, not per segment (a contact's segments change with every
import, and would multiply the rows); a segment's figures are counted when asked, from
the mentions of the authors its contacts are linked to, through the same cells as the
rollups (``rollups.mention_cells``). That is the segment's own mentions only, never a
scan of the workspace's: a segment is people Harken knows, a few hundred or thousand."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from harken.analytics.days import bounds, zone_of
from harken.analytics.rollups import MENTION_FIELDS, mention_cells, our_posts, topics_of
from harken.contacts.models import Contact, Identity
from harken.core.models import Workspace
from harken.listening.models import Mention

if TYPE_CHECKING:
    from harken.analytics.periods import Period

#: The dimension every contact has (the Typical customer page's name for it).
STATUS = "customer status"
STATUS_LABELS = dict(Contact.Status.choices)
#: Values offered per dimension in the picker, and dimensions in all.
MAX_VALUES, MAX_DIMENSIONS = 30, 12

#: (day, network, topic, account, dimension, key) → count, reach, positive, negative.
Cube = dict[tuple[dt.date, str, int, int, str, str], list[int]]


@dataclass(frozen=True)
class Segment:
    dimension: str
    value: str
    #: The cubes counted for this request, by period: never compared.
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def param(self) -> str:
        return f"{self.dimension}={self.value}"

    def __str__(self) -> str:
        return f"{self.dimension}: {self.value}"


def parse(raw: str | None) -> Segment | None:
    """``dimension=value`` from the URL, or None (nothing chosen, or malformed)."""
    dimension, sep, value = (raw or "").partition("=")
    dimension, value = dimension.strip()[:60], value.strip()[:200]
    if not sep or not dimension or not value:
        return None
    return Segment(dimension, value)


def offered(workspace: Workspace) -> list[tuple[str, list[str]]]:
    """Each segment dimension of the workspace's contacts with its values, for the picker
    (cached until a contact changes: reading every contact's segments is not per page)."""
    version = Contact.objects.filter(workspace=workspace).aggregate(u=Max("updated"), n=Count("pk"))
    key = "segments:" + hashlib.sha256(f"{workspace.pk}|{version}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _offered(workspace)
        cache.set(key, found, 3600)
    return found


def _offered(workspace: Workspace) -> list[tuple[str, list[str]]]:
    values: dict[str, set[str]] = defaultdict(set)
    rows = Contact.objects.filter(workspace=workspace, merged_into=None)
    for status, segments in rows.values_list("status", "segments").iterator(chunk_size=2000):
        values[STATUS].add(STATUS_LABELS.get(status, status))
        if isinstance(segments, dict):
            for name, value in segments.items():
                if value not in (None, "") and str(name) != STATUS:
                    values[str(name)[:60]].add(str(value).strip()[:200])
    if len(values) == 1 and len(values[STATUS]) < 2:
        return []  # contacts all of one status and nothing imported: nothing to filter by
    names = [STATUS, *sorted((n for n in values if n != STATUS), key=str.lower)]
    return [
        (name, sorted(values[name], key=str.lower)[:MAX_VALUES])
        for name in names[:MAX_DIMENSIONS]
        if values.get(name)
    ]


def contacts(workspace: Workspace, segment: Segment) -> QuerySet[Contact]:
    """The workspace's contacts in ``segment``. The dimension is read with a key
    transform, never spliced into a lookup: it is text a person typed."""
    rows = Contact.objects.filter(workspace=workspace, merged_into=None)
    if segment.dimension == STATUS:
        codes = [code for code, label in STATUS_LABELS.items() if label == segment.value]
        return rows.filter(status__in=codes or [segment.value])
    # Cast to text: a key transform's own "exact" compares JSON, and the value is plain.
    value = Cast(KeyTextTransform(segment.dimension, "segments"), TextField())
    return rows.annotate(_value=value).filter(_value=segment.value)


def authors(workspace: Workspace, segment: Segment) -> QuerySet[Identity, Any]:
    """The author ids of the segment's people (a subquery, never a list in memory)."""
    return Identity.objects.filter(
        workspace=workspace,
        author__isnull=False,
        contact__in=contacts(workspace, segment).values("pk"),
    ).values("author_id")


def cube(workspace: Workspace, segment: Segment, period: Period) -> Cube:
    """The segment's mentions of ``period`` counted into the rollups' cells, per day."""
    memo_key = (period.first, period.last)
    if memo_key in segment.memo:
        return segment.memo[memo_key]  # type: ignore[no-any-return]
    zone = zone_of(workspace)
    mentions = _heard(workspace, segment, period)
    rows = list(mentions.values_list(*MENTION_FIELDS, "posted"))
    topics = topics_of(mentions) if rows else {}
    posts = our_posts(workspace) if any(row[8] for row in rows) else {}
    found: Cube = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        day = row[-1].astimezone(zone).date()
        network, sentiment, followers = row[1], row[2], row[7]
        pos, neg = int(sentiment == "positive"), int(sentiment == "negative")
        for topic, account, dimension, key in mention_cells(row[:-1], topics, posts):
            cell = found[(day, network, topic, account, dimension, key)]
            cell[0] += 1
            cell[1] += followers or 0
            cell[2] += pos
            cell[3] += neg
    segment.memo[memo_key] = found
    return found


def _heard(workspace: Workspace, segment: Segment, period: Period) -> QuerySet[Mention]:
    """The segment's people's public mentions of ``period`` (direct messages are private:
    they never reach the public figures)."""
    zone = zone_of(workspace)
    start, end = bounds(period.first, zone)[0], bounds(period.last, zone)[1]
    return Mention.objects.filter(
        workspace=workspace,
        is_own=False,
        posted__gte=start,
        posted__lt=end,
        author_id__in=authors(workspace, segment),
    ).exclude(kind="message")


def people_heard(
    workspace: Workspace, segment: Segment, period: Period, network: str = ""
) -> tuple[int, int]:
    """How many of the segment's people mentioned us in ``period``, and how many of them
    replied to one of our published posts (people, not mentions: a contact's identities
    on several networks are one person). Read from the segment's own mentions."""
    mentions = _heard(workspace, segment, period)
    if network:
        mentions = mentions.filter(network=network)
    rows = list(mentions.values_list("author_id", "network", "in_reply_to"))
    if not rows:
        return 0, 0
    posts = our_posts(workspace) if any(parent for _, _, parent in rows) else {}
    replied = {author for author, net, parent in rows if parent and (net, parent) in posts}
    person = dict(
        Identity.objects.filter(
            workspace=workspace,
            author_id__in={author for author, _, _ in rows},
            contact__in=contacts(workspace, segment).values("pk"),
        ).values_list("author_id", "contact_id")
    )
    return (
        len({person[a] for a, _, _ in rows if a in person}),
        len({person[a] for a in replied if a in person}),
    )
