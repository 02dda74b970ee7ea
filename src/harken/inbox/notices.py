"""What the inbox tells its members (``harken.core.notify``): a conversation assigned to
them, a new high-priority one, a reply held for their approval, an @mention in a note,
and an answer about to miss its service level. Each is keyed by its event, so nobody is
told twice about one thing, whichever worker or request noticed it first.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from harken.analysis.priority import duration
from harken.core.models import AuditEntry, Member, Role
from harken.core.notify import ASSIGNED, HELD_REPLY, HIGH_PRIORITY, MENTIONED, SLA_AT_RISK, notify
from harken.inbox.models import Conversation, Message, ServiceLevel
from harken.listening.models import Mention

#: A new conversation this high in the queue is worth a phone buzz: a negative
#: complaint (30 + 12 points) or anything more pressing.
HIGH_PRIORITY_AT = 42
#: Older than this, a conversation seen for the first time (an import) is not announced.
FRESH = dt.timedelta(days=1)
MENTION = re.compile(r"(?<![\w@.])@([\w.+-]{1,150})")
OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN)


def _url(conversation: Conversation) -> str:
    return reverse("inbox_conversation", args=[conversation.pk])


def _preview(conversation: Conversation) -> str:
    latest = (
        Mention.objects.filter(conversation=conversation, is_own=False)
        .order_by("-posted", "-id")
        .values_list("text", flat=True)
        .first()
    )
    return (latest or "")[:500]


def _who(conversation: Conversation) -> str:
    return f"@{conversation.subject_handle}" if conversation.subject_handle else "a customer"


def managers(workspace_id: int) -> list[Member]:
    return list(
        Member.objects.filter(
            workspace_id=workspace_id, role__in=[Role.MANAGER, Role.OWNER]
        ).select_related("user")
    )


def member_of(conversation: Conversation, user_id: int | None) -> Member | None:
    if user_id is None:
        return None
    return (
        Member.objects.filter(workspace_id=conversation.workspace_id, user_id=user_id)
        .select_related("user")
        .first()
    )


def assigned(
    conversation: Conversation, assignee: Member, event: AuditEntry, by: Member | None = None
) -> None:
    """Tell ``assignee`` the conversation is theirs (not when they took it themselves).
    ``event`` is the assignment's audit entry: assigned again later is a new event."""
    if by is not None and by.pk == assignee.pk:
        return
    who = f" by {by.user.get_username()}" if by is not None else " by a rule"
    urgent = ""
    if conversation.priority >= HIGH_PRIORITY_AT:  # said here, not in a second notice
        urgent = f" (high priority: {conversation.priority_reasons or conversation.intent})"
    notify(
        assignee,
        ASSIGNED,
        f"Assigned to you{who}: {_who(conversation)} on {conversation.network}{urgent}",
        _preview(conversation),
        _url(conversation),
        about=event,
    )


def high_priority(conversation: Conversation) -> int:
    """A new conversation high in the queue: its assignee, or every responder and up."""
    if conversation.priority < HIGH_PRIORITY_AT or conversation.workspace.is_sample:
        return 0  # the sample's conversations are not news to anyone
    latest = conversation.last_activity
    if latest is None or timezone.now() - latest > FRESH:
        return 0  # an import of last year's mentions is history, not news
    target = member_of(conversation, conversation.assignee_id)
    members = [target] if target else _responders(conversation.workspace_id)
    why = conversation.priority_reasons or conversation.intent or "high priority"
    told = 0
    for member in members:
        told += (
            notify(
                member,
                HIGH_PRIORITY,
                f"High priority: {_who(conversation)} on {conversation.network} ({why})",
                _preview(conversation),
                _url(conversation),
                about=conversation,
            )
            is not None
        )
    return told


def _responders(workspace_id: int) -> list[Member]:
    return list(
        Member.objects.filter(
            workspace_id=workspace_id, role__in=[Role.RESPONDER, Role.MANAGER, Role.OWNER]
        ).select_related("user")
    )


def held(message: Message, event: AuditEntry) -> int:
    """A reply waits for approval: every manager and owner but its author. ``event`` is
    the hold's audit entry: held again after a revision is told again."""
    conversation = message.conversation
    author = message.author.get_username() if message.author else "Someone"
    told = 0
    for member in managers(message.workspace_id):
        if member.user_id == message.author_id:
            continue
        told += (
            notify(
                member,
                HELD_REPLY,
                f"{author}'s reply to {_who(conversation)} needs approval",
                f"{message.hold_reason}\n\n{message.text}"[:2000],
                _url(conversation),
                about=event,
            )
            is not None
        )
    return told


def mentioned(note: Message) -> int:
    """``@name`` in a note tells that member of the workspace (never its author)."""
    names = {m.lower() for m in MENTION.findall(note.text)}
    if not names:
        return 0
    found = Member.objects.filter(workspace_id=note.workspace_id).select_related("user")
    by = note.author.get_username() if note.author else "A teammate"
    told = 0
    for member in found:
        if member.user.get_username().lower() not in names or member.user_id == note.author_id:
            continue
        told += (
            notify(
                member,
                MENTIONED,
                f"{by} mentioned you in a note on {_who(note.conversation)}",
                note.text[:2000],
                _url(note.conversation),
                about=note,
            )
            is not None
        )
    return told


def at_risk(now: dt.datetime | None = None) -> int:
    """Conversations whose answer is due within their workspace's warning time (or just
    overdue): the assignee is told, or the managers when nobody has it. Once per due time."""
    now = now or timezone.now()
    told = 0
    for level in ServiceLevel.objects.all():
        warn = dt.timedelta(minutes=level.warn_minutes)
        rows = (
            Conversation.objects.filter(
                workspace_id=level.workspace_id,
                status__in=OPEN,
                due_at__lte=now + warn,
                due_at__gt=now - warn,
            )
            .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now))
            .order_by("due_at", "pk")
        )
        for conversation in rows[:500]:
            told += _warn(conversation, now)
    return told


def _warn(conversation: Conversation, now: dt.datetime) -> int:
    assert conversation.due_at is not None
    target = member_of(conversation, conversation.assignee_id)
    members = [target] if target else managers(conversation.workspace_id)
    left = (conversation.due_at - now).total_seconds()
    when = f"due in {duration(max(left, 60))}" if left >= 0 else f"overdue {duration(-left)}"
    told = 0
    for member in members:
        told += (
            notify(
                member,
                SLA_AT_RISK,
                f"SLA at risk: {_who(conversation)} on {conversation.network}, {when}",
                _preview(conversation),
                _url(conversation),
                about=f"conversation:{conversation.pk}:due:{conversation.due_at.isoformat()}",
            )
            is not None
        )
    return told
