"""State changes of the inbox. Each ``do_*`` function checks, changes, and audits.

Sending a reply: the message row is claimed by one conditional UPDATE into ``sending``
(``states.transition``), so two clicks, two tabs or two workers send it once; the
connector gets the message's idempotency key; the network's id and URL are recorded with
the move to ``sent``. A refusal is ``failed`` with the network's own words and can be
retried. A send interrupted after the network may have accepted it is settled by
``do_reconcile_interrupted``: sent again under the same key where the network honours
idempotency keys (it answers with the first post); where it takes none but can be asked
(``find_reply``: X's direct messages), recorded if the network has it and sent if not;
otherwise marked ``unknown`` for a person to check on the network: never sent twice on a
guess.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from harken.core.actions import audit
from harken.core.models import Authority, Member, Role
from harken.inbox import authority, notices, signals, sla
from harken.inbox.models import Conversation, Message, Tag
from harken.inbox.priority import reprioritize
from harken.inbox.states import State, transition
from harken.listening.models import Mention
from harken.networks.base import ConnectorError
from harken.networks.counting import count
from harken.networks.models import Account
from harken.networks.registry import connector_class, connector_for, do_mark_error

log = logging.getLogger(__name__)
Status = Conversation.Status
#: A send claimed longer ago than this was interrupted (the worker died).
INTERRUPTED_AFTER = timedelta(minutes=10)
#: How long a network remembers an idempotency key (Mastodon: one hour).
KEY_LIFETIME = timedelta(minutes=55)
MAX_TEXT = 20_000


# --- triage ------------------------------------------------------------------------------


@transaction.atomic  # the change, its audit entry and its webhook rows commit together
def do_assign(conversation: Conversation, actor: Member, assignee: Member | None) -> None:
    if assignee is not None and assignee.workspace_id != conversation.workspace_id:
        raise ValidationError("Assign to a member of this workspace.")
    user = assignee.user if assignee else None
    before = conversation.assignee.get_username() if conversation.assignee else ""
    conversation.assignee = user
    conversation.save(update_fields=["assignee"])
    after = user.get_username() if user else ""
    event = audit(
        conversation.workspace, actor.user, "conversation.assign", conversation, to=[before, after]
    )
    if before != after:
        signals.conversation_assigned.send(
            Conversation, conversation=conversation, assignee=assignee
        )
    if assignee is not None and before != after:
        notices.assigned(conversation, assignee, event, by=actor)


@transaction.atomic  # the change, its audit entry and its webhook rows commit together
def do_set_status(conversation: Conversation, actor: Member, status: str) -> None:
    if status not in Status.values:
        raise ValidationError(f"{status!r} is not a status.")
    before = conversation.status
    conversation.status = status
    fields = ["status"]
    if status == Status.RESOLVED:
        conversation.resolved_at = timezone.now()
        conversation.resolved_by = actor.user
        if conversation.snoozed_until is not None:
            _end_pause(conversation, timezone.now())
            fields.append("sla_pauses")
        conversation.snoozed_until = None
        fields += ["resolved_at", "resolved_by", "snoozed_until"]
    conversation.save(update_fields=fields)
    audit(
        conversation.workspace,
        actor.user,
        "conversation.status",
        conversation,
        status=[before, status],
    )
    if status == Status.RESOLVED and before != status:
        signals.conversation_resolved.send(Conversation, conversation=conversation)


def do_snooze(conversation: Conversation, actor: Member, until: datetime) -> None:
    now = timezone.now()
    if until <= now:
        raise ValidationError("Snooze until a time in the future.")
    conversation.snoozed_until = until
    # The service-level clock stops while it sleeps (``harken.inbox.sla``).
    conversation.sla_pauses = sla.pause_started(conversation.sla_pauses, now, until)
    conversation.save(update_fields=["snoozed_until", "sla_pauses"])
    sla.update_due([conversation.pk])
    audit(
        conversation.workspace,
        actor.user,
        "conversation.snooze",
        conversation,
        until=until.isoformat(),
    )


def _end_pause(conversation: Conversation, now: datetime) -> None:
    """Cut the running snooze's pause at ``now``: the clock runs again from here."""
    ended = sla.pause_ended(conversation.sla_pauses, now)
    if ended is not None:
        conversation.sla_pauses = ended


