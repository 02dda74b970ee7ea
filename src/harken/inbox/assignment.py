"""Assignment rules: who gets a new conversation.

Rules are tried in order; the first whose every set condition matches assigns the
conversation to its member, or to the next available member of its rotation (round
robin). The turn is one atomic ``UPDATE … SET turn = turn + 1`` read back in the same
transaction: the row lock (PostgreSQL) or the write lock (SQLite) makes two workers take
two different turns, so the rotation stays fair whichever worker routes.

Routing runs once per conversation: ``routed_at`` is claimed with a conditional update.
Threading reaches the inbox through ``reprioritize``, which queues ``route`` for the
conversations it saw for the first time; a periodic task sweeps any the queue lost; and a
manager can run the rules again over the unassigned conversations (``do_reroute``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from harken.contacts.models import Contact, Identity
from harken.core.actions import audit
from harken.core.models import Member
from harken.inbox import notices
from harken.inbox.models import AssignmentRule, Conversation
from harken.inbox.replyable import can_reply
from harken.listening.models import Mention

OPEN = (Conversation.Status.NEW, Conversation.Status.OPEN)
SWEEP = 500


@dataclass
class Facts:
    """What a rule may ask of a conversation."""

    network: str
    intent: str
    sentiment: str
    accounts: set[int] = field(default_factory=set)
    topics: set[int] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    #: The writer's contact: a writer without one is a non-customer with no segments.
    customer_status: str = Contact.Status.NON_CUSTOMER
    segments: dict[str, str] = field(default_factory=dict)


def facts_for(conversations: list[Conversation], *, contacts: bool = True) -> dict[int, Facts]:
    """What the rules may ask; ``contacts`` False skips the contact lookup (no rule asks)."""
    facts = {c.pk: Facts(c.network, c.intent, c.sentiment) for c in conversations}
    if contacts:
        _contact_facts(conversations, facts)
    customer = Mention.objects.filter(conversation_id__in=list(facts), is_own=False)
    for conv, language, account in customer.values_list(
        "conversation_id", "language", "source__account_id"
    ):
        if language:
            facts[conv].languages.add(language)
        if account:
            facts[conv].accounts.add(account)
    through = Mention.topics.through.objects.filter(mention__in=customer)
    for conv, topic in through.values_list("mention__conversation_id", "topic_id"):
        facts[conv].topics.add(topic)
    return facts


def _contact_facts(conversations: list[Conversation], facts: dict[int, Facts]) -> None:
    """The contact of each conversation's writer (its subject author), in one query."""
    wanted = {
        (c.workspace_id, c.network, c.subject_external_id): c.pk
        for c in conversations
        if c.subject_external_id
    }
    if not wanted:
        return
    rows = Identity.objects.filter(
        workspace_id__in={w for w, _, _ in wanted},
        network__in={n for _, n, _ in wanted},
        author__external_id__in={e for _, _, e in wanted},
        contact__merged_into=None,
    ).values_list(
        "workspace_id", "network", "author__external_id", "contact__status", "contact__segments"
    )
    for workspace_id, network, external_id, status, segments in rows:
        pk = wanted.get((workspace_id, network, external_id))
        if pk is None:
            continue
        facts[pk].customer_status = status
        facts[pk].segments = {
            _fold(str(name)): _fold(str(value)) for name, value in (segments or {}).items()
        }


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_segment(text: str) -> tuple[str, str] | None:
    """ "plan = Gold" → ("plan", "gold"); None when it is not a "name=value" pair."""
    name, sep, value = text.partition("=")
    name, value = _fold(name), _fold(value)
    return (name, value) if sep and name and value else None


def _segment_holds(condition: str, segments: dict[str, str]) -> bool:
    pair = parse_segment(condition)
    return pair is not None and segments.get(pair[0]) == pair[1]


def matches(rule: AssignmentRule, facts: Facts) -> bool:
    """Every condition the rule sets holds (an empty condition holds for anything)."""
    return (
        (not rule.network or rule.network == facts.network)
        and (not rule.intent or rule.intent == facts.intent)
        and (not rule.sentiment or rule.sentiment == facts.sentiment)
        and (not rule.language or rule.language in facts.languages)
        and (rule.account_id is None or rule.account_id in facts.accounts)
        and (rule.topic_id is None or rule.topic_id in facts.topics)
        and (not rule.customer_status or rule.customer_status == facts.customer_status)
        and (not rule.segment or _segment_holds(rule.segment, facts.segments))
    )


def rotation_members(rule: AssignmentRule) -> list[Member]:
    """The rotation's members who are in the workspace and available, in a fixed order."""
    return list(
        Member.objects.filter(
            workspace_id=rule.workspace_id,
            user__in=rule.rotation.all(),
            available=True,
        )
        .select_related("user")
        .order_by("user_id")
    )


