"""Conversations: the inbox's views, one conversation, and its triage and replies, through
``harken.inbox.actions`` (a reply that says more than the member may promise comes back
held for a manager, as on the page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.core.access import scoped
from harken.core.models import Member, Role
from harken.inbox import actions
from harken.inbox.models import Conversation, Message, Tag
from harken.inbox.states import State
from harken.inbox.views import VIEW_KEYS, access_conversation, view_filters
from harken.listening.models import Mention

RESOURCE = "conversations"
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    items: list[Conversation]
    #: The ``after`` of the next page ("priority.id"); None on the last.
    next_after: str | None


@dataclass(frozen=True)
class Thread:
    conversation: Conversation
    mentions: list[Mention]
    messages: list[Message]


def _held() -> QuerySet[Message]:
    return Message.objects.filter(conversation=OuterRef("pk"), state=State.HELD)


def _rows(caller: Caller) -> QuerySet[Conversation]:
    return (
        scoped(caller.request, Conversation)
        .select_related("assignee")
        .prefetch_related(Prefetch("tags", Tag.objects.order_by("name")))
        .annotate(
            held=Exists(Message.objects.filter(conversation=OuterRef("pk"), state=State.HELD))
        )
    )


def _after(raw: str) -> tuple[int, int]:
    try:
        priority, pk = (int(part) for part in raw.split(".", 1))
    except ValueError:
        raise ApiError(400, "invalid", "`after` is the `next_after` of a page.", "after") from None
    return priority, pk


def list_conversations(
    caller: Caller, view: str = "needs_reply", after: str = "", limit: int = 25
) -> Page:
    """A view of the inbox in its order (priority, then who came first)."""
    caller.needs(RESOURCE)
    if view not in VIEW_KEYS:
        raise ApiError(400, "invalid", f"A view is one of: {', '.join(sorted(VIEW_KEYS))}.", "view")
    limit = max(1, min(limit, MAX_LIMIT))
    rows = _rows(caller).filter(view_filters(caller.member.user, timezone.now())[view])
    rows = rows.order_by("-priority", "id")
    if after:
        priority, pk = _after(after)
        rows = rows.filter(Q(priority__lt=priority) | Q(priority=priority, pk__gt=pk))
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if more and items else None
    return Page(items, f"{last.priority}.{last.pk}" if last else None)


def get_conversation(caller: Caller, pk: int) -> Thread:
    caller.needs(RESOURCE)
    access_conversation(caller.request, pk)
    conversation = _rows(caller).get(pk=pk)
    mentions = list(
        Mention.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("topics")
        .order_by("posted", "id")
    )
    messages = list(conversation.messages.select_related("author").order_by("created", "id"))  # type: ignore[attr-defined]
    return Thread(conversation, mentions, messages)


def _changing(caller: Caller, pk: int) -> Conversation:
    caller.needs(RESOURCE, write=True, role=Role.RESPONDER)
    return access_conversation(caller.request, pk)


def assign(caller: Caller, pk: int, assignee: int | None) -> Thread:
    """Assign to the member whose user id is ``assignee``, or to nobody (None)."""
    conversation = _changing(caller, pk)
    member = None
    if assignee is not None:
        member = (
            Member.objects.filter(workspace=caller.workspace, user_id=assignee)
            .select_related("user")
            .first()
        )
        if member is None:
            raise ApiError(400, "invalid", "Choose a member of this workspace.", "assignee")
    actions.do_assign(conversation, caller.member, member)
    return get_conversation(caller, pk)


def tag(caller: Caller, pk: int, name: str) -> Thread:
    actions.do_tag(_changing(caller, pk), caller.member, name)
    return get_conversation(caller, pk)


def untag(caller: Caller, pk: int, name: str) -> Thread:
    conversation = _changing(caller, pk)
    found = scoped(caller.request, Tag).filter(name=" ".join(name.split()).lower()).first()
    if found is not None:
        actions.do_untag(conversation, caller.member, found)
    return get_conversation(caller, pk)


def snooze(caller: Caller, pk: int, until: datetime | None) -> Thread:
    """Snooze until ``until`` (aware, in the future), or wake it (None)."""
    conversation = _changing(caller, pk)
    if until is None:
        actions.do_unsnooze(conversation, caller.member)
    else:
        if until.tzinfo is None:
            raise ApiError(400, "invalid", "Give the time with its offset (…Z or +02:00).", "until")
        actions.do_snooze(conversation, caller.member, until)
    return get_conversation(caller, pk)


def set_status(caller: Caller, pk: int, status: str) -> Thread:
    conversation = _changing(caller, pk)
    try:
        actions.do_set_status(conversation, caller.member, status)
    except ValidationError as invalid:
        raise ApiError(400, "invalid", " ".join(invalid.messages), "status") from None
    return get_conversation(caller, pk)


def reply(caller: Caller, pk: int, text: str, key: str = "") -> Message:
    """Reply: sent at once, or held for a manager (``state`` says which). ``key`` is an
    idempotency key: the same key again returns the first reply and sends nothing."""
    conversation = _changing(caller, pk)
    try:
        message = actions.do_reply(conversation, caller.member, text, token=key)
    except ValidationError as invalid:
        raise ApiError(400, "invalid", " ".join(invalid.messages), "text") from None
    message.refresh_from_db()
    return message