def do_unsnooze(conversation: Conversation, actor: Member | None) -> None:
    _end_pause(conversation, timezone.now())
    conversation.snoozed_until = None
    conversation.save(update_fields=["snoozed_until", "sla_pauses"])
    sla.update_due([conversation.pk])
    audit(
        conversation.workspace, actor.user if actor else None, "conversation.unsnooze", conversation
    )


def do_wake(conversation_ids: list[int], now: datetime | None = None) -> int:
    """A new customer message ends the snooze of its conversation (threading calls this);
    each woken conversation says so in the audit log."""
    now = now or timezone.now()
    woken = 0
    for conversation in Conversation.objects.filter(
        pk__in=conversation_ids, snoozed_until__gt=now
    ).select_related("workspace"):
        ended = sla.pause_ended(conversation.sla_pauses, now)
        if Conversation.objects.filter(pk=conversation.pk, snoozed_until__gt=now).update(
            snoozed_until=None, sla_pauses=ended if ended is not None else conversation.sla_pauses
        ):
            audit(
                conversation.workspace,
                None,
                "conversation.snooze_woken",
                conversation,
                reason="new message",
            )
            woken += 1
    return woken


def do_end_snoozes(now: datetime | None = None) -> int:
    """Bring back every conversation whose snooze has passed (the inbox already shows
    them as waiting; this clears the field and says so in the audit log)."""
    now = now or timezone.now()
    ended = 0
    for conversation in Conversation.objects.filter(snoozed_until__lte=now).select_related(
        "workspace"
    )[:5000]:
        if Conversation.objects.filter(pk=conversation.pk, snoozed_until__lte=now).update(
            snoozed_until=None
        ):
            audit(conversation.workspace, None, "conversation.snooze_ended", conversation)
            ended += 1
    return ended


def do_tag(conversation: Conversation, actor: Member, name: str) -> Tag:
    name = " ".join(name.split()).lower()[:48]
    if not name:
        raise ValidationError("A tag needs a name.")
    tag, _ = Tag.objects.get_or_create(workspace=conversation.workspace, name=name)
    conversation.tags.add(tag)
    audit(conversation.workspace, actor.user, "conversation.tag", conversation, tag=name)
    return tag


def do_untag(conversation: Conversation, actor: Member, tag: Tag) -> None:
    conversation.tags.remove(tag)
    audit(conversation.workspace, actor.user, "conversation.untag", conversation, tag=tag.name)


def do_mark_spam(conversation: Conversation, actor: Member) -> int:
    """Spam: the customer's messages are corrected to the spam intent the way the stream's
    one-click corrections do it (which teaches the analysis), and the conversation is
    resolved. Returns how many messages were corrected."""
    from harken.listening.views.stream import do_correct_mention

    corrected = 0
    for mention in Mention.objects.filter(conversation=conversation, is_own=False).order_by("pk"):
        if list(mention.intents or []) == ["spam"]:
            continue
        try:
            do_correct_mention(conversation.workspace, actor.user, mention, "intent", "spam")
        except ValueError:  # no words to learn from (a bare link): the label still changed
            log.info("Spam correction of mention %s kept no text to learn from", mention.pk)
        corrected += 1
    if conversation.status != Status.RESOLVED:
        do_set_status(conversation, actor, Status.RESOLVED)
    audit(conversation.workspace, actor.user, "conversation.spam", conversation, messages=corrected)
    reprioritize([conversation.pk])
    return corrected


BULK_ACTIONS = ("assign", "tag", "resolve", "spam")
#: At most this many conversations in one bulk action (a page is 25).
BULK_LIMIT = 200


