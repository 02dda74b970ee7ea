"""Advocates, detractors and recovered detractors, computed from stored mentions.

- An advocate wrote positive mentions more than once (ranked by how many, then reach).
- A detractor wrote at least one negative mention.
- A recovered detractor was answered (the conversation's first response came after their
  negative mention) and everything they wrote after that last answer is neutral or
  positive: the unhappy customer turned round, which the product exists to help do.

Reach is the followers of the contact's identities, summed across networks. Only the
customer's own mentions count (never our answers), and only enriched ones.

Advocates and detractors are ranked by the database (counts a contact, reach a contact),
and only the contacts shown are read as light rows (a tuple a mention); the messages
shown as evidence are loaded afterwards, only for those contacts and as many as shown.
At 50,000 mentions this took a page from seconds to what its shown rows cost.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from harken.contacts.models import Contact, Identity
from harken.core.models import Workspace
from harken.listening.models import Mention

POSITIVE, NEGATIVE = Mention.Sentiment.POSITIVE, Mention.Sentiment.NEGATIVE
#: Advocates have praised more than once: one kind word is a moment, two are a habit.
ADVOCATE_MIN = 2
KINDS = ("advocates", "detractors", "recovered")
#: Up to this many contacts, ``ranked`` reads their reach by id.
REACH_BY_ID = 2000
CONTACT = "author__contact_identity__contact_id"


@dataclass(frozen=True)
class Fact:
    """What the lists need of one mention."""

    pk: int
    author_id: int
    followers: int
    sentiment: str
    posted: datetime
    #: When we first answered the mention's conversation, if we did.
    answered: datetime | None


@dataclass
class Standing:
    #: A merged contact has no identities left, so every id here is a contact shown.
    contact_id: int
    facts: list[Fact] = field(default_factory=list)
    reach: int = 0
    answered_at: datetime | None = None
    messages: dict[int, Mention] = field(default_factory=dict)
    contact: Contact = field(init=False)

    def count(self, sentiment: str) -> int:
        return sum(1 for f in self.facts if f.sentiment == sentiment)

    @property
    def positive(self) -> int:
        return self.count(POSITIVE)

    @property
    def negative(self) -> int:
        return self.count(NEGATIVE)

    @property
    def recovered(self) -> bool:
        if self.answered_at is None:
            return False
        after = [f for f in self.facts if f.posted > self.answered_at]
        return bool(after) and all(f.sentiment != NEGATIVE for f in after)

    def evidence_facts(self, kind: str) -> list[Fact]:
        """The mentions that put this contact on the ``kind`` list, oldest first."""
        if kind == "advocates":
            return [f for f in self.facts if f.sentiment == POSITIVE]
        if kind == "detractors":
            return [f for f in self.facts if f.sentiment == NEGATIVE]
        answered = self.answered_at
        return [
            f
            for f in self.facts
            if f.sentiment == NEGATIVE or (answered is not None and f.posted > answered)
        ]

    def evidence(self, kind: str) -> list[Mention]:
        """The loaded messages of ``evidence_facts`` (see ``load_evidence``)."""
        return [self.messages[f.pk] for f in self.evidence_facts(kind) if f.pk in self.messages]


def _enriched(workspace: Workspace) -> QuerySet[Mention]:
    """The customers' own mentions with a sentiment, of authors that have a contact."""
    return Mention.objects.filter(
        workspace=workspace,
        is_own=False,
        sentiment__in=[POSITIVE, NEGATIVE, Mention.Sentiment.NEUTRAL],
        author__contact_identity__isnull=False,
    )


