"""What an assistant may do, as plain functions of a ``Caller``: each calls the API's own
operations, so the token's scopes and the member's role and authority apply unchanged.

Nothing an assistant writes goes out unseen: a reply is stored held for a person
(``do_reply(..., hold=...)``), a post is saved as a draft for a person to schedule or
send for approval.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils import timezone

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.api.operations import conversations, mentions, posts
from harken.core.access import access_object
from harken.inbox import actions
from harken.listening.models import Mention, Topic

#: Why an assistant's reply waits: shown to the manager who approves it.
DRAFTED = "Drafted by an AI assistant: a person reads it before it is sent."
MAX_RESULTS = 50


def mention_out(mention: Mention) -> dict[str, Any]:
    return {
        "id": mention.pk,
        "network": mention.network,
        "author": mention.author.handle,
        "text": mention.text,
        "url": mention.url or None,
        "posted": mention.posted.isoformat(),
        "sentiment": mention.sentiment or None,
        "intents": list(mention.intents or []),
        "conversation": mention.conversation_id,
    }


def search_mentions(
    caller: Caller,
    query: str = "",
    topic: int | None = None,
    sentiment: str = "",
    intent: str = "",
    since: str = "",
    limit: int = 20,
) -> dict[str, Any]:
    params = {"q": query, "topic": topic, "sentiment": sentiment, "intent": intent}
    params["since"] = since
    page = mentions.list_mentions(caller, params, limit=max(1, min(limit, MAX_RESULTS)))
    return {"mentions": [mention_out(m) for m in page.items], "more": page.next_before is not None}


def summarise_topic_week(caller: Caller, topic: int) -> dict[str, Any]:
    """The last seven days of a topic: volume per day, sentiment, intents, loudest authors."""
    caller.needs(mentions.RESOURCE)
    found = access_object(caller.request, Topic, topic)
    since = (timezone.localdate() - timedelta(days=6)).isoformat()
    rows = mentions.filtered(caller, {"topic": found.pk, "since": since})
    week = list(rows.select_related("author").order_by("-posted")[:5000])
    per_day = Counter(m.posted.date().isoformat() for m in week)
    intents = Counter(i for m in week for i in (m.intents or []))
    return {
        "topic": found.name,
        "since": since,
        "mentions": len(week),
        "per_day": dict(sorted(per_day.items())),
        "sentiment": dict(Counter(m.sentiment or "unknown" for m in week)),
        "intents": dict(intents.most_common()),
        "top_authors": [a for a, _ in Counter(m.author.handle for m in week).most_common(5)],
        "latest": [mention_out(m) for m in week[:5]],
    }


def list_needs_reply(caller: Caller, limit: int = 20) -> dict[str, Any]:
    page = conversations.list_conversations(
        caller, "needs_reply", limit=max(1, min(limit, MAX_RESULTS))
    )
    return {
        "conversations": [
            {
                "id": c.pk,
                "network": c.network,
                "status": c.status,
                "from": c.subject_handle,
                "priority": c.priority,
                "intent": c.intent or None,
                "sentiment": c.sentiment or None,
                "waiting_since": c.waiting_since.isoformat() if c.waiting_since else None,
            }
            for c in page.items
        ]
    }


def draft_reply(caller: Caller, conversation: int, text: str) -> dict[str, Any]:
    """A reply held for a person: never sent by the assistant."""
    found = conversations._changing(caller, conversation)
    try:
        message = actions.do_reply(found, caller.member, text, hold=DRAFTED)
    except actions.ValidationError as invalid:
        raise ApiError(400, "invalid", " ".join(invalid.messages), "text") from None
    return {
        "id": message.pk,
        "conversation": found.pk,
        "state": message.state,
        "hold_reason": message.hold_reason,
    }


def draft_post(
    caller: Caller,
    text: str,
    accounts: list[int],
    stage: str = "awareness",
    category: str = "educational",
) -> dict[str, Any]:
    """A draft post for a person to schedule or send for approval: never scheduled."""
    values = {"text": text, "accounts": accounts, "category": category, "stage": stage}
    post = posts.compose(caller, values, schedule=False)
    return {
        "id": post.pk,
        "state": "draft",
        "variants": [
            {"id": v.pk, "account": v.account_id, "state": v.state} for v in post.variants.all()
        ],
    }