def do_bulk(
    conversations: list[Conversation],
    actor: Member,
    action: str,
    *,
    assignee: Member | None = None,
    tag: str = "",
) -> int:
    """One action on each of ``conversations`` (all of ``actor``'s workspace), each step
    audited as if done one by one. Returns how many conversations it touched."""
    if action not in BULK_ACTIONS:
        raise ValidationError("Choose what to do with the selected conversations.")
    if not actor.can(Role.RESPONDER):
        raise PermissionDenied("Viewers cannot change conversations.")
    if not conversations:
        raise ValidationError("Select at least one conversation.")
    if len(conversations) > BULK_LIMIT:
        raise ValidationError(f"Select at most {BULK_LIMIT} conversations at a time.")
    if any(c.workspace_id != actor.workspace_id for c in conversations):
        raise PermissionDenied("Those conversations belong to another workspace.")
    if action == "tag" and not " ".join(tag.split()):
        raise ValidationError("A tag needs a name.")
    with transaction.atomic():
        for conversation in conversations:
            if action == "assign":
                do_assign(conversation, actor, assignee)
            elif action == "tag":
                do_tag(conversation, actor, tag)
            elif action == "resolve":
                if conversation.status != Status.RESOLVED:
                    do_set_status(conversation, actor, Status.RESOLVED)
            else:
                do_mark_spam(conversation, actor)
    return len(conversations)


# --- notes and replies ---------------------------------------------------------------------


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("Write something first.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep it under {MAX_TEXT:,} characters.")
    return text


def do_note(conversation: Conversation, actor: Member, text: str) -> Message:
    """An internal note: seen by the team, never sent (its state has no way out)."""
    if not actor.can(Role.RESPONDER):
        raise PermissionDenied("Viewers cannot write notes.")
    message = Message.objects.create(
        workspace=conversation.workspace,
        conversation=conversation,
        is_note=True,
        text=_clean_text(text),
        state=State.NOTE,
        author=actor.user,
    )
    audit(conversation.workspace, actor.user, "conversation.note", conversation)
    notices.mentioned(message)
    return message


def reply_target(conversation: Conversation) -> Mention | None:
    """The customer's latest message: what a reply answers."""
    return (
        Mention.objects.filter(conversation=conversation, is_own=False)
        .select_related("source__account")
        .order_by("-posted", "-id")
        .first()
    )


def reply_account(conversation: Conversation, target: Mention | None) -> Account | None:
    """The account that read the message, else the workspace's account on its network."""
    source = target.source if target else None
    account = getattr(source, "account", None)
    if account is not None and account.status == Account.Status.ACTIVE:
        return account
    try:
        if "reply" not in connector_class(conversation.network).capabilities:
            return None
    except KeyError:
        return None
    return (
        Account.objects.filter(
            workspace_id=conversation.workspace_id,
            network=conversation.network,
            status=Account.Status.ACTIVE,
        )
        .order_by("pk")
        .first()
    )


def config_of(account: Account | None) -> dict[str, Any]:
    """The account's decrypted config (its cached limits among them)."""
    return dict(cast(dict[str, Any], account.config) or {}) if account else {}


def check_reply(conversation: Conversation, account: Account | None, text: str) -> None:
    """Refuse what the network would refuse, before anything is stored."""
    if account is None:
        raise ValidationError(
            "No connected account can answer on this network; connect one in Settings."
        )
    counted = count(conversation.network, text, config_of(account), reply=True)
    if counted.over:
        raise ValidationError(
            f"Too long for {conversation.network}: {counted.used} {counted.unit}, "
            f"the limit is {counted.limit}."
        )


def _form_token(token: str) -> str | None:
    """The reply form's one-time token, when it looks like one (else none is used)."""
    token = (token or "").strip()
    plain = token.replace("-", "").replace("_", "")
    return token if len(token) <= 64 and plain.isascii() and plain.isalnum() else None