def standings(
    workspace: Workspace, kind: str | None = None, contact_ids: list[int] | None = None
) -> list[Standing]:
    """Contacts of ``workspace`` with enriched mentions; with ``kind``, only the candidates
    for that list (counted by the database first, so a workspace of many quiet authors
    reads the mentions of a few); with ``contact_ids``, only those contacts."""
    mentions = _enriched(workspace)
    if contact_ids is not None:
        mentions = mentions.filter(**{f"{CONTACT}__in": contact_ids})
    elif kind is not None:
        mentions = mentions.filter(**{f"{CONTACT}__in": _candidates(mentions, kind)})
    rows = mentions.order_by("posted", "pk").values_list(
        CONTACT,
        "pk",
        "author_id",
        "author__followers",
        "sentiment",
        "posted",
        "conversation__first_response_at",
    )
    by_contact: dict[int, list[Fact]] = defaultdict(list)
    for contact_id, pk, author_id, followers, sentiment, posted, answered in rows:
        by_contact[contact_id].append(
            Fact(pk, author_id, followers or 0, sentiment, posted, answered)
        )
    result = []
    for contact_id, facts in by_contact.items():
        reach = sum({f.author_id: f.followers for f in facts}.values())
        result.append(Standing(contact_id, facts, reach, _last_answer(facts)))
    return result


def _candidates(mentions: QuerySet[Mention], kind: str) -> QuerySet[Mention, Any]:
    """The contacts that may be on list ``kind``: enough praise, or any complaint."""
    sentiment, least = (POSITIVE, ADVOCATE_MIN) if kind == "advocates" else (NEGATIVE, 1)
    return (
        mentions.filter(sentiment=sentiment)
        .values(CONTACT)
        .annotate(n=Count("pk"))
        .filter(n__gte=least)
        .values(CONTACT)
    )


def ranked(workspace: Workspace, kind: str, limit: int | None = None) -> list[int]:
    """The ids of the first ``limit`` advocates or detractors, ranked by the database's
    counts: most praise (or complaints) first, then reach, then the older contact.

    The database orders by the count; reach breaks ties, so it is read only for the
    contacts down to the ``limit``-th one's count (those tied with it included), not for
    every contact of the workspace: at 1,000,000 mentions most detractors are past it."""
    sentiment, least = (POSITIVE, ADVOCATE_MIN) if kind == "advocates" else (NEGATIVE, 1)
    counted = list(
        _enriched(workspace)
        .filter(sentiment=sentiment)
        .values(CONTACT)
        .annotate(n=Count("pk"))
        .filter(n__gte=least)
        .order_by("-n", CONTACT)
        .values_list(CONTACT, "n")
    )
    if limit is not None and len(counted) > limit:
        cut = counted[limit - 1][1]
        counted = [(contact, n) for contact, n in counted if n >= cut]
    counts = dict(counted)
    # A long tie (thousands of one-complaint detractors) reads every reach instead of
    # naming them all in one query (SQLite's limit on parameters).
    few = limit is not None and len(counts) <= REACH_BY_ID
    reach = _reach(workspace, list(counts) if few else None)
    order = sorted(counts, key=lambda c: (-counts[c], -reach.get(c, 0), c))
    return order[:limit]


#: Recovered detractors, by the database, in one pass over the workspace's enriched
#: mentions: each contact's last answer (the latest first response at or after one of
#: their negative mentions, a window over the contact's rows), then those with mentions
#: after it and no negative one among them. Every join is on a key and kept to the
#: workspace: the earlier form joined each detractor's last answer to the mentions by time
#: range, and with statistics behind a bulk load PostgreSQL looped it (1.8 s at 100,000
#: mentions, minutes at 1,000,000). Plain SQL: the ORM has no window over a join's rows.
RECOVERED_SQL = """
SELECT f.contact_id
FROM (
    SELECT i.contact_id AS contact_id, m.posted AS posted, m.sentiment AS sentiment,
           MAX(CASE WHEN m.sentiment = %s AND c.first_response_at >= m.posted
                    THEN c.first_response_at END)
               OVER (PARTITION BY i.contact_id) AS last_answer
    FROM listening_mention m
    JOIN contacts_identity i ON i.author_id = m.author_id AND i.workspace_id = %s
    LEFT JOIN inbox_conversation c ON c.id = m.conversation_id AND c.workspace_id = %s
    WHERE m.workspace_id = %s AND m.is_own = %s AND m.sentiment IN (%s, %s, %s)
) f
WHERE f.last_answer IS NOT NULL AND f.posted > f.last_answer
GROUP BY f.contact_id
HAVING SUM(CASE WHEN f.sentiment = %s THEN 1 ELSE 0 END) = 0
"""


