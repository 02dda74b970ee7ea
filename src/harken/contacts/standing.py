"""Advocates, detractors and recovered detractors, computed from stored mentions.

- An advocate wrote positive mentions more than once (ranked by how many, then reach).
- A detractor wrote at least one negative mention.
- A recovered detractor was answered (the conversation's first response came after their
  negative mention) and everything they wrote after that last answer is neutral or
  positive: the unhappy customer turned round, which the product exists to help do.

Reach is the followers of the contact's identities, summed across networks. Only the
customer's own mentions count (never our answers), and only enriched ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, F, QuerySet

from harken.contacts.models import Contact
from harken.core.models import Workspace
from harken.listening.models import Mention

POSITIVE, NEGATIVE = Mention.Sentiment.POSITIVE, Mention.Sentiment.NEGATIVE
#: Advocates have praised more than once: one kind word is a moment, two are a habit.
ADVOCATE_MIN = 2
KINDS = ("advocates", "detractors", "recovered")


@dataclass
class Standing:
    contact: Contact
    mentions: list[Mention] = field(default_factory=list)
    reach: int = 0
    answered_at: datetime | None = None

    def count(self, sentiment: str) -> int:
        return sum(1 for m in self.mentions if m.sentiment == sentiment)

    @property
    def positive(self) -> int:
        return self.count(POSITIVE)

    @property
    def negative(self) -> int:
        return self.count(NEGATIVE)

    @property
    def after_answer(self) -> list[Mention]:
        if self.answered_at is None:
            return []
        return [m for m in self.mentions if m.posted > self.answered_at]

    @property
    def recovered(self) -> bool:
        after = self.after_answer
        return bool(after) and all(m.sentiment != NEGATIVE for m in after)

    def evidence(self, kind: str) -> list[Mention]:
        """The messages that put this contact on the ``kind`` list, oldest first."""
        if kind == "advocates":
            return [m for m in self.mentions if m.sentiment == POSITIVE]
        if kind == "detractors":
            return [m for m in self.mentions if m.sentiment == NEGATIVE]
        answered = self.answered_at
        return [
            m
            for m in self.mentions
            if m.sentiment == NEGATIVE or (answered and m.posted > answered)
        ]


def standings(workspace: Workspace, kind: str | None = None) -> list[Standing]:
    """Contacts of ``workspace`` with enriched mentions, with their evidence; with ``kind``,
    only the candidates for that list (counted by the database first, so a workspace of
    many quiet authors loads the mentions of a few)."""
    mentions = Mention.objects.filter(
        workspace=workspace,
        is_own=False,
        sentiment__in=[POSITIVE, NEGATIVE, Mention.Sentiment.NEUTRAL],
        author__contact_identity__isnull=False,
    ).annotate(contact_id=F("author__contact_identity__contact_id"))
    if kind is not None:
        mentions = mentions.filter(
            author__contact_identity__contact_id__in=_candidates(mentions, kind)
        )
    by_contact: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions.select_related("author", "conversation").order_by("posted", "pk"):
        by_contact[mention.contact_id].append(mention)  # type: ignore[attr-defined]
    contacts = Contact.objects.filter(pk__in=by_contact, merged_into=None).prefetch_related(
        "identities"
    )
    result = []
    for contact in contacts:
        standing = Standing(contact, by_contact[contact.pk])
        authors = {m.author_id: m.author.followers or 0 for m in standing.mentions}
        standing.reach = sum(authors.values())
        standing.answered_at = _last_answer(standing.mentions)
        result.append(standing)
    return result


def _candidates(mentions: QuerySet[Mention], kind: str) -> QuerySet[Mention, Any]:
    """The contacts that may be on list ``kind``: enough praise, or any complaint."""
    sentiment, least = (POSITIVE, ADVOCATE_MIN) if kind == "advocates" else (NEGATIVE, 1)
    return (
        mentions.filter(sentiment=sentiment)
        .values("author__contact_identity__contact_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=least)
        .values("author__contact_identity__contact_id")
    )


def _last_answer(mentions: list[Mention]) -> datetime | None:
    """When we last answered a conversation holding one of these negative mentions."""
    answers = [
        m.conversation.first_response_at
        for m in mentions
        if m.sentiment == NEGATIVE
        and m.conversation is not None
        and m.conversation.first_response_at is not None
        and m.conversation.first_response_at >= m.posted
    ]
    return max(answers, default=None)


def listing(workspace: Workspace, kind: str) -> list[Standing]:
    """The contacts on list ``kind`` (advocates, detractors or recovered), ranked."""
    if kind not in KINDS:
        raise ValueError(kind)
    everyone = standings(workspace, kind)
    if kind == "advocates":
        chosen = [s for s in everyone if s.positive >= ADVOCATE_MIN]
        return sorted(chosen, key=lambda s: (-s.positive, -s.reach, s.contact.pk))
    if kind == "detractors":
        chosen = [s for s in everyone if s.negative >= 1]
        return sorted(chosen, key=lambda s: (-s.negative, -s.reach, s.contact.pk))
    if kind == "recovered":
        chosen = [s for s in everyone if s.negative >= 1 and s.recovered]
        return sorted(chosen, key=lambda s: (-s.reach, s.contact.pk))
    raise ValueError(kind)
