"""What a person does to a variant: schedule it, edit it. The checks come first."""

from __future__ import annotations

from datetime import datetime

from harken.publishing.models import Variant
from harken.publishing.states import EDITABLE, IllegalTransition, State, transition
from harken.publishing.validation import CannotSchedule, check_variant


def do_schedule(variant: Variant, when: datetime) -> None:
    """Schedule ``variant`` for ``when``, or raise ``CannotSchedule`` naming each broken
    rule (and change nothing). A failed variant scheduled again is a retry: its error and
    attempts start over."""
    if when.tzinfo is None:
        raise ValueError("Publishing times must be timezone-aware.")
    variant.scheduled_at = when
    problems = check_variant(variant)
    if problems:
        variant.refresh_from_db(fields=["scheduled_at"])
        raise CannotSchedule(problems)
    fields: dict = {"scheduled_at": when, "next_attempt_at": None, "claimed_at": None}
    if variant.state == State.FAILED:
        fields.update(error="", attempts=0)
    if not transition(variant, State.SCHEDULED, **fields):
        raise IllegalTransition("Someone else changed this variant; reload it.")


def do_edit_text(variant: Variant, text: str) -> None:
    """Change a variant's text before it goes out. An approved (scheduled) variant whose
    text changes waits for approval again: what was approved is not what would go out."""
    if variant.state not in EDITABLE:
        raise IllegalTransition("This variant has gone out already; its text cannot change.")
    if variant.state == State.SCHEDULED:
        if not transition(variant, State.AWAITING_APPROVAL, text=text):
            raise IllegalTransition("Someone else changed this variant; reload it.")
        return
    updated = Variant.objects.filter(pk=variant.pk, state=variant.state).update(text=text)
    if updated != 1:
        raise IllegalTransition("Someone else changed this variant; reload it.")
    variant.text = text
