"""Canned replies: written once per workspace, filled in for each conversation.

``fill`` replaces the four known variables and nothing else, in one pass: a customer's
name that itself reads ``{agent}`` stays as written. The result is plain text (the reply
is plain text); pages and the reply box escape it like any other text.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When

from harken.core.actions import audit
from harken.core.models import Member, Role, Workspace
from harken.inbox.models import CannedReply, Conversation
from harken.listening.models import Author

VARIABLES = {
    "first_name": "the customer's first name (their handle when no name is known)",
    "handle": "the customer's handle, with its @",
    "agent": "your first name (your user name when it is not set)",
    "business": "the workspace's name",
}
MAX_NAME = 60
MAX_TEXT = 5000
#: At most this many matches come back to the reply box.
MATCHES = 8
_BRACED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")


def _plain(value: str, limit: int = 120) -> str:
    """One line of text: controls, bidi overrides and line breaks become spaces."""
    return " ".join(_CONTROL.sub(" ", value or "").split())[:limit]


def values_for(conversation: Conversation, member: Member) -> dict[str, str]:
    """The variables' values for ``conversation`` answered by ``member``."""
    author = (
        Author.objects.filter(
            workspace_id=conversation.workspace_id,
            network=conversation.network,
            external_id=conversation.subject_external_id,
        )
        .only("name", "handle")
        .first()
        if conversation.subject_external_id
        else None
    )
    handle = _plain(conversation.subject_handle or (author.handle if author else "")).lstrip("@")
    name = _plain(author.name if author else "")
    user = member.user
    return {
        "first_name": name.split(" ")[0] if name else handle or "there",
        "handle": f"@{handle}" if handle else "",
        "agent": _plain(user.first_name) or user.get_username(),
        "business": _plain(member.workspace.name),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known ``{variable}`` replaced by its value, in one pass."""
    return _BRACED.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def search(workspace: Workspace, query: str) -> QuerySet[CannedReply]:
    """The workspace's canned replies matching ``query`` (names first, then texts)."""
    query = _plain(query, 60)
    replies = CannedReply.objects.filter(workspace=workspace)
    if query:
        replies = replies.filter(name__icontains=query) | replies.filter(text__icontains=query)
        replies = replies.annotate(
            rank=Case(
                When(name__istartswith=query, then=Value(0)),
                When(name__icontains=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("rank", "name", "id")
    return replies[:MATCHES]


def _clean(name: str, text: str) -> tuple[str, str]:
    name = _plain(name, 1000)
    text = (text or "").replace("\r\n", "\n").strip()
    if not name:
        raise ValidationError("Give the canned reply a name.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"Keep the name under {MAX_NAME} characters.")
    if not text:
        raise ValidationError("Write the reply's text.")
    if len(text) > MAX_TEXT:
        raise ValidationError(f"Keep the text under {MAX_TEXT:,} characters.")
    unknown = sorted({m.group(1) for m in _BRACED.finditer(text)} - set(VARIABLES))
    if unknown:
        known = ", ".join("{" + v + "}" for v in VARIABLES)
        raise ValidationError(f"Unknown variable {{{unknown[0]}}}: the variables are {known}.")
    return name, text


def _check(actor: Member) -> None:
    if not actor.can(Role.MANAGER):
        raise PermissionDenied("Only a manager or an owner can change canned replies.")


def do_save_canned(
    actor: Member, name: str, text: str, canned: CannedReply | None = None
) -> CannedReply:
    """Create a canned reply, or change ``canned``."""
    _check(actor)
    name, text = _clean(name, text)
    if canned is not None and canned.workspace_id != actor.workspace_id:
        raise PermissionDenied("That canned reply belongs to another workspace.")
    row = canned or CannedReply(workspace=actor.workspace, created_by=actor.user)
    row.name, row.text = name, text
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(f"A canned reply is already called {name!r}.") from None
    action = "canned_reply.update" if canned else "canned_reply.create"
    audit(actor.workspace, actor.user, action, row, name=name)
    return row


def do_delete_canned(actor: Member, canned: CannedReply) -> None:
    _check(actor)
    if canned.workspace_id != actor.workspace_id:
        raise PermissionDenied("That canned reply belongs to another workspace.")
    name = canned.name
    canned.delete()
    audit(actor.workspace, actor.user, "canned_reply.delete", name, name=name)
