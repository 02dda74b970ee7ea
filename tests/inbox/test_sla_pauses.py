"""The service-level clock stops while a conversation is snoozed (and while it waits on
the customer): known answers in Paris open hours, then through the inbox's own actions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from harken.core.models import Member
from harken.inbox import actions, sla
from harken.inbox.models import Conversation, ServiceLevel
from tests.inbox.conftest import make_conversation

PARIS = ZoneInfo("Europe/Paris")
ALL_DAY = {str(day): ["00:00", "23:59"] for day in range(7)}


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def level(workspace) -> ServiceLevel:
    workspace.time_zone = "Europe/Paris"
    workspace.save()
    return ServiceLevel.objects.create(
        workspace=workspace, hours=dict(ServiceLevel.DEFAULT_HOURS), complaint_minutes=60
    )


def test_a_snooze_over_the_night_adds_only_its_open_hours(level):
    # A complaint at Tuesday 16:30 (due 17:00 + 30 min Wednesday = 09:30 without a pause),
    # snoozed at 16:40 until Wednesday 10:00: 20 open minutes on Tuesday and 60 on
    # Wednesday are paused, so 140 open minutes from 16:30 end Wednesday 10:50.
    calendar = sla.calendar_of(level)
    since = paris(2026, 3, 31, 16, 30)
    assert sla.due_for(level, calendar, "complaint", since) == paris(2026, 4, 1, 9, 30)
    pause = (paris(2026, 3, 31, 16, 40), paris(2026, 4, 1, 10, 0))
    assert sla.due_for(level, calendar, "complaint", since, [pause]) == paris(2026, 4, 1, 10, 50)


def test_pauses_before_the_wait_and_overlaps_count_once(level):
    calendar = sla.calendar_of(level)
    since = paris(2026, 3, 31, 10, 0)
    earlier = (paris(2026, 3, 30, 10, 0), paris(2026, 3, 31, 9, 30))  # a previous wait
    straddling = (paris(2026, 3, 31, 9, 0), paris(2026, 3, 31, 10, 30))  # 30 min inside
    overlapping = (paris(2026, 3, 31, 10, 15), paris(2026, 3, 31, 10, 45))  # 15 min more
    pauses = [earlier, straddling, overlapping]
    assert sla.pause_open_seconds(pauses, since, calendar) == 45 * 60
    assert sla.due_for(level, calendar, "complaint", since, pauses) == paris(2026, 3, 31, 11, 45)


def test_stored_pauses_survive_a_round_trip_and_damage_pauses_nothing():
    start, end = (
        dt.datetime(2026, 3, 31, 8, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 9, tzinfo=dt.UTC),
    )
    assert sla.read_pauses(sla.write_pauses([(start, end)])) == [(start, end)]
    assert sla.read_pauses([["not a time", "x"], [end.isoformat(), start.isoformat()]]) == []
    assert sla.read_pauses(None) == []


def _near(a: dt.datetime | None, b: dt.datetime, seconds: float = 5) -> bool:
    return a is not None and abs((a - b).total_seconds()) <= seconds


def test_snoozing_stops_the_clock_and_waking_early_starts_it_again(workspace, level, alice):
    level.hours = ALL_DAY
    level.save()
    member = Member.objects.get(user=alice)
    # Waiting 50 minutes for an answer due within the hour: 10 minutes left.
    conversation = make_conversation(workspace, intents=("complaint",), minutes_ago=50)
    before = conversation.due_at
    assert before is not None
    left = before - timezone.now()

    until = timezone.now() + dt.timedelta(hours=2)
    actions.do_snooze(conversation, member, until)
    conversation.refresh_from_db()
    # The 10 minutes left start counting when the snooze ends (the day's one closed
    # minute at 23:59 may fall inside).
    assert _near(conversation.due_at, until + left, seconds=70)
    # An hour later the original due time has passed, and nobody was late.
    assert sla.record_breaches(before + dt.timedelta(minutes=5)) == 0

    actions.do_unsnooze(conversation, member)
    conversation.refresh_from_db()
    assert conversation.snoozed_until is None
    assert _near(conversation.due_at, before)  # paused for a moment only
    [(start, end)] = sla.read_pauses(conversation.sla_pauses)
    assert end < until  # the pause was cut when it ended early


def test_a_customer_who_writes_during_a_snooze_ends_the_pause(workspace, level):
    level.hours = ALL_DAY
    level.save()
    conversation = make_conversation(workspace, intents=("complaint",), minutes_ago=50)
    before = conversation.due_at
    now = timezone.now()
    until = now + dt.timedelta(hours=5)
    Conversation.objects.filter(pk=conversation.pk).update(
        snoozed_until=until, sla_pauses=sla.pause_started(None, now, until)
    )
    assert actions.do_wake([conversation.pk]) == 1
    sla.update_due([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.snoozed_until is None
    assert _near(conversation.due_at, before)


def test_waiting_on_the_customer_has_no_due_time_until_they_write(workspace, level):
    conversation = make_conversation(workspace, intents=("complaint",), minutes_ago=50)
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.WAITING)
    sla.update_due([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.due_at is None
