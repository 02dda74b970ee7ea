"""Recurring series: an iCalendar RRULE (RFC 5545, read by ``dateutil.rrule``) that
repeats a post, materialised as real posts a window ahead.

The rule repeats the first occurrence's wall-clock time in the workspace's zone, so a
10:00 weekly special stays at 10:00 across daylight-saving changes. Materialising is
idempotent: each occurrence is unique per series and time, so a second run (or two
workers at once) makes nothing twice. An occurrence a person edited is detached and
left alone; editing the series replaces the future occurrences nobody edited.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr
from django.db import IntegrityError, transaction
from django.utils import timezone

from harken.core.models import Authority, Member
from harken.publishing.models import Occurrence, Post, Series, Variant
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import EDITABLE, State, transition
from harken.publishing.validation import CannotSchedule

#: Days ahead that occurrences exist as posts (so they show, and pass the gate, early).
WINDOW_DAYS = 60
#: A rule may not repeat more often than daily: a series is a plan, not a flood.
ALLOWED = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
TOO_OFTEN = {"HOURLY", "MINUTELY", "SECONDLY"}


#: A series says the same thing every time by design: the guideline against repeating a
#: recent text is passed over for its occurrences (the audit log keeps why).
REPEATS_ON_PURPOSE = {"duplicate": "A recurring series repeats its text on purpose."}


class BadRule(ValueError):
    """An RRULE that cannot be read, or that the calendar refuses; the message says why."""


def parse_rule(
    text: str, starts: datetime, until: date | None = None, count: int | None = None
) -> rrule:
    """The rule ``text`` (``FREQ=WEEKLY;BYDAY=WE``, with or without ``RRULE:``) from the
    naive local ``starts``, bounded by ``until`` (inclusive) or ``count``."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise BadRule("Write the rule, for example FREQ=WEEKLY;BYDAY=WE for every Wednesday.")
    parts = {
        key.upper(): value.upper()
        for key, _, value in (p.partition("=") for p in body.split(";") if p)
    }
    if "FREQ" not in parts:
        raise BadRule("The rule needs a FREQ, for example FREQ=WEEKLY or FREQ=MONTHLY.")
    if "DTSTART" in parts or "\n" in body:
        raise BadRule("Give one RRULE line; the first date and time have their own fields.")
    if until is not None and count is not None:
        raise BadRule("End the series on a date or after a number of posts, not both.")
    if parts["FREQ"] not in ALLOWED | TOO_OFTEN:
        raise BadRule(
            f"That is not an iCalendar RRULE: FREQ is one of {', '.join(sorted(ALLOWED))}."
        )
    if parts["FREQ"] in TOO_OFTEN:
        raise BadRule("A series repeats daily at most (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY).")
    if (until is not None or count is not None) and parts.keys() & {"UNTIL", "COUNT"}:
        raise BadRule("The rule has its own UNTIL or COUNT; leave the end fields empty.")
    try:
        rule = rrulestr("RRULE:" + body, dtstart=starts.replace(tzinfo=None))
    except (ValueError, TypeError) as exc:
        raise BadRule(f"That is not an iCalendar RRULE ({exc}).") from None
    if not isinstance(rule, rrule):
        raise BadRule("Give one RRULE line.")
    if until is not None:
        rule = rule.replace(until=datetime.combine(until, time.max))
    elif count is not None:
        rule = rule.replace(count=count)
    return rule


def rule_of(series: Series, zone: ZoneInfo) -> rrule:
    return parse_rule(series.rrule, series.starts.astimezone(zone), series.until, series.count)


def occurrences(series: Series, start: datetime, end: datetime) -> list[datetime]:
    """The series' moments from ``start`` (inclusive) to ``end`` (exclusive), aware."""
    zone = ZoneInfo(series.workspace.time_zone)
    rule = rule_of(series, zone)
    first = start.astimezone(zone).replace(tzinfo=None)
    last = end.astimezone(zone).replace(tzinfo=None)
    found = []
    for local in rule.between(first - timedelta(hours=1), last + timedelta(hours=1), inc=True):
        moment = local.replace(tzinfo=zone)
        if start <= moment < end:
            found.append(moment)
    return found


def needs_approval(member: Member | None) -> bool:
    """Whether posts by ``member`` wait for approval (their role's authority); a series
    without an author (its author left) waits too."""
    if member is None:
        return True
    return bool(Authority.value_for(member.workspace, member.role, "posts_need_approval"))


def _ready(variant: Variant, at: datetime, author: Member | None) -> None:
    """Take a new draft occurrence as far as its author may: awaiting approval, or
    scheduled when it passes the checks (a refusal leaves it a draft, shown as such)."""
    if needs_approval(author):
        transition(variant, State.AWAITING_APPROVAL)
        return
    with contextlib.suppress(CannotSchedule):
        do_schedule(
            variant, at, overrides=REPEATS_ON_PURPOSE, actor=author.user if author else None
        )


def materialise_one(series: Series, at: datetime) -> bool:
    """The occurrence at ``at`` as a post with a variant per account; False when it
    exists already."""
    accounts = list(series.accounts.all())
    try:
        with transaction.atomic():
            post = Post.objects.create(
                workspace=series.workspace, category=series.category, author=series.author
            )
            Occurrence.objects.create(series=series, at=at, post=post)
            variants = [
                Variant.objects.create(
                    workspace=series.workspace,
                    post=post,
                    account=account,
                    text=series.text,
                    scheduled_at=at,
                )
                for account in accounts
            ]
    except IntegrityError:  # made meanwhile by another run
        return False
    for variant in variants:
        _ready(variant, at, series.author)
    return True


def materialise(series: Series, now: datetime | None = None, days: int = WINDOW_DAYS) -> int:
    """Make the occurrences of the next ``days`` that do not exist yet; returns how many."""
    now = now or timezone.now()
    have = set(Occurrence.objects.filter(series=series, at__gte=now).values_list("at", flat=True))
    made = 0
    for at in occurrences(series, now, now + timedelta(days=days)):
        if at not in have and materialise_one(series, at):
            made += 1
    return made


def materialise_all(now: datetime | None = None) -> int:
    made = 0
    for series in Series.objects.select_related("workspace", "author").iterator():
        made += materialise(series, now)
    return made


def _untouched(occurrence: Occurrence, old: dict[str, Any]) -> bool:
    """Whether nobody changed the occurrence since the series made it: every variant
    still says the series' old text at the occurrence's time and has not gone out."""
    variants = list(Variant.objects.filter(post_id=occurrence.post_id))
    return all(
        v.state in EDITABLE and v.text == old["text"] and v.scheduled_at == occurrence.at
        for v in variants
    )


def do_update_series(series: Series, old: dict[str, Any], now: datetime | None = None) -> int:
    """After ``series`` was saved with new values (``old`` holds its previous ``text``):
    future occurrences nobody edited are made again from it; the edited ones are
    detached and kept. Returns how many occurrences exist ahead now."""
    now = now or timezone.now()
    future = Occurrence.objects.filter(series=series, at__gt=now, detached=False)
    with transaction.atomic():
        for occurrence in future.select_for_update():
            if _untouched(occurrence, old):
                occurrence.post.delete()  # its variants and the occurrence go with it
            else:
                occurrence.detached = True
                occurrence.save(update_fields=["detached"])
    materialise(series, now)
    return Occurrence.objects.filter(series=series, at__gt=now).count()


def do_detach(post_id: int) -> None:
    """A person edited this post: if it is an occurrence, the series leaves it alone."""
    Occurrence.objects.filter(post_id=post_id).update(detached=True)
