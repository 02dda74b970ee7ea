"""A variant's states and the moves between them, declared as data in one place.

    draft → awaiting_approval → scheduled → publishing → published | failed
    failed → scheduled (retry); scheduled → awaiting_approval (an approved text edited)

Every move is one conditional UPDATE (``filter(pk=…, state=from).update(state=to) == 1``):
whoever changes the row first wins, and the loser learns it from the count, so two workers
(or a worker and a person pressing "retry") never both act on one variant.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


#: Where each state may go next. Anything else is refused.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.AWAITING_APPROVAL, State.SCHEDULED}),
    State.AWAITING_APPROVAL: frozenset({State.DRAFT, State.SCHEDULED}),
    # Back to awaiting approval: an approved variant whose text was edited.
    State.SCHEDULED: frozenset({State.PUBLISHING, State.AWAITING_APPROVAL, State.DRAFT}),
    # Back to scheduled: a transient error, retried later.
    State.PUBLISHING: frozenset({State.PUBLISHED, State.FAILED, State.SCHEDULED}),
    State.PUBLISHED: frozenset(),
    State.FAILED: frozenset({State.SCHEDULED, State.DRAFT}),
}

#: States in which nothing has gone out yet, so the text may still change.
EDITABLE: frozenset[State] = frozenset(
    {State.DRAFT, State.AWAITING_APPROVAL, State.SCHEDULED, State.FAILED}
)


class IllegalTransition(ValueError):
    """A move the state graph does not have (published → scheduled, draft → published…)."""


def check_transition(source: str, target: str) -> None:
    """Raise ``IllegalTransition`` unless ``source`` → ``target`` is in ``TRANSITIONS``."""
    if State(target) not in TRANSITIONS[State(source)]:
        raise IllegalTransition(
            f"A variant cannot go from {State(source).label.lower()} "
            f"to {State(target).label.lower()}."
        )


def transition(variant: Any, target: str, **fields: Any) -> bool:
    """Move ``variant`` from the state it was read in to ``target``, atomically.

    Returns False, changing nothing, when another process moved the row first. ``fields``
    are written in the same UPDATE (the network's id, an error, the next attempt). The
    in-memory object is updated only when the move won."""
    source = variant.state
    check_transition(source, target)
    won = (
        type(variant).objects.filter(pk=variant.pk, state=source).update(state=target, **fields)
        == 1
    )
    if won:
        variant.state = target
        for name, value in fields.items():
            setattr(variant, name, value)
    return won
