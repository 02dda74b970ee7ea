"""Thread mentions into conversations by their reply links.

A conversation is keyed by its root: the external id of the first item of the chain, or,
when a chain hangs from a parent we have not seen (yet), the network's thread id (X's
conversation_id, Bluesky's root: the root's own id) or else that parent's id. Items arrive in
any order (a file lists replies before the posts they answer; a network pages newest
first), so when a missing parent arrives later the conversation its replies opened is
merged into the parent's. Keys are unique per workspace and network, which makes a
repeated batch find the same conversations: threading is idempotent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone

from harken.core.models import Workspace
from harken.inbox.models import Conversation, Message
from harken.inbox.states import State
from harken.listening.bulk import as_datetime, insert_ignoring_conflicts, select_in, update_by_pk
from harken.listening.models import Author, Mention
from harken.listening.normalize import Prepared


def assign_conversations(workspace: Workspace, rows: Sequence[Prepared]) -> dict[str, int]:
    """Conversation id per external id of ``rows`` (one network), creating what is missing."""
    if not rows:
        return {}
    network = rows[0].network
    batch = {row.external_id: row for row in rows}
    outside = sorted({r.in_reply_to for r in rows if r.in_reply_to and r.in_reply_to not in batch})
    stored = _stored_parents(workspace, network, outside)
    resolved = _resolve(batch, stored)
    keys = sorted({str(value) for kind, value in resolved.values() if kind == "key"})
    by_key = _conversations_for_keys(workspace, network, keys)
    result = {
        ext: (int(value) if kind == "conv" else by_key[str(value)])
        for ext, (kind, value) in resolved.items()
    }
    _merge_waiting_children(workspace, network, batch, result)
    return result


def _stored_parents(workspace: Workspace, network: str, ids: Sequence[str]) -> dict[str, int]:
    where = {"workspace": workspace.pk, "network": network}
    found = select_in(Mention, ["external_id", "conversation"], where, "external_id", ids)
    return {ext: conv for ext, conv in found if conv is not None}


def _resolve(
    batch: dict[str, Prepared], stored: dict[str, int]
) -> dict[str, tuple[str, int | str]]:
    """Walk each reply chain up to a stored conversation ("conv", id) or a root key ("key", id)."""
    resolved: dict[str, tuple[str, int | str]] = {}
    for start in batch.values():
        chain: list[str] = []
        current = start
        while True:
            if current.external_id in resolved:
                outcome = resolved[current.external_id]
                break
            chain.append(current.external_id)
            parent = current.in_reply_to
            if not parent or parent == current.external_id:
                outcome = ("key", current.external_id)
                break
            if parent in stored:
                outcome = ("conv", stored[parent])
                break
            if parent not in batch:
                # Hangs from an item we have not seen: key it by the network's own thread
                # id when it gives one (the root's id), else by the missing parent.
                outcome = ("key", current.item.conversation_id or parent)
                break
            if parent in chain:  # a loop in the data: cut it here
                outcome = ("key", current.external_id)
                break
            current = batch[parent]
        for ext in chain:
            resolved[ext] = outcome
    return resolved


def _conversations_for_keys(workspace: Workspace, network: str, keys: list[str]) -> dict[str, int]:
    by_key = _read_keys(workspace, network, keys)
    missing = [key for key in keys if key not in by_key]
    if missing:
        now = timezone.now()
        # Ignoring conflicts: a second worker may have opened it; then we use theirs.
        opened = insert_ignoring_conflicts(
            Conversation,
            CONVERSATION_FIELDS,
            ((workspace.pk, network, key, Conversation.Status.NEW, "", "", now) for key in missing),
            returning=("root_external_id", "id"),
        )
        by_key.update(opened)
        if len(opened) < len(missing):
            by_key.update(_read_keys(workspace, network, [k for k in missing if k not in by_key]))
    return by_key


CONVERSATION_FIELDS = (
    "workspace",
    "network",
    "root_external_id",
    "status",
    "subject_external_id",
    "subject_handle",
    "created",
)


def _read_keys(workspace: Workspace, network: str, keys: Sequence[str]) -> dict[str, int]:
    where = {"workspace": workspace.pk, "network": network}
    return dict(
        select_in(Conversation, ["root_external_id", "id"], where, "root_external_id", keys)
    )


def _merge_waiting_children(
    workspace: Workspace, network: str, batch: dict[str, Prepared], result: dict[str, int]
) -> None:
    """Replies that arrived before this batch's items opened conversations keyed by them; an
    item that is itself a reply now belongs elsewhere, so fold those conversations into it."""
    replies = [ext for ext, row in batch.items() if row.in_reply_to]
    where = {"workspace": workspace.pk, "network": network}
    fields = ["id", "root_external_id", "assignee"]
    for conv_id, root, assignee_id in select_in(
        Conversation, fields, where, "root_external_id", replies
    ):
        target = result[root]
        if target != conv_id:
            _fold(conv_id, target, assignee_id, result)


def _fold(conv_id: int, target: int, assignee_id: int | None, result: dict[str, int]) -> None:
    Mention.objects.filter(conversation_id=conv_id).update(conversation_id=target)
    if assignee_id is not None:  # keep a person's claim on the thread
        Conversation.objects.filter(pk=target, assignee__isnull=True).update(
            assignee_id=assignee_id
        )
    Conversation.objects.filter(pk=conv_id).delete()
    # Items of this batch that answer a stored member of the folded conversation.
    for ext, conv in result.items():
        if conv == conv_id:
            result[ext] = target


TIMES = ("first_message_at", "first_response_at", "last_activity")
REFRESHED = (
    "first_message_at",
    "first_response_at",
    "last_activity",
    "subject_external_id",
    "subject_handle",
    "status",
)


def refresh(conversation_ids: Iterable[int]) -> None:
    """Recompute first message, first response, last activity, subject and status, then
    the conversations' place in the inbox (from the same reads)."""
    from harken.inbox.priority import Entry, reprioritize

    ids = sorted(set(conversation_ids))
    timelines: dict[int, list[tuple[datetime, bool, str, str]]] = defaultdict(list)
    entries: dict[int, list[Entry]] = defaultdict(list)
    fields = ["conversation", "posted", "is_own", "author", "intents", "sentiment"]
    rows = select_in(Mention, fields, {}, "conversation", ids)
    authors = dict(
        (pk, (ext, handle))
        for pk, ext, handle in select_in(
            Author, ["id", "external_id", "handle"], {}, "id", sorted({row[3] for row in rows})
        )
    )
    for conv_id, raw_posted, is_own, author_id, intents, sentiment in rows:
        posted, own = as_datetime(raw_posted), bool(is_own)
        timelines[conv_id].append((posted, own, *authors[author_id]))
        entries[conv_id].append(Entry(posted, own, author_id, intents, sentiment))
    # Our replies sent from Harken are answers before the network shows them to a fetch.
    for conv_id, state, sent_at in select_in(
        Message, ["conversation", "state", "sent_at"], {}, "conversation", ids
    ):
        if state == State.SENT and sent_at is not None:
            sent = as_datetime(sent_at)
            timelines[conv_id].append((sent, True, "", ""))
            entries[conv_id].append(Entry(sent, True, 0, None, ""))
    changed, woken = [], []
    fields = ["id", "resolved_at", "snoozed_until", *REFRESHED]
    for values in select_in(Conversation, fields, {}, "id", ids):
        state = dict(zip(fields, values, strict=True))
        for name in ("resolved_at", "snoozed_until", *TIMES):
            state[name] = as_datetime(state[name])
        before = [state[name] for name in REFRESHED]
        last_seen = state["last_activity"]
        timeline = sorted(timelines.get(state["id"], []))
        _apply_timeline(state, timeline)
        after = [state[name] for name in REFRESHED]
        if after != before:
            changed.append((*after, state["id"]))
        if state["snoozed_until"] is not None and _customer_wrote_since(timeline, last_seen):
            woken.append(state["id"])
    update_by_pk(Conversation, REFRESHED, changed)
    if woken:  # a customer who writes again ends the snooze
        from harken.inbox.actions import do_wake

        do_wake(woken)
    # The queue's order: what the customer waits on, how long, and how often they wrote.
    reprioritize(ids, timelines=entries)


