"""The typical customer's figures for one scope: votes and segments read from the stored
mentions, identities and contacts, then computed by ``harken.analytics.voice``.

A person is a contact (an identity linked to a heard author; a merged contact counts as
the one it was merged into) or, where no contact claims the author, the author alone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max

from harken.analytics import voice
from harken.analytics.load import instants, people_version
from harken.analytics.models import CustomerBase
from harken.analytics.periods import Scope
from harken.analytics.segments import authors
from harken.contacts.models import Contact, Identity
from harken.listening.models import Mention

#: The dimension every contact has, whatever the import held.
STATUS = "customer status"
STATUS_LABELS = dict(Contact.Status.choices)
#: Seconds the figures stay cached while nothing they rest on changes.
CACHED_FOR = 600


@dataclass
class Typical:
    """What the "Typical customer" page and the report show."""

    dimension: str
    dimensions: list[str]
    #: "entered" (a manager's customer base) or "contacts" (derived from the imports).
    base_source: str
    base: dict[str, float]
    by_message: voice.Split
    by_person: voice.Split
    negative: voice.Estimate
    positive: voice.Estimate
    #: People heard from whom no contact places in the dimension.
    unplaced: int
    quiet: list[voice.Quiet] = field(default_factory=list)


def votes(scope: Scope) -> list[voice.Vote]:
    """Messages per author and sentiment in the scope, joined into persons."""
    start, end = instants(scope, scope.period)
    rows = Mention.objects.filter(
        workspace=scope.workspace, is_own=False, posted__gte=start, posted__lt=end
    ).exclude(sentiment="")
    if scope.network:
        rows = rows.filter(network=scope.network)
    if scope.topic:
        rows = rows.filter(topics=scope.topic)
    if scope.segment is not None:
        rows = rows.filter(author_id__in=authors(scope.workspace, scope.segment))
    counted = rows.values_list("author_id", "sentiment").annotate(n=Count("id")).order_by()
    person = persons(scope)
    return [voice.Vote(person.get(a, f"a{a}"), s, n) for a, s, n in counted]


def persons(scope: Scope) -> dict[int, str]:
    """Author id → "c<contact id>" for every author a contact claims."""
    linked = Identity.objects.filter(workspace=scope.workspace, author__isnull=False)
    return {
        author: f"c{merged or contact}"
        for author, contact, merged in linked.values_list(
            "author_id", "contact_id", "contact__merged_into_id"
        )
    }


def _contacts(scope: Scope) -> list[tuple[int, str, dict[str, object]]]:
    rows = Contact.objects.filter(workspace=scope.workspace, merged_into=None)
    return list(rows.values_list("pk", "status", "segments"))


def _value(dimension: str, status: str, segments: dict[str, object]) -> str:
    if dimension == STATUS:
        return STATUS_LABELS.get(status, status)
    value = segments.get(dimension) if isinstance(segments, dict) else None
    return str(value).strip()[:200] if value not in (None, "") else ""


def dimensions(scope: Scope, contacts: Iterable[tuple[int, str, dict[str, object]]]) -> list[str]:
    """The customer status, the dimensions a manager entered, and every imported one."""
    keys = set(
        CustomerBase.objects.filter(workspace=scope.workspace).values_list("dimension", flat=True)
    )
    for _, _, segments in contacts:
        if isinstance(segments, dict):
            keys.update(str(k) for k in segments)
    return [STATUS, *sorted(keys - {STATUS}, key=str.lower)][:24]


def customer_base(scope: Scope, dimension: str, values: Iterable[str]) -> tuple[dict, str]:
    """The entered base for ``dimension`` or, failing that, the contacts' own shares."""
    entered = CustomerBase.objects.filter(workspace=scope.workspace, dimension=dimension)
    base = {row.segment: row.share for row in entered.order_by("segment")}
    if base:
        return base, "entered"
    return voice.base_from_contacts(values), "contacts"


def typical(scope: Scope, dimension: str = "") -> Typical:
    """The figures for ``scope``, kept in the cache until a mention, a contact or the
    customer base changes (the page and the report ask again and again)."""
    parts = "|".join(
        str(part)
        for part in (
            scope.workspace.pk,
            scope.workspace.created.isoformat() if scope.workspace.created else "",
            scope.period.first,
            scope.period.last,
            scope.network,
            scope.topic,
            scope.segment.param if scope.segment else "",
            dimension,
            *_version(scope),
        )
    )
    # Hashed: a dimension's name is user text, and cache keys must be plain.
    key = "typical:" + hashlib.sha256(parts.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute(scope, dimension)
        cache.set(key, found, CACHED_FOR)
    return found


def _version(scope: Scope) -> tuple[object, ...]:
    """What changes whenever the figures could (``load.people_version``), and the newest
    mention of a workspace whose rollups have not caught up yet."""
    version = people_version(scope)
    if not version[0]:  # never rolled up: the watermark says nothing yet
        newest = Mention.objects.filter(workspace=scope.workspace).aggregate(m=Max("pk"))["m"]
        return (newest, *version)
    return version


def compute(scope: Scope, dimension: str = "") -> Typical:
    contacts = _contacts(scope)
    offered = dimensions(scope, contacts)
    if dimension not in offered:
        entered = CustomerBase.objects.filter(workspace=scope.workspace).order_by("dimension")
        first = entered.values_list("dimension", flat=True).first()
        dimension = first or (offered[1] if len(offered) > 1 else STATUS)
    value_of = {f"c{pk}": _value(dimension, status, segs) for pk, status, segs in contacts}
    base, source = customer_base(scope, dimension, value_of.values())
    heard = votes(scope)
    shares = voice.people(heard)
    segment_of = {p: v for p, v in value_of.items() if v}
    negative = voice.weighted(heard, segment_of, base, "negative", shares=shares)
    positive = voice.weighted(heard, segment_of, base, "positive", shares=shares)
    quiet = voice.not_heard(dimension, negative.segments)
    if dimension != STATUS:
        status_values = [_value(STATUS, s, {}) for _, s, _ in contacts]
        status_base, _ = customer_base(scope, STATUS, status_values)
        status_of = {f"c{pk}": _value(STATUS, s, {}) for pk, s, _ in contacts}
        by_status = voice.weighted(
            heard, status_of, status_base, "negative", resamples=1, shares=shares
        )
        quiet += [
            q
            for q in voice.not_heard(STATUS, by_status.segments)
            if q.segment != STATUS_LABELS[Contact.Status.CUSTOMER]
        ]
    return Typical(
        dimension=dimension,
        dimensions=offered,
        base_source=source,
        base=base,
        by_message=voice.by_message(heard),
        by_person=voice.by_person_of(shares),
        negative=negative,
        positive=positive,
        unplaced=sum(1 for p in shares if segment_of.get(p, "") not in base),
        quiet=quiet,
    )
