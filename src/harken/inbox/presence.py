"""The collision warning: who else has this conversation open, who is typing a reply, and
whether a teammate's reply went out while you were writing yours.

The conversation page beats every ``BEAT`` seconds (``inbox/presence.js``); a member not
heard from for ``FRESH`` seconds is gone. Beats are one upsert each, and each deletes
the rows gone stale anywhere, so the table holds only the members now looking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from harken.core.models import Member
from harken.inbox.models import Conversation, Message, Presence
from harken.inbox.states import State

BEAT = 10
FRESH = timedelta(seconds=3 * BEAT)


@dataclass(frozen=True)
class Other:
    name: str
    typing: bool


def beat(conversation: Conversation, member: Member, typing: bool, now: datetime | None = None):
    """Record that ``member`` is looking at (and perhaps typing in) ``conversation``."""
    now = now or timezone.now()
    Presence.objects.update_or_create(
        conversation=conversation,
        user_id=member.user_id,
        defaults={"workspace_id": conversation.workspace_id, "typing": typing, "seen_at": now},
    )
    # Everyone gone, in every conversation (a closed tab sends no "leave"): by the
    # ``seen_at`` index, so the table holds only the members looking now.
    Presence.objects.filter(seen_at__lt=now - FRESH).delete()


def leave(conversation: Conversation, member: Member) -> None:
    Presence.objects.filter(conversation=conversation, user_id=member.user_id).delete()


def others(conversation: Conversation, member: Member, now: datetime | None = None) -> list[Other]:
    """The other members looking at ``conversation`` now, typists first, then by name."""
    now = now or timezone.now()
    rows = (
        Presence.objects.filter(conversation=conversation, seen_at__gte=now - FRESH)
        .exclude(user_id=member.user_id)
        .select_related("user")
    )
    found = [Other(row.user.get_username(), row.typing) for row in rows]
    return sorted(found, key=lambda o: (not o.typing, o.name))


def describe(found: list[Other]) -> str:
    """ "Bob is viewing · Carol is typing"; empty when nobody else is here."""
    return " · ".join(f"{o.name} is {'typing' if o.typing else 'viewing'}" for o in found)


def replied_since(conversation: Conversation, member: Member, seen: str) -> Message | None:
    """A teammate's reply written after the page the form came from (``seen``: the id
    the page drew), if any. A form without ``seen`` (an old page, a script)
    is not checked: the check warns, it does not lock."""
    if not seen.isdigit():
        return None
    return (
        Message.objects.filter(conversation=conversation, is_note=False, pk__gt=int(seen))
        .exclude(author_id=member.user_id)
        .exclude(state=State.DRAFT)
        .select_related("author")
        .order_by("pk")
        .first()
    )


def clash_words(message: Message) -> str:
    who = message.author.get_username() if message.author else "A teammate"
    return (
        f"{who} replied while you were writing; read their reply above. Your draft is kept: "
        "send it again if it still needs saying."
    )