def _replayed(conversation: Conversation, token: str | None) -> Message | None:
    """The message an earlier post of the same reply form made, if any."""
    if not token:
        return None
    found = Message.objects.filter(workspace_id=conversation.workspace_id, form_token=token).first()
    if found is not None and found.conversation_id != conversation.pk:
        raise ValidationError("This form was already sent; reload the page to reply again.")
    return found


def do_reply(
    conversation: Conversation, actor: Member, text: str, token: str = "", hold: str = ""
) -> Message:
    """Store a reply and send it, or hold it for a manager when it says more than the
    author's role may promise. ``token`` is the reply form's: the same form posted again
    (a double click, a browser re-post) returns the first message and sends nothing.
    ``hold`` holds it whatever it says, for that reason (an assistant's draft)."""
    if not Authority.value_for(actor.workspace, actor.role, "may_reply"):
        raise PermissionDenied("Your role cannot reply from the inbox.")
    form_token = _form_token(token)
    earlier = _replayed(conversation, form_token)
    if earlier is not None:
        return earlier
    text = _clean_text(text)
    target = reply_target(conversation)
    account = reply_account(conversation, target)
    check_reply(conversation, account, text)
    reason = " ".join(filter(None, [hold, authority.hold_reason(actor, text)]))
    # A held reply, its audit entry and its webhook rows (``reply_changed``) commit
    # together: a crash cannot leave a held reply whose event was never recorded.
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a race's loser reads the winner's row
                message = Message.objects.create(
                    workspace=conversation.workspace,
                    conversation=conversation,
                    text=text,
                    state=State.HELD if reason else State.DRAFT,
                    hold_reason=reason,
                    in_reply_to=target.external_id if target else conversation.root_external_id,
                    account=account,
                    author=actor.user,
                    form_token=form_token,
                )
        except IntegrityError:
            earlier = _replayed(conversation, form_token)
            if earlier is None:
                raise
            return earlier
        if reason:
            event = audit(
                conversation.workspace, actor.user, "reply.held", conversation, reason=reason
            )
            signals.reply_changed.send(Message, message=message, state=State.HELD)
    if reason:
        notices.held(message, event)
        return message
    audit(conversation.workspace, actor.user, "reply.write", conversation)
    return send(message, State.DRAFT, actor)


def do_revise(message: Message, actor: Member, text: str) -> Message:
    """The author (or a manager) sends a reply that was sent back, changed."""
    if message.state != State.DRAFT or message.is_note:
        raise ValidationError("Only a reply that was sent back can be revised.")
    if message.author_id != actor.user_id and not actor.can(Role.MANAGER):
        raise PermissionDenied("Only its author or a manager can revise this reply.")
    text = _clean_text(text)
    check_reply(message.conversation, message.account, text)
    reason = authority.hold_reason(actor, text)
    target = State.HELD if reason else State.DRAFT
    Message.objects.filter(pk=message.pk, state=State.DRAFT).update(text=text)
    message.text = text
    if reason:
        with transaction.atomic():  # the state change and its event commit together
            held = transition(
                Message.objects, message.pk, State.DRAFT, State.HELD, hold_reason=reason
            )
            if held:
                event = audit(
                    message.workspace, actor.user, "reply.held", message.conversation, reason=reason
                )
                message.refresh_from_db()
                signals.reply_changed.send(Message, message=message, state=State.HELD)
        if held:
            notices.held(message, event)
        message.refresh_from_db()
        return message
    return send(message, target, actor)


def do_approve(message: Message, actor: Member, text: str | None = None) -> Message:
    """A manager approves a held reply (edited or not) and it is sent."""
    if message.state != State.HELD:
        raise ValidationError("This reply is not waiting for approval.")
    final = _clean_text(text) if text is not None else message.text
    refusal = authority.approval_refusal(actor, final)
    if refusal:
        raise PermissionDenied(refusal)
    check_reply(message.conversation, message.account, final)
    changed = final != message.text
    if (
        Message.objects.filter(pk=message.pk, state=State.HELD).update(
            text=final, approved_by=actor.user
        )
        != 1
    ):
        raise ValidationError("Someone else decided on this reply a moment ago.")
    message.text, message.approved_by = final, actor.user
    audit(message.workspace, actor.user, "reply.approve", message.conversation, edited=changed)
    return send(message, State.HELD, actor)


