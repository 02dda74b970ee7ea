"""Each conversation's place in the queue, from its unanswered messages.

The score is ``harken.analysis.priority`` of what the customer is waiting on: the most
pressing intent and the most negative sentiment of the messages since our last answer,
the author's reach, how long they have waited, and the fairness term (an author's tenth
message today must not outrank someone's first). Threading calls ``reprioritize`` for the
conversations a batch touched; a queue task calls it as time passes, since waiting counts.
The reasons are stored without the wait, which the inbox shows live.

Two kinds of mention owe no answer, however the analysis read their words, and a
conversation of nothing else is filed under them, with no wait, no due time and no aging,
out of the views that owe answers:

- a mention about a competitor alone (it matched a competitor topic and none of the
  brand's): "Tried Rival Rings for a resize, took ten days" grieves at a rival, not at us;
- a re-share (an X retweet, "RT @someone: ..." anywhere, a connector's "repost"): nobody
  to answer, the original's author said it; it counts as the original's reach
  (``Mention.duplicate_of``), not as a conversation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from harken.analysis.intents import INTENTS
from harken.analysis.priority import INTENT_POINTS, priority
from harken.inbox.models import Conversation, Message
from harken.inbox.routing import route_new
from harken.inbox.sla import update_due
from harken.inbox.states import State
from harken.listening.bulk import as_datetime, select_in, update_by_pk
from harken.listening.models import Author, Mention, Topic

FIELDS = ("priority", "priority_reasons", "intent", "sentiment", "waiting_since")
SENTIMENT_ORDER = {"negative": 0, "neutral": 1, "positive": 2, "": 3}
DAY = timedelta(days=1)
#: The intents of a conversation about a competitor alone, and of one of re-shares alone
#: (see the module's words).
COMPETITOR = "competitor_mention"
RESHARE = "reshare"
NOT_OWED = (COMPETITOR, RESHARE)
#: What the inbox files a conversation under: the analysis's intents and these.
INBOX_INTENTS = (*INTENTS, *NOT_OWED)
#: A connector's kind for a re-share it reads (a Bluesky repost, a Mastodon boost).
RESHARE_KINDS = ("repost",)


class Entry(NamedTuple):
    """One message of a conversation's timeline, as the priority reads it."""

    posted: datetime
    own: bool
    author: int
    intents: Any  # a list, or the database's JSON text of one
    sentiment: str


def _json_list(value: Any) -> list[str]:
    if not value or value == "[]":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [str(v) for v in value or []]


def read_timelines(ids: list[int]) -> dict[int, list[Entry]]:
    """Each conversation's mentions and the replies we sent from Harken."""
    fields = ["conversation", "posted", "is_own", "author", "intents", "sentiment"]
    timelines: dict[int, list[Entry]] = defaultdict(list)
    for conv, posted, own, author, intents, sentiment in select_in(
        Mention, fields, {}, "conversation", ids
    ):
        timelines[conv].append(Entry(as_datetime(posted), bool(own), author, intents, sentiment))
    for conv, sent_at in Message.objects.filter(
        conversation_id__in=ids, state=State.SENT, sent_at__isnull=False
    ).values_list("conversation_id", "sent_at"):
        if sent_at is not None:
            timelines[conv].append(Entry(sent_at, True, 0, None, ""))
    return timelines


def reprioritize(
    conversation_ids: Iterable[int],
    now: datetime | None = None,
    timelines: dict[int, list[Entry]] | None = None,
) -> int:
    """Recompute priority, reasons, intent, sentiment and waiting time; returns rows changed.
    ``timelines``: what the caller already read (threading), else read here."""
    ids = sorted(set(conversation_ids))
    if not ids:
        return 0
    now = now or timezone.now()
    if timelines is None:
        timelines = read_timelines(ids)
    unowed = not_owed(ids)
    pending = {
        conv: _pending(
            [
                (
                    e.posted,
                    e.own,
                    e.author,
                    [unowed[(conv, e.author, e.posted)]]
                    if (conv, e.author, e.posted) in unowed
                    else _json_list(e.intents),
                    e.sentiment or "",
                )
                for e in sorted(entries, key=lambda e: (e.posted, e.own))
            ]
        )
        for conv, entries in timelines.items()
    }
    authors = sorted({e[2] for rows in pending.values() for e in rows})
    followers = dict(select_in(Author, ["id", "followers"], {}, "id", authors))
    recent = _recent_counts(authors, now)
    changed = []
    names = ["id", *FIELDS]
    for values in select_in(Conversation, names, {}, "id", ids):
        state = dict(zip(names, values, strict=True))
        state["waiting_since"] = as_datetime(state["waiting_since"])
        before = [state[name] for name in FIELDS]
        after = _score(pending.get(state["id"], []), followers, recent, now)
        if after != before:
            changed.append((*after, state["id"]))
    update_by_pk(Conversation, FIELDS, changed)
    # The answer's due time follows the wait and the intent; a conversation seen for the
    # first time goes to the assignment rules once this transaction is stored.
    update_due(ids)
    route_new(ids)
    return len(changed)