def take_turn(rule: AssignmentRule) -> Member | None:
    """The next available member of the rotation; None when nobody is available."""
    members = rotation_members(rule)
    if not members:
        return None
    with transaction.atomic():
        AssignmentRule.objects.filter(pk=rule.pk).update(turn=F("turn") + 1)
        turn = AssignmentRule.objects.filter(pk=rule.pk).values_list("turn", flat=True).get()
    return members[(turn - 1) % len(members)]


def choose(rule: AssignmentRule) -> Member | None:
    if rule.assignee_id is not None:
        return (
            Member.objects.filter(workspace_id=rule.workspace_id, user_id=rule.assignee_id)
            .select_related("user")
            .first()
        )
    return take_turn(rule)


def route(conversation_ids: Iterable[int], now: dt.datetime | None = None) -> dict[int, int]:
    """Apply the rules to the conversations not routed yet; returns conversation → user
    assigned. A conversation no rule can take and no notice concerns is marked in one
    update; the others are claimed one by one, so each is routed once."""
    now = now or timezone.now()
    ids = sorted(set(conversation_ids))
    todo = list(
        Conversation.objects.filter(pk__in=ids, routed_at__isnull=True).values_list(
            "pk", "workspace_id", "priority"
        )
    )
    ruled = set(
        AssignmentRule.objects.filter(
            workspace_id__in={w for _, w, _ in todo}, enabled=True
        ).values_list("workspace_id", flat=True)
    )
    quiet = {pk for pk, w, p in todo if w not in ruled and p < notices.HIGH_PRIORITY_AT}
    Conversation.objects.filter(pk__in=quiet, routed_at__isnull=True).update(routed_at=now)
    claimed = [
        pk
        for pk, _, _ in todo
        if pk not in quiet
        and Conversation.objects.filter(pk=pk, routed_at__isnull=True).update(routed_at=now)
    ]
    conversations = list(
        Conversation.objects.filter(pk__in=claimed).select_related("workspace").order_by("pk")
    )
    return apply_rules(conversations, new=True)


def apply_rules(conversations: list[Conversation], *, new: bool) -> dict[int, int]:
    """The first matching rule assigns each unassigned conversation that waits for us;
    a ``new`` conversation high in the queue is also announced."""
    by_workspace: dict[int, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_workspace[conversation.workspace_id].append(conversation)
    done: dict[int, int] = {}
    for workspace_id, rows in by_workspace.items():
        rules = list(AssignmentRule.objects.filter(workspace_id=workspace_id, enabled=True))
        asks = any(r.customer_status or r.segment for r in rules)
        facts = facts_for(rows, contacts=asks) if rules else {}
        for conversation in rows:
            if not can_reply(conversation.network):
                continue  # read, never answered: nobody is owed a reply
            if rules and conversation.assignee_id is None and conversation.status in OPEN:
                rule = next((r for r in rules if matches(r, facts[conversation.pk])), None)
                member = choose(rule) if rule else None
                if rule and member and _assign(conversation, member, rule):
                    done[conversation.pk] = member.user_id
            # An urgent conversation a rule just assigned is one event for its assignee:
            # the assignment's notice says it is high priority; no second one follows.
            if new and conversation.pk not in done:
                notices.high_priority(conversation)
    return done


def _assign(conversation: Conversation, member: Member, rule: AssignmentRule) -> bool:
    # Conditional: a person who took the conversation meanwhile keeps it.
    if not Conversation.objects.filter(pk=conversation.pk, assignee__isnull=True).update(
        assignee_id=member.user_id
    ):
        return False
    conversation.assignee_id = member.user_id
    event = audit(
        conversation.workspace,
        None,
        "conversation.assign",
        conversation,
        to=["", member.user.get_username()],
        rule=rule.name,
    )
    notices.assigned(conversation, member, event)
    return True


def route_unrouted(limit: int = SWEEP) -> dict[int, int]:
    """The queue's sweep: conversations that threading made and no router has seen."""
    ids = Conversation.objects.filter(routed_at__isnull=True).order_by("pk")[:limit]
    return route(list(ids.values_list("pk", flat=True)))


def do_reroute(actor: Member) -> int:
    """Run the rules again over the workspace's unassigned conversations that wait for us
    (after a manager changed the rules). Returns how many were assigned."""
    waiting = Conversation.objects.filter(
        workspace_id=actor.workspace_id, status__in=OPEN, assignee__isnull=True
    )
    conversations = list(waiting.select_related("workspace").order_by("pk")[:SWEEP])
    done = apply_rules(conversations, new=False)
    audit(actor.workspace, actor.user, "assignment.rerun", "assignment rules", assigned=len(done))
    return len(done)
