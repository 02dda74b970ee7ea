"""The inbox list's filters: read from an address (or a saved view), checked against the
workspace, and turned into one ``Q`` that the list, the counts and saved views share.

An unknown value is dropped, never an error: a saved view whose tag was deleted still
opens, with that filter gone. Filters that reach into the conversation's messages (topic,
account, language, tag) are ``Exists`` subqueries, so a count never counts a row twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from harken.core.models import Member
from harken.inbox.models import Conversation
from harken.inbox.priority import INBOX_INTENTS
from harken.listening.models import Mention

#: Every filter a list address or a saved view may hold, in the order a label names them.
KEYS = (
    "network",
    "account",
    "topic",
    "intent",
    "sentiment",
    "language",
    "tag",
    "assignee",
    "status",
    "since",
    "until",
)
SENTIMENTS = ("negative", "neutral", "positive")


def _short_word(value: str, limit: int = 32) -> bool:
    return bool(value) and len(value) <= limit and value.replace("_", "").replace("-", "").isalnum()


def parse(raw: Mapping[str, Any], tags: list[Any], members: list[Member]) -> dict[str, str]:
    """The filters of ``raw`` that make sense with the workspace's ``tags`` and
    ``members``, as strings."""
    get = {k: str(raw.get(k, "") or "").strip() for k in KEYS}
    chosen: dict[str, str] = {}
    if _short_word(get["network"]):
        chosen["network"] = get["network"]
    if get["status"] in Conversation.Status.values:
        chosen["status"] = get["status"]
    if get["assignee"] == "none" or get["assignee"] in {str(m.user_id) for m in members}:
        chosen["assignee"] = get["assignee"]
    if get["tag"] in {str(t.pk) for t in tags}:
        chosen["tag"] = get["tag"]
    if get["intent"] in INBOX_INTENTS:
        chosen["intent"] = get["intent"]
    if get["sentiment"] in SENTIMENTS:
        chosen["sentiment"] = get["sentiment"]
    if _short_word(get["language"], 8):
        chosen["language"] = get["language"].lower()
    # Not looked up: the condition reaches them through this workspace's conversations,
    # so another workspace's topic or account matches nothing.
    for key in ("topic", "account"):
        if get[key].isdigit() and len(get[key]) <= 18:
            chosen[key] = get[key]
    for key in ("since", "until"):
        if _date(get[key]) is not None:
            chosen[key] = get[key]
    return chosen


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


#: The kind of a private message (a Mastodon direct message, a Reddit private message, a
#: Bluesky chat message): never a public mention, always its own private conversation.
DIRECT = "message"


def direct() -> Exists:
    """Whether a conversation is private: it holds a direct message."""
    return Exists(Mention.objects.filter(conversation=OuterRef("pk"), kind=DIRECT))


def direct_ids(workspace: Any = None) -> QuerySet[Mention, Any]:
    """The private conversations (of ``workspace``, when given), as a subquery for
    ``pk__in``: the database reads the direct messages once (an index holds them alone) and
    tests each conversation against that set. ``direct()`` in a count probed the
    conversation's messages once a row: most of the list page at 10,000 conversations."""
    found = Mention.objects.filter(kind=DIRECT, conversation__isnull=False)
    if workspace is not None:
        found = found.filter(workspace=workspace)
    return found.values("conversation_id")


def _mentions(**match: Any) -> Exists:
    return Exists(Mention.objects.filter(conversation=OuterRef("pk"), is_own=False, **match))


def as_q(chosen: Mapping[str, str], zone: dt.tzinfo = dt.UTC) -> Q:
    """One condition for the list, its counts and saved views. Dates are the workspace's
    days (``zone``): "since 2026-03-01" starts at its local midnight."""
    q = Q()
    if "network" in chosen:
        q &= Q(network=chosen["network"])
    if "status" in chosen:
        q &= Q(status=chosen["status"])
    if chosen.get("assignee") == "none":
        q &= Q(assignee__isnull=True)
    elif "assignee" in chosen:
        q &= Q(assignee_id=int(chosen["assignee"]))
    if "tag" in chosen:
        through = Conversation.tags.through.objects.filter(
            conversation_id=OuterRef("pk"), tag_id=int(chosen["tag"])
        )
        q &= Q(Exists(through))
    if "intent" in chosen:
        q &= Q(intent=chosen["intent"])
    if "sentiment" in chosen:
        q &= Q(sentiment=chosen["sentiment"])
    if "language" in chosen:
        q &= Q(_mentions(language=chosen["language"]))
    if "topic" in chosen:
        q &= Q(_mentions(topics__id=int(chosen["topic"])))
    if "account" in chosen:
        q &= Q(_mentions(source__account_id=int(chosen["account"])))
    since, until = _date(chosen.get("since", "")), _date(chosen.get("until", ""))
    if since is not None:
        q &= Q(last_activity__gte=dt.datetime.combine(since, dt.time(), tzinfo=zone))
    if until is not None:
        next_day = until + dt.timedelta(days=1)
        q &= Q(last_activity__lt=dt.datetime.combine(next_day, dt.time(), tzinfo=zone))
    return q


def describe(chosen: Mapping[str, str], names: Mapping[tuple[str, str], str]) -> str:
    """The filters in words ("complaint · negative · mastodon"), for a saved view's title."""
    return " · ".join(names.get((k, chosen[k]), chosen[k]) for k in KEYS if k in chosen)