def not_owed(ids: list[int]) -> dict[tuple[int, int, datetime], str]:
    """(conversation, author, posted) of the mentions in these conversations that owe no
    answer, with why: ``RESHARE`` or ``COMPETITOR`` (matched a competitor topic and no
    brand topic; a direct message is written to us whatever it names). One query per 500
    conversations, which returns only those mentions."""
    links = Mention.topics.through.objects.filter(mention_id=OuterRef("pk"))
    rival = Exists(links.filter(topic__kind=Topic.Kind.COMPETITOR)) & ~Exists(
        links.filter(topic__kind=Topic.Kind.BRAND)
    )
    reshare = Q(text__istartswith="rt @") | Q(kind__in=RESHARE_KINDS)
    found: dict[tuple[int, int, datetime], str] = {}
    for start in range(0, len(ids), 500):
        rows = (
            Mention.objects.filter(conversation_id__in=ids[start : start + 500], is_own=False)
            .filter(reshare | (rival & ~Q(kind="message")))  # a direct message
            .annotate(is_reshare=ExpressionWrapper(reshare, output_field=BooleanField()))
            .values_list("conversation_id", "author_id", "posted", "is_reshare")
        )
        for conv, author, posted, is_reshare in rows:
            found[(conv, author, as_datetime(posted))] = RESHARE if is_reshare else COMPETITOR
    return found


def _recent_counts(authors: list[int], now: datetime) -> dict[int, int]:
    """Each author's messages in the last day (the fairness term's count)."""
    if not authors:
        return {}
    return dict(
        Mention.objects.filter(author_id__in=authors, is_own=False, posted__gte=now - DAY)
        .values("author")
        .annotate(n=Count("id"))
        .values_list("author", "n")
    )


#: Between intents worth the same points, the one a view should file it under: a question
#: about buying is purchase intent.
TIES = ("complaint", "purchase_intent", "question")


def _intent_rank(intent: str) -> tuple[int, int, str]:
    tie = TIES.index(intent) if intent in TIES else len(TIES)
    return (-INTENT_POINTS.get(intent, 0), tie, intent)


def _pending(
    timeline: list[tuple[datetime, bool, int, list[str], str]],
) -> list[tuple[datetime, bool, int, list[str], str]]:
    """The customer's messages since our last answer (all of them if we never answered,
    the last exchange's if we answered last, so a waiting row keeps its reasons)."""
    last_own = max((i for i, e in enumerate(timeline) if e[1]), default=-1)
    after = [e for e in timeline[last_own + 1 :] if not e[1]]
    if after:
        return after
    # Answered: keep the last message's reasons; "own" marks that nobody waits.
    return [(*e[:1], True, *e[2:]) for e in timeline[: max(last_own, 0)] if not e[1]][-1:]


def _score(
    pending: list[tuple[datetime, bool, int, list[str], str]],
    followers: dict[int, int | None],
    recent: dict[int, int],
    now: datetime,
) -> list[Any]:
    if not pending:
        return [0, "", "", "", None]
    intents = sorted({i for e in pending for i in e[3]}, key=_intent_rank)
    if intents and set(intents) <= set(NOT_OWED):
        return _not_owed(pending, followers, COMPETITOR if COMPETITOR in intents else RESHARE)
    sentiment = min((e[4] for e in pending), key=lambda s: SENTIMENT_ORDER.get(s, 3))
    last = pending[-1]
    author = last[2]
    count = max(1, recent.get(author, 1))
    answered = pending[0][1]
    waiting = None if answered else pending[0][0]
    scored = priority(
        SimpleNamespace(intents=intents, sentiment=sentiment or "neutral"),
        followers=followers.get(author),
        is_customer=False,
        waiting_seconds=(now - waiting).total_seconds() if waiting else 0,
        author_recent_count=count,
        aging=True,  # recomputed as time passes: a long wait outranks anything new
    )
    reasons = [r for r in scored.reasons if not r.startswith("waiting ")]
    if count == 1 and not answered and "spam" not in intents:
        reasons.append("first message")
    top = intents[0] if intents else ""
    return [scored.score, " · ".join(reasons)[:255], top, sentiment, waiting]


def _not_owed(
    pending: list[tuple[datetime, bool, int, list[str], str]],
    followers: dict[int, int | None],
    intent: str,
) -> list[Any]:
    """A conversation that owes no answer (about a competitor alone, or re-shares alone):
    nobody waits for us, so no wait, no aging and no fairness count; its rank is what any
    chatter's is (its reach aside). Its sentiment is the author's, kept as said."""
    sentiment = min((e[4] for e in pending), key=lambda s: SENTIMENT_ORDER.get(s, 3))
    author = pending[-1][2]
    scored = priority(
        SimpleNamespace(intents=["other"], sentiment="neutral"),
        followers=followers.get(author),
        is_customer=False,
        waiting_seconds=0,
        author_recent_count=1,
    )
    why = "competitor mention" if intent == COMPETITOR else "re-share"
    reasons = [why, *scored.reasons]
    return [scored.score, " · ".join(reasons)[:255], intent, sentiment, None]


def reprioritize_open(batch: int = 2000, now: datetime | None = None) -> int:
    """Every conversation that waits for us, as time passes (the queue runs it)."""
    waiting = Conversation.objects.filter(
        status__in=[Conversation.Status.NEW, Conversation.Status.OPEN]
    ).order_by("pk")
    changed, last = 0, 0
    while True:
        ids = list(waiting.filter(pk__gt=last).values_list("pk", flat=True)[:batch])
        if not ids:
            return changed
        changed += reprioritize(ids, now)
        last = ids[-1]
