"""Moving a variant to another time on the calendar (a drag, or the "move" form).

The same checks as scheduling it: the network's rules (``validation.check_variant``) and
the guidelines gate at the new time (``gate.findings_for``). A refusal changes nothing
and names each finding; a variant that has gone out (or is going) cannot move.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from harken.core.actions import audit
from harken.publishing.gate import findings_for
from harken.publishing.models import Occurrence, Variant
from harken.publishing.states import EDITABLE, IllegalTransition, State
from harken.publishing.validation import CannotSchedule, Problem, check_variant

#: States whose variant is checked as if it were being scheduled: it will go out (or is
#: waiting to be approved for going out) at the new time. A draft is not checked yet.
CHECKED = {State.SCHEDULED, State.AWAITING_APPROVAL, State.FAILED}


def local_moment(day: Any, at: time, zone: ZoneInfo) -> datetime:
    """``day`` at wall-clock ``at`` in ``zone``. A time that the clocks skip (02:30 on the
    night they go forward) is read with the offset from before the change, as the
    calendar shows it; a repeated time is its first occurrence."""
    return datetime.combine(day, at, tzinfo=zone)


def problems_at(variant: Variant, when: datetime) -> list[Problem]:
    """What would stop ``variant`` going out at ``when`` (empty when nothing would)."""
    previous = variant.scheduled_at
    variant.scheduled_at = when
    try:
        problems = check_variant(variant)
        problems += [Problem(f.rule, f.message) for f in findings_for(variant, when)]
    finally:
        variant.scheduled_at = previous
    return problems


def do_move(variant: Variant, when: datetime, *, actor: Any = None) -> None:
    """Move ``variant`` to ``when``, or raise ``CannotSchedule`` (what is wrong there) or
    ``IllegalTransition`` (it has gone out, or someone else changed it first)."""
    if when.tzinfo is None:
        raise ValueError("Publishing times must be timezone-aware.")
    if variant.state not in EDITABLE:
        raise IllegalTransition("This post has gone out already; it cannot move.")
    if variant.state in CHECKED:
        problems = problems_at(variant, when)
        if problems:
            raise CannotSchedule(problems)
    fields: dict[str, Any] = {"scheduled_at": when}
    if variant.state == State.SCHEDULED:
        fields.update(next_attempt_at=None, claimed_at=None)
    # Conditional on the state it was read in: a worker that claimed it meanwhile wins.
    moved = Variant.objects.filter(pk=variant.pk, state=variant.state).update(**fields)
    if moved != 1:
        raise IllegalTransition("Someone else changed this post; reload the calendar.")
    before = variant.scheduled_at
    variant.scheduled_at = when
    # A moved occurrence of a series is the person's now: editing the series leaves it.
    Occurrence.objects.filter(post_id=variant.post_id).update(detached=True)
    audit(
        variant.workspace,
        actor,
        "variant.move",
        variant,
        before=before.isoformat() if before else "",
        after=when.isoformat(),
    )
