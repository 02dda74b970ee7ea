"""The states of our outbound messages, declared once as data (DESIGN, "Respond").

A reply moves draft → held (needs a manager) → sending → sent, or → failed; a failed
reply can be sent again. ``unknown`` is a send that was interrupted after the network
may have accepted it and that no lookup could settle: a person checks the network before
anything is sent again. A note is never sent: its state has no way out.

Every transition is one conditional UPDATE (``transition``): of two processes that try
the same move, exactly one changes the row, so a reply is claimed, and sent, once.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Sent back"
    HELD = "held", "Held for approval"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    UNKNOWN = "unknown", "Unknown: check on the network"
    NOTE = "note", "Internal note"


#: state -> the states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.HELD, State.SENDING}),
    State.HELD: frozenset({State.SENDING, State.DRAFT}),
    State.SENDING: frozenset({State.SENT, State.FAILED, State.UNKNOWN}),
    State.FAILED: frozenset({State.SENDING}),
    State.UNKNOWN: frozenset({State.SENDING, State.SENT}),
    State.SENT: frozenset(),
    State.NOTE: frozenset(),
}

#: States from which a send may be claimed.
SENDABLE = frozenset(s for s, targets in TRANSITIONS.items() if State.SENDING in targets)


class IllegalTransition(ValueError):
    pass


def check(source: str, target: str) -> None:
    if target not in TRANSITIONS.get(source, frozenset()):
        raise IllegalTransition(f"A message cannot go from {source} to {target}.")


def transition(queryset: Any, pk: int, source: str, target: str, **fields: Any) -> bool:
    """Move row ``pk`` from ``source`` to ``target`` (and set ``fields``) if it is still in
    ``source``; True when this call made the move. Notes and rows that already carry a
    network id never enter ``sending``."""
    check(source, target)
    rows = queryset.filter(pk=pk, state=source)
    if target == State.SENDING:
        rows = rows.filter(is_note=False, external_id="")
    return rows.update(state=target, **fields) == 1
