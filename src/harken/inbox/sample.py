"""The inbox's part of `harken demo`: conversations in every state, so a newcomer sees a
living inbox (assigned, tagged, answered, a reply held for a manager, one that failed,
a snoozed one, a resolved one, a note), and canned replies to find with "/".

Called by the listening demo once its sample mentions are threaded. Rows are written as
the demo, not as a person (no actor in the audit log), so ``harken demo`` can still tell
a sample nobody touched from one people changed. The sample responder is a member from
the start: the demo's responder limit (75) is about them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from harken.core.models import AuditEntry, Member, Role, Workspace
from harken.inbox import assignment, sla
from harken.inbox.authority import hold_reason
from harken.inbox.models import (
    AssignmentRule,
    CannedReply,
    Conversation,
    Message,
    ServiceLevel,
    Tag,
)
from harken.inbox.priority import reprioritize
from harken.inbox.states import State

RESPONDER = "sample.responder"
#: The sample's canned replies (name, text), found in the reply box by typing "/".
CANNED = [
    (
        "shipping",
        "Hi {first_name}, thanks for your patience! Orders ship within 2 business days and "
        "you'll get a tracking link by e-mail. {agent} at {business}",
    ),
    (
        "resizing",
        "Hi {first_name}! Resizing is free for the first year and takes about an hour for "
        "most rings; just drop by the shop. {agent}",
    ),
    (
        "sorry",
        "{handle} I'm sorry about this. Could you send us your order number in a direct "
        "message? I'll look into it right away. {agent} at {business}",
    ),
]


def _responder(workspace: Workspace) -> Member:
    user, created = get_user_model().objects.get_or_create(
        username=RESPONDER, defaults={"first_name": "Bob", "last_name": "(sample)"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    member, _ = Member.objects.get_or_create(
        workspace=workspace, user=user, defaults={"role": Role.RESPONDER}
    )
    filled = (
        AuditEntry.objects.filter(workspace=workspace, action="demo.fill")
        .values_list("created", flat=True)
        .first()
    )
    if filled:  # part of the fill, not someone who joined since
        Member.objects.filter(pk=member.pk).update(created=filled)
    return Member.objects.select_related("workspace", "user").get(pk=member.pk)


#: What the held, sent and failed sample replies answer, so each reads true.
PARTS = ("waiting on my order", "resize rings while", "open on sundays")


def _cast(waiting: list[Conversation]) -> list[Conversation]:
    """The held, sent, failed, snoozed, resolved and assigned conversations: the first
    three answer the messages ``PARTS`` names (any open conversation, most urgent first),
    the rest follow in priority order."""
    workspace_id = waiting[0].workspace_id
    cast: list[Conversation] = []
    for words in PARTS:
        found = (
            Conversation.objects.filter(
                workspace_id=workspace_id,
                status__in=[Conversation.Status.NEW, Conversation.Status.OPEN],
                mentions__text__icontains=words,
                mentions__is_own=False,
            )
            .exclude(pk__in=[c.pk for c in cast])
            .order_by("-priority", "pk")
            .first()
        )
        cast.append(found or next(c for c in waiting if c not in cast))
    return cast + [c for c in waiting if c not in cast][:3]


#: What the sample team has already dealt with: praise and chatter older than this.
TIDIED_AFTER = timedelta(hours=8)
OWED = ("complaint", "question", "purchase_intent")


def tidy_backlog(workspace: Workspace, now: datetime) -> int:
    """A team that works has thanked yesterday's praise (and its re-shares) and let the
    industry chatter go: resolve what is older than ``TIDIED_AFTER`` and owes nobody an
    answer. Without this the sample's four days of mentions all wait, and a queue where
    waiting counts without a cap (``harken.analysis.priority``, aging) shows a three-day-old
    "RT …" praise level with the complaints, at the top. Older complaints and questions
    stay: they are the backlog a responder answers first, oldest first."""
    old = Conversation.objects.filter(
        workspace=workspace,
        status__in=[Conversation.Status.NEW, Conversation.Status.OPEN],
        waiting_since__lt=now - TIDIED_AFTER,
    ).exclude(intent__in=OWED)
    return old.update(
        status=Conversation.Status.RESOLVED, resolved_at=now - timedelta(hours=1), due_at=None
    )


def fill_inbox(workspace: Workspace, now: datetime | None = None) -> int:
    """Give the sample's conversations their states; returns how many were changed."""
    now = now or timezone.now()
    tidy_backlog(workspace, now)
    waiting = list(
        Conversation.objects.filter(
            workspace=workspace, status__in=[Conversation.Status.NEW, Conversation.Status.OPEN]
        ).order_by("-priority", "pk")[:12]
    )
    if len(waiting) < 6:
        return 0
    bob = _responder(workspace)
    owner = (
        Member.objects.filter(workspace=workspace, role=Role.OWNER).select_related("user").first()
    )
    held, sent, failed, snoozed, resolved, assigned = _cast(waiting)

    def reply(conversation: Conversation, text: str, state: str, **fields: Any) -> Message:
        return Message.objects.create(
            workspace=workspace,
            conversation=conversation,
            text=text,
            state=state,
            in_reply_to=conversation.root_external_id,
            author=fields.pop("author", bob.user),
            **fields,
        )

    promise = (
        "You're right, and I'm sorry. Your order ships tonight by overnight courier, and"
        " we'll refund your $150 rush fee in full today."
    )
    reply(held, promise, State.HELD, hold_reason=hold_reason(bob, promise))
    reply(
        sent,
        "Thanks for asking! Resizing takes about an hour for most rings; just drop by.",
        State.SENT,
        sent_at=now - timedelta(minutes=20),
        attempts=1,
    )
    Conversation.objects.filter(pk=sent.pk).update(
        status=Conversation.Status.WAITING, first_response_at=now - timedelta(minutes=20)
    )
    reply(
        failed,
        "We're open Sunday 11 to 4, see you then!",
        State.FAILED,
        attempts=1,
        error="The account that sends this reply is not connected.",
    )
    Conversation.objects.filter(pk=snoozed.pk).update(snoozed_until=now + timedelta(hours=20))
    Conversation.objects.filter(pk=resolved.pk).update(
        status=Conversation.Status.RESOLVED, resolved_at=now - timedelta(hours=2)
    )
    Conversation.objects.filter(pk__in=[held.pk, assigned.pk]).update(assignee=bob.user)
    if owner is not None:
        Conversation.objects.filter(pk=failed.pk).update(assignee=owner.user)
    rush, _ = Tag.objects.get_or_create(workspace=workspace, name="rush order")
    held.tags.add(rush)
    Message.objects.create(
        workspace=workspace,
        conversation=held,
        is_note=True,
        state=State.NOTE,
        text="Paid for rush service on the 28th; the workshop confirms the order is late.",
        author=bob.user,
    )
    for name, text in CANNED:
        CannedReply.objects.get_or_create(
            workspace=workspace,
            name=name,
            defaults={"text": text, "created_by": owner.user if owner else None},
        )
    reprioritize([c.pk for c in waiting], now)
    _service_and_rules(workspace, bob)
    return len(waiting)


def _service_and_rules(workspace: Workspace, bob: Member) -> None:
    """Opening hours, answer targets and a rule, so the sample's rows show the time left
    and its complaints are assigned by rule."""
    every_day = {str(day): ["08:00", "20:00"] for day in range(7)}
    ServiceLevel.objects.get_or_create(workspace=workspace, defaults={"hours": every_day})
    AssignmentRule.objects.get_or_create(
        workspace=workspace,
        name="Complaints to the responder",
        defaults={"position": 1, "intent": "complaint", "assignee": bob.user},
    )
    sla.update_workspace_due(workspace.pk)
    unassigned = Conversation.objects.filter(
        workspace=workspace,
        status__in=[Conversation.Status.NEW, Conversation.Status.OPEN],
        assignee__isnull=True,
    ).select_related("workspace")
    assignment.apply_rules(list(unassigned), new=False)
