"""What a person does to a variant: schedule it, edit it. The checks come first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from harken.core.actions import audit
from harken.publishing.gate import findings_for
from harken.publishing.models import Variant
from harken.publishing.states import EDITABLE, IllegalTransition, State, transition
from harken.publishing.validation import CannotSchedule, Problem, check_variant


def do_schedule(
    variant: Variant,
    when: datetime,
    *,
    overrides: dict[str, str] | None = None,
    actor: Any = None,
) -> None:
    """Schedule ``variant`` for ``when``, or raise ``CannotSchedule`` naming each broken
    rule and guideline (and change nothing). ``overrides`` maps guideline rules a person
    chose to pass over to their reasons, which the audit log keeps. A failed variant
    scheduled again is a retry: its error and attempts start over."""
    if when.tzinfo is None:
        raise ValueError("Publishing times must be timezone-aware.")
    overridden = sorted(set(variant.overrides or []) | set(overrides or {}))
    variant.scheduled_at, variant.overrides = when, overridden
    problems = check_variant(variant)
    problems += [Problem(f.rule, f.message) for f in findings_for(variant, when)]
    if problems:
        variant.refresh_from_db(fields=["scheduled_at", "overrides"])
        raise CannotSchedule(problems)
    for rule, reason in (overrides or {}).items():
        audit(variant.workspace, actor, "guideline.override", variant, rule=rule, reason=reason)
    fields: dict = {
        "scheduled_at": when,
        "next_attempt_at": None,
        "claimed_at": None,
        "overrides": overridden,
    }
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


def do_retry(variant: Variant, actor: Any = None) -> None:
    """Publish a failed variant again, now (or at its time, if that is still ahead), after
    the same checks as scheduling it. For a variant that failed as "unknown", the person
    retrying has checked that the network does not have it."""
    if variant.state != State.FAILED:
        raise IllegalTransition("Only a failed variant can be retried.")
    when = max(timezone.now(), variant.scheduled_at or timezone.now())
    do_schedule(variant, when, actor=actor)
    audit(variant.workspace, actor, "variant.retry", variant)