def _customer_wrote_since(
    timeline: list[tuple[datetime, bool, str, str]], last_activity: datetime | None
) -> bool:
    """Whether a customer's message is newer than everything the conversation had."""
    return last_activity is not None and any(
        not own and posted > last_activity for posted, own, _, _ in timeline
    )


def _apply_timeline(state: dict[str, Any], timeline: list[tuple[datetime, bool, str, str]]) -> None:
    """Set a conversation's times from its messages in time order."""
    if not timeline:
        return
    inbound = [entry for entry in timeline if not entry[1]]
    first = inbound[0] if inbound else None
    state["first_message_at"] = first[0] if first else None
    state["first_response_at"] = next(
        (posted for posted, own, _, _ in timeline if own and first and posted >= first[0]), None
    )
    state["last_activity"] = timeline[-1][0]
    if first:  # the chain's earliest customer: it moves when an earlier message arrives
        state["subject_external_id"], state["subject_handle"] = first[2], first[3]
    state["status"] = _status(state, last_is_own=timeline[-1][1])


def _status(state: dict[str, Any], *, last_is_own: bool) -> str:
    status = state["status"]
    if status == Conversation.Status.RESOLVED:
        resolved_at = state["resolved_at"]
        reopened = not last_is_own and (resolved_at is None or state["last_activity"] > resolved_at)
        return Conversation.Status.OPEN if reopened else status
    if last_is_own:
        return Conversation.Status.WAITING  # we answered last: the customer's turn
    if status == Conversation.Status.WAITING or state["first_response_at"] is not None:
        return Conversation.Status.OPEN  # the customer wrote back after our answer
    return status