def do_send_back(message: Message, actor: Member, comment: str) -> Message:
    """A manager returns a held reply to its author with a comment; nothing is sent."""
    if not actor.can(Role.MANAGER):
        raise PermissionDenied("Only a manager or an owner can send a reply back.")
    comment = (comment or "").strip()[:2000]
    if not transition(Message.objects, message.pk, State.HELD, State.DRAFT, review_comment=comment):
        raise ValidationError("This reply is not waiting for approval any more.")
    audit(message.workspace, actor.user, "reply.send_back", message.conversation, comment=comment)
    message.refresh_from_db()
    return message


def do_retry(message: Message, actor: Member) -> Message:
    """Send a failed reply again (same idempotency key). An ``unknown`` one only by a
    manager, who has checked that the network does not show it."""
    if not Authority.value_for(actor.workspace, actor.role, "may_reply"):
        raise PermissionDenied("Your role cannot reply from the inbox.")
    if message.state == State.UNKNOWN and not actor.can(Role.MANAGER):
        raise PermissionDenied("A manager checks the network before this is sent again.")
    if message.state not in (State.FAILED, State.UNKNOWN):
        raise ValidationError("Only a failed reply can be sent again.")
    audit(message.workspace, actor.user, "reply.retry", message.conversation)
    return send(message, message.state, actor)


# --- sending --------------------------------------------------------------------------------


