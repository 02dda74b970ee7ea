"""What the conversation page adds to the thread: the contact card and earlier
conversations (``author_card``), image thumbnails under each message (``media``), the
one-click corrections' choices, and who else is here (``presence``)."""

from __future__ import annotations

from typing import Any

from harken.analysis.intents import INTENTS
from harken.core.access import WorkspaceRequest
from harken.inbox import author_card, media, presence
from harken.inbox.models import Conversation, Message
from harken.listening.models import Author, Mention

#: The intents a person may set in one click (``other`` is no verdict to learn from).
INTENT_CHOICES = [i for i in INTENTS if i != "other"]
SENTIMENT_CHOICES = [value for value, _ in Mention.Sentiment.choices]


def extras(
    request: WorkspaceRequest,
    conversation: Conversation,
    mentions: list[Mention],
    subject: Author | None,
    ours: list[Message],
) -> dict[str, Any]:
    for mention in mentions:
        mention.images = media.thumbs(mention.pk, mention.text, mention.url)  # type: ignore[attr-defined]
        mention.files = media.files(mention.text, mention.url)  # type: ignore[attr-defined]
    found = presence.others(conversation, request.member)
    return {
        **author_card.card_context(request, conversation, subject),
        "intent_choices": INTENT_CHOICES,
        "sentiment_choices": SENTIMENT_CHOICES,
        "others_here": presence.describe(found),
        # The newest reply drawn: the reply form carries it back (``presence.replied_since``).
        "seen_reply": max((m.pk for m in ours if not m.is_note), default=0),
        "beat_seconds": presence.BEAT,
    }
