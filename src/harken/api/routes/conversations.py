from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Status

from harken.api import schemas as s
from harken.api.operations import conversations as ops
from harken.api.out import conversation_out, mention_out, message_out
from harken.api.routes.common import ERRORS, WRITE_ERRORS, Id, caller_of

router = Router(tags=["conversations"])
View = Literal[
    "needs_reply",
    "mine",
    "unassigned",
    "held",
    "questions",
    "complaints",
    "praise",
    "purchase",
    "snoozed",
    "resolved",
    "all",
]


def thread_out(thread: ops.Thread) -> s.ThreadOut:
    return s.ThreadOut(
        conversation=conversation_out(thread.conversation),
        mentions=[mention_out(m) for m in thread.mentions],
        messages=[message_out(m) for m in thread.messages],
    )


@router.get("/conversations", response={200: s.ConversationPage, **ERRORS})
def list_conversations(
    request: HttpRequest,
    view: View = "needs_reply",
    after: str = Query("", max_length=48, pattern=r"^(\d{1,5}\.\d{1,19})?$"),
    limit: int = Query(25, ge=1, le=100),
) -> s.ConversationPage:
    """One of the inbox's views, most pressing first; pages by ``after``."""
    page = ops.list_conversations(caller_of(request), view, after, limit)
    return s.ConversationPage(
        items=[conversation_out(c) for c in page.items], next_after=page.next_after
    )


@router.get("/conversations/{pk}", response={200: s.ThreadOut, **ERRORS})
def get_conversation(request: HttpRequest, pk: Id) -> s.ThreadOut:
    """The conversation with the customer's mentions and our replies and notes."""
    return thread_out(ops.get_conversation(caller_of(request), pk))


@router.post("/conversations/{pk}/assign", response={200: s.ThreadOut, **ERRORS})
def assign(request: HttpRequest, pk: Id, body: s.AssignIn) -> s.ThreadOut:
    return thread_out(ops.assign(caller_of(request), pk, body.assignee))


@router.post("/conversations/{pk}/tags", response={200: s.ThreadOut, **ERRORS})
def tag(request: HttpRequest, pk: Id, body: s.TagIn) -> s.ThreadOut:
    return thread_out(ops.tag(caller_of(request), pk, body.name))


@router.delete("/conversations/{pk}/tags", response={200: s.ThreadOut, **ERRORS})
def untag(
    request: HttpRequest, pk: Id, name: str = Query(..., min_length=1, max_length=48)
) -> s.ThreadOut:
    return thread_out(ops.untag(caller_of(request), pk, name))


@router.post("/conversations/{pk}/snooze", response={200: s.ThreadOut, **ERRORS})
def snooze(request: HttpRequest, pk: Id, body: s.SnoozeIn) -> s.ThreadOut:
    """Snooze until a time, or wake with ``{"until": null}``."""
    return thread_out(ops.snooze(caller_of(request), pk, body.until))


@router.post("/conversations/{pk}/status", response={200: s.ThreadOut, **ERRORS})
def set_status(request: HttpRequest, pk: Id, body: s.StatusIn) -> s.ThreadOut:
    return thread_out(ops.set_status(caller_of(request), pk, body.status))


@router.post("/conversations/{pk}/resolve", response={200: s.ThreadOut, **ERRORS})
def resolve(request: HttpRequest, pk: Id) -> s.ThreadOut:
    return thread_out(ops.set_status(caller_of(request), pk, "resolved"))


@router.post("/conversations/{pk}/replies", response={201: s.MessageOut, **WRITE_ERRORS})
def reply(request: HttpRequest, pk: Id, body: s.ReplyIn) -> Status:
    """Reply to the customer's latest message. ``state`` is ``sent`` (or ``failed`` with
    the network's words), or ``held`` with a ``hold_reason`` when it says more than the
    member may promise: a manager approves it in the inbox."""
    return Status(201, message_out(ops.reply(caller_of(request), pk, body.text, body.key)))