def send(message: Message, source: str, actor: Member | None = None) -> Message:
    """Claim ``message`` (in ``source``) and send it once through its account's connector."""
    now = timezone.now()
    claimed = transition(
        Message.objects,
        message.pk,
        source,
        State.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    if not claimed:
        raise ValidationError("This reply is already being sent, or was sent.")
    return _deliver(message.pk, actor)


def _deliver(pk: int, actor: Member | None) -> Message:
    message = Message.objects.select_related("account", "conversation", "workspace").get(pk=pk)
    user = actor.user if actor else None
    account = message.account
    if account is None or account.status != Account.Status.ACTIVE:
        return _fail(message, user, "The account that sends this reply is not connected.")
    try:
        connector = connector_for(account)
    except (KeyError, ImportError) as error:
        return _fail(message, user, str(error))
    try:
        published = connector.reply(
            message.in_reply_to, message.text, idempotency_key=message.idempotency_key
        )
    except ConnectorError as error:
        if not error.rejected:  # the network refused the text, not the account
            do_mark_error(account, error)
        return _fail(message, user, error.message)
    except Exception:
        # The request may have reached the network: never resend on a guess.
        log.exception("Reply %s stopped while sending", message.pk)
        transition(
            Message.objects,
            message.pk,
            State.SENDING,
            State.UNKNOWN,
            error="Harken stopped while sending this reply. Check on the network "
            "whether it was posted before sending it again.",
        )
        message.refresh_from_db()
        return message
    if connector.config_changed:
        account.config = connector.config  # type: ignore[assignment]  # an encrypted dict
        account.save(update_fields=["config"])
    return _record_sent(message, published.external_id, published.url, user)


@transaction.atomic  # the state change, its audit entry and its webhook rows together
def _fail(message: Message, user: Any, words: str) -> Message:
    failed = transition(
        Message.objects, message.pk, State.SENDING, State.FAILED, error=words[:4000]
    )
    message.refresh_from_db()
    if failed:  # only the one who moved it announces it: never two reply.failed
        audit(message.workspace, user, "reply.failed", message.conversation, error=words[:500])
        signals.reply_changed.send(Message, message=message, state=State.FAILED)
    return message


#: Kept on a sent reply whose network id an earlier reply already holds.
SAME_POST = (
    "The network answered with the post of an earlier reply ({id}): this reply did not "
    "go out as a post of its own."
)


@transaction.atomic
def _record_sent(message: Message, external_id: str, url: str, user: Any) -> Message:
    now = timezone.now()
    sent = {
        "url": url if url.lower().startswith(("https://", "http://")) else "",
        "sent_at": now,
        "error": "",
    }
    try:
        with transaction.atomic():  # a savepoint: the id clash below must not end the send
            moved = transition(
                Message.objects,
                message.pk,
                State.SENDING,
                State.SENT,
                external_id=external_id,
                **sent,
            )
    except IntegrityError:
        # The network gave an id another message holds (it answered a repeat with the
        # post it already had). The reply is sent all the same: record it without the id,
        # saying so, rather than fail a request whose words are already on the network.
        log.warning("Reply %s: the network's id %s is an earlier reply's", message.pk, external_id)
        sent["error"] = SAME_POST.format(id=external_id)
        moved = transition(Message.objects, message.pk, State.SENDING, State.SENT, **sent)
    conversation = message.conversation
    Conversation.objects.filter(pk=conversation.pk, first_response_at__isnull=True).update(
        first_response_at=now, first_responder=message.author_id
    )
    Conversation.objects.filter(pk=conversation.pk, status__in=[Status.NEW, Status.OPEN]).update(
        status=Status.WAITING, last_activity=now
    )
    reprioritize([conversation.pk], now)
    audit(message.workspace, user, "reply.sent", conversation, external_id=external_id)
    message.refresh_from_db()
    if moved:  # only the one who moved it announces it: never two reply.sent
        signals.reply_changed.send(Message, message=message, state=State.SENT)
    return message


def do_reconcile_interrupted(now: datetime | None = None) -> dict[str, int]:
    """Settle sends that stopped half-way (claimed, never recorded): where the network
    honours idempotency keys and the key is still fresh, send again under the same key
    (the network answers with the post it already has); where it can be asked, record
    what it has or send what it lacks; else mark ``unknown``."""
    now = now or timezone.now()
    outcome = {"resent": 0, "found": 0, "unknown": 0}
    stale = Message.objects.filter(
        state=State.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER
    ).select_related("account")
    for message in stale[:500]:
        network = message.account.network if message.account else ""
        safe = (
            message.claimed_at is not None
            and now - message.claimed_at < KEY_LIFETIME
            and _honours_keys(network)
        )
        # Without keys, a network that can be asked settles it: recorded if it has the
        # reply, sent if it has not (True / False); None when it cannot tell.
        there = None if safe else _asked(message)
        if there:
            outcome["found"] += 1
        elif safe or there is False:
            # Re-claim this very claim: a second sweeper finds claimed_at changed.
            if Message.objects.filter(
                pk=message.pk, state=State.SENDING, claimed_at=message.claimed_at
            ).update(claimed_at=now):
                _deliver(message.pk, None)
                outcome["resent"] += 1
        elif transition(
            Message.objects,
            message.pk,
            State.SENDING,
            State.UNKNOWN,
            error="Harken stopped while sending this reply. Check on the network whether "
            "it was posted before sending it again.",
        ):
            outcome["unknown"] += 1
    return outcome


def _asked(message: Message) -> bool | None:
    """Ask the network whether an interrupted reply went out (``find_reply``, where the
    connector ``finds_replies``): True when it had it (now recorded as sent), False when
    it has not, None when it cannot be asked or the asking failed."""
    account = message.account
    if account is None or message.claimed_at is None:
        return None
    try:
        if not getattr(connector_class(account.network), "finds_replies", False):
            return None
        connector = connector_for(account)
        since = message.claimed_at - timedelta(minutes=1)  # the network's clock may differ
        found = connector.find_reply(message.in_reply_to, message.text, since)
    except (ConnectorError, NotImplementedError, KeyError, ImportError):
        return None
    if found is None:
        return False
    _record_sent(message, found.external_id, found.url, None)
    return True


def _honours_keys(network: str) -> bool:
    try:
        return bool(getattr(connector_class(network), "idempotent_writes", False))
    except KeyError:
        return False