def recovered_ids(workspace: Workspace, limit: int | None = None) -> list[int]:
    """The ids of the first ``limit`` recovered detractors, by reach (see ``RECOVERED_SQL``)."""
    sentiments = [str(POSITIVE), str(NEGATIVE), str(Mention.Sentiment.NEUTRAL)]
    params: list[int | bool | str] = [str(NEGATIVE), workspace.pk, workspace.pk]
    params += [workspace.pk, False, *sentiments, str(NEGATIVE)]
    with connection.cursor() as cursor:
        cursor.execute(RECOVERED_SQL, params)
        found = [row[0] for row in cursor.fetchall()]
    reach = _reach(workspace, found)
    return sorted(found, key=lambda c: (-reach.get(c, 0), c))[:limit]


def _reach(workspace: Workspace, contact_ids: list[int] | None = None) -> dict[int, int]:
    """Followers summed over each contact's identities that wrote an enriched mention (of
    ``contact_ids`` only, when given: the recovered few, not every contact)."""
    wrote = _enriched(workspace).filter(author_id=OuterRef("author_id"))
    identities = Identity.objects.filter(workspace=workspace, author__isnull=False)
    if contact_ids is not None:
        identities = identities.filter(contact_id__in=contact_ids)
    rows = (
        identities.filter(Exists(wrote))
        .values("contact_id")
        .annotate(reach=Sum("author__followers"))
        .values_list("contact_id", "reach")
    )
    return {contact_id: reach or 0 for contact_id, reach in rows}


def _last_answer(facts: list[Fact]) -> datetime | None:
    """When we last answered a conversation holding one of these negative mentions."""
    answers = [
        f.answered
        for f in facts
        if f.sentiment == NEGATIVE and f.answered is not None and f.answered >= f.posted
    ]
    return max(answers, default=None)


def load_evidence(rows: list[Standing], kind: str, each: int | None = None) -> None:
    """Load the messages shown as evidence: the first ``each`` of every row (all: None)."""
    pks = [f.pk for s in rows for f in s.evidence_facts(kind)[:each]]
    fields = ("pk", "network", "text", "url", "posted", "sentiment")
    found = Mention.objects.only(*fields).in_bulk(pks)
    for standing in rows:
        standing.messages = {
            f.pk: found[f.pk] for f in standing.evidence_facts(kind)[:each] if f.pk in found
        }


def listing(
    workspace: Workspace, kind: str, limit: int | None = None, each: int | None = 20
) -> list[Standing]:
    """The first ``limit`` contacts on list ``kind`` (advocates, detractors or recovered),
    ranked, with the first ``each`` messages of their evidence loaded."""
    if kind not in KINDS:
        raise ValueError(kind)
    # A page (``limit``) reads only the contacts it shows; the export reads them all.
    if kind in ("advocates", "detractors") and limit is not None:
        everyone = standings(workspace, contact_ids=ranked(workspace, kind, limit))
    elif kind == "recovered" and limit is not None:
        everyone = standings(workspace, contact_ids=recovered_ids(workspace, limit))
    else:
        everyone = standings(workspace, kind)
    if kind == "advocates":
        chosen = [s for s in everyone if s.positive >= ADVOCATE_MIN]
        chosen.sort(key=lambda s: (-s.positive, -s.reach, s.contact_id))
    elif kind == "detractors":
        chosen = [s for s in everyone if s.negative >= 1]
        chosen.sort(key=lambda s: (-s.negative, -s.reach, s.contact_id))
    else:
        chosen = [s for s in everyone if s.negative >= 1 and s.recovered]
        chosen.sort(key=lambda s: (-s.reach, s.contact_id))
    chosen = chosen[:limit]
    contacts = Contact.objects.prefetch_related("identities").in_bulk(
        [s.contact_id for s in chosen]
    )
    chosen = [s for s in chosen if s.contact_id in contacts]
    for standing in chosen:
        standing.contact = contacts[standing.contact_id]
    load_evidence(chosen, kind, each)
    return chosen
