"""Service levels: due times counted in open hours, in the workspace's time zone, across
a weekend, a closed day and both clock changes; the badge; the warning, once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from harken.core.models import Member, Notification
from harken.inbox import notices, sla
from harken.inbox.models import Conversation, ServiceLevel
from tests.inbox.conftest import make_conversation

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def level(workspace) -> ServiceLevel:
    workspace.time_zone = "Europe/Paris"
    workspace.save()
    return ServiceLevel.objects.create(
        workspace=workspace, hours=dict(ServiceLevel.DEFAULT_HOURS), complaint_minutes=60
    )


def test_friday_afternoon_complaint_is_due_monday_morning_after_the_clocks_change(level):
    # Friday 27 March 2026, 16:30 in Paris (UTC+1); the clocks go forward on Sunday 29th.
    calendar = sla.calendar_of(level)
    due = sla.add_open_time(paris(2026, 3, 27, 16, 30), 60, calendar)
    assert due == paris(2026, 3, 30, 9, 30)  # 30 min on Friday, 30 on Monday
    assert due.astimezone(UTC) == dt.datetime(2026, 3, 30, 7, 30, tzinfo=UTC)  # now UTC+2


def test_the_autumn_change_keeps_opening_at_nine_local(level):
    calendar = sla.calendar_of(level)
    due = sla.add_open_time(paris(2026, 10, 23, 16, 0), 120, calendar)
    assert due == paris(2026, 10, 26, 10, 0)
    assert due.astimezone(UTC) == dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC)  # UTC+1 again


def test_an_hour_the_clocks_skip_is_not_counted(level):
    level.hours = {"6": ["00:00", "06:00"]}  # Sunday night shift only
    calendar = sla.calendar_of(level)
    start = paris(2026, 3, 29, 0, 0)
    # Six hours on the clock, five of them real: 300 minutes end at 06:00 local.
    assert sla.add_open_time(start, 300, calendar) == paris(2026, 3, 29, 6, 0)
    assert sla.open_time_between(start, paris(2026, 3, 29, 12, 0), calendar) == dt.timedelta(
        hours=5
    )


def test_a_message_on_saturday_waits_for_monday_and_a_closed_day_is_skipped(level):
    level.closed_days = ["2026-03-30"]
    calendar = sla.calendar_of(level)
    due = sla.add_open_time(paris(2026, 3, 28, 11, 0), 60, calendar)
    assert due == paris(2026, 3, 31, 10, 0)  # Monday closed: Tuesday 09:00 + 1 h


def test_before_opening_counts_from_opening(level):
    calendar = sla.calendar_of(level)
    assert sla.add_open_time(paris(2026, 3, 31, 7, 15), 45, calendar) == paris(2026, 3, 31, 9, 45)
    # Exactly at closing: the next morning.
    assert sla.add_open_time(paris(2026, 3, 31, 17, 0), 10, calendar) == paris(2026, 4, 1, 9, 10)


def test_a_workspace_never_open_has_no_due_time(level):
    level.hours = {}
    assert sla.add_open_time(paris(2026, 3, 31, 9, 0), 10, sla.calendar_of(level)) is None


def test_targets_follow_the_intent(level):
    assert level.target_minutes("complaint") == 60
    assert level.target_minutes("question") == 240
    assert level.target_minutes("purchase_intent") == 120
    assert level.target_minutes("praise") == level.other_minutes
    assert level.target_minutes("spam") == 0


# --- stored due times ---------------------------------------------------------------------


def test_threaded_conversations_get_a_due_time_and_lose_it_when_answered(workspace, level):
    conversation = make_conversation(workspace, intents=("complaint",), minutes_ago=10)
    calendar = sla.calendar_of(level)
    expected = sla.add_open_time(conversation.waiting_since, 60, calendar)
    assert conversation.due_at == expected
    Conversation.objects.filter(pk=conversation.pk).update(status=Conversation.Status.WAITING)
    sla.update_due([conversation.pk])
    conversation.refresh_from_db()
    assert conversation.due_at is None


def test_no_service_level_no_due_time(workspace):
    conversation = make_conversation(workspace, intents=("complaint",))
    assert conversation.due_at is None


def test_changing_the_targets_moves_the_due_times(workspace, level, alice_client):
    conversation = make_conversation(workspace, intents=("question",), minutes_ago=5)
    before = conversation.due_at
    data = {
        "question_minutes": 30,
        "complaint_minutes": 60,
        "purchase_minutes": 120,
        "other_minutes": 480,
        "warn_minutes": 15,
        "closed_days": "2026-12-25\n2026-12-26",
    }
    for day in range(7):
        data |= {f"open_{day}": "on", f"opens_{day}": "00:00", f"closes_{day}": "23:59"}
    answer = alice_client.post("/inbox/service-level/", data)
    assert answer.status_code == 302
    level.refresh_from_db()
    assert level.question_minutes == 30 and level.closed_days == ["2026-12-25", "2026-12-26"]
    assert level.hours["6"] == ["00:00", "23:59"]
    conversation.refresh_from_db()
    assert conversation.due_at != before
    assert conversation.due_at == sla.add_open_time(
        conversation.waiting_since, 30, sla.calendar_of(level)
    )


def test_bad_hours_change_nothing(workspace, level, alice_client, bob_client):
    data = {
        "question_minutes": 30,
        "complaint_minutes": 60,
        "purchase_minutes": 120,
        "other_minutes": 480,
        "warn_minutes": 15,
        "closed_days": "",
        "open_0": "on",
        "opens_0": "18:00",
        "closes_0": "09:00",
    }
    answer = alice_client.post("/inbox/service-level/", data, follow=True)
    assert "open before closing" in answer.content.decode()
    answer = alice_client.post(
        "/inbox/service-level/", {**data, "closes_0": "19:00", "closed_days": "Christmas"}
    )
    level.refresh_from_db()
    assert level.question_minutes == 240 and level.hours == ServiceLevel.DEFAULT_HOURS
    assert bob_client.get("/inbox/service-level/").status_code == 403  # responders may not


# --- the badge and the views ------------------------------------------------------------


def test_the_badge_says_due_in_or_overdue(workspace, level):
    conversation = make_conversation(workspace, intents=("complaint",))
    now = dt.datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    conversation.due_at = now + dt.timedelta(minutes=25, seconds=30)
    assert sla.badge(conversation, now) == sla.Badge("due in 25 min", "risk")
    conversation.due_at = now + dt.timedelta(hours=3)
    assert sla.badge(conversation, now) == sla.Badge("due in 3 h", "ok")
    conversation.due_at = now - dt.timedelta(hours=2, minutes=5)
    assert sla.badge(conversation, now) == sla.Badge("overdue 2 h", "overdue")
    conversation.status = Conversation.Status.RESOLVED
    assert sla.badge(conversation, now) is None


def test_the_inbox_shows_time_left_and_the_at_risk_view(workspace, level, alice_client):
    level.hours = {str(d): ["00:00", "23:59"] for d in range(7)}
    level.save()
    late = make_conversation(workspace, handle="late", intents=("complaint",), minutes_ago=150)
    calm = make_conversation(workspace, handle="calm", intents=("question",), minutes_ago=1)
    late.refresh_from_db()
    page = alice_client.get("/inbox/").content.decode()
    assert "overdue 1 h" in page and "due in 3 h" in page
    at_risk = alice_client.get("/inbox/?view=at_risk").content.decode()
    assert "@late" in at_risk and "@calm" not in at_risk
    assert 'data-view="at_risk">1<' in at_risk and 'data-view="overdue">1<' in at_risk
    assert calm.pk


def test_without_a_service_level_the_views_are_hidden(workspace, alice_client):
    make_conversation(workspace, intents=("complaint",))
    page = alice_client.get("/inbox/").content.decode()
    assert "SLA at risk" not in page


# --- the warning ------------------------------------------------------------------------


def test_the_assignee_is_warned_once_before_the_answer_is_due(workspace, level, bob, alice):
    conversation = make_conversation(workspace, handle="maya", intents=("complaint",))
    now = dt.datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    Conversation.objects.filter(pk=conversation.pk).update(
        assignee=bob, due_at=now + dt.timedelta(minutes=20)
    )
    assert notices.at_risk(now) == 1
    assert notices.at_risk(now + dt.timedelta(minutes=5)) == 0  # once
    [note] = Notification.objects.all()
    assert note.member == Member.objects.get(user=bob)
    assert "SLA at risk: @maya" in note.subject and "due in 20 min" in note.subject


def test_unassigned_conversations_warn_the_managers(workspace, level, alice, bob):
    conversation = make_conversation(workspace, intents=("complaint",))
    now = dt.datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    Conversation.objects.filter(pk=conversation.pk).update(due_at=now + dt.timedelta(minutes=5))
    far = make_conversation(workspace, handle="far", intents=("question",))
    Conversation.objects.filter(pk=far.pk).update(due_at=now + dt.timedelta(hours=5))
    assert notices.at_risk(now) == 1
    assert list(Notification.objects.values_list("member__user__username", flat=True)) == ["alice"]
    assert mail.outbox == []  # delivered once the transaction commits (not in this test)


def test_a_missed_due_time_is_counted_once_per_due_time(workspace, level, bob, alice_client):
    conversation = make_conversation(workspace, handle="maya", intents=("complaint",))
    now = dt.datetime(2026, 3, 31, 10, 0, tzinfo=UTC)
    due = now - dt.timedelta(minutes=5)
    Conversation.objects.filter(pk=conversation.pk).update(assignee=bob, due_at=due)
    waiting = make_conversation(workspace, handle="fine", intents=("question",))
    Conversation.objects.filter(pk=waiting.pk).update(due_at=now + dt.timedelta(hours=1))
    assert sla.record_breaches(now) == 1
    assert sla.record_breaches(now + dt.timedelta(minutes=5)) == 0
    # The customer writes again after our answer: a new due time, missed too.
    Conversation.objects.filter(pk=conversation.pk).update(due_at=now + dt.timedelta(hours=2))
    assert sla.record_breaches(now + dt.timedelta(hours=3)) == 2  # and the other one now
    assert sla.breaches_since(workspace.pk, now - dt.timedelta(days=400)) == {"bob": 2, "": 1}
    page = alice_client.get("/inbox/service-level/").content.decode()
    assert "Missed in the last 30 days" in page and "<td>bob</td><td>2</td>" in page


def test_the_conversation_page_shows_the_time_left(workspace, level, alice_client):
    level.hours = {str(d): ["00:00", "23:59"] for d in range(7)}
    level.save()
    late = make_conversation(workspace, handle="late", intents=("complaint",), minutes_ago=150)
    page = alice_client.get(f"/inbox/{late.pk}/").content.decode()
    assert 'data-sla="overdue">overdue 1 h<' in page


def test_response_and_resolution_times_per_member(workspace, level, alice, bob, alice_client):
    from django.utils import timezone

    from harken.inbox.response_times import times_by_member

    now = timezone.now()
    for n, minutes in enumerate((10, 30, 50)):
        c = make_conversation(workspace, handle=f"c{n}", minutes_ago=120)
        Conversation.objects.filter(pk=c.pk).update(
            first_response_at=c.first_message_at + dt.timedelta(minutes=minutes),
            first_responder=bob,
        )
    done = make_conversation(workspace, handle="done", minutes_ago=90)
    from harken.inbox import actions

    actions.do_set_status(done, Member.objects.get(user=alice), Conversation.Status.RESOLVED)
    times = {t.who: t for t in times_by_member(workspace.pk, now - dt.timedelta(days=1))}
    assert times["bob"].answered == 3 and times["bob"].first_response == 30 * 60
    assert times["bob"].words["first_response"] == "30 min"
    assert times["alice"].resolved == 1 and times["alice"].answered == 0
    assert 89 * 60 <= times["alice"].resolution <= 91 * 60
    assert times["alice"].words["first_response"] == "—"
    page = alice_client.get("/inbox/service-level/").content.decode()
    assert "Response times in the last 30 days" in page and "30 min" in page


def test_the_queue_task_warns_and_counts(workspace, level, alice):
    from django.utils import timezone

    from harken.inbox import tasks

    soon = make_conversation(workspace, handle="soon", intents=("complaint",))
    late = make_conversation(workspace, handle="late", intents=("complaint",))
    now = timezone.now()
    Conversation.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(minutes=10))
    Conversation.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(minutes=10))
    tasks.warn_sla_at_risk()  # the queue runs tasks inline in tests
    subjects = sorted(Notification.objects.values_list("subject", flat=True))
    assert len(subjects) == 2 and "@late" in subjects[0] and "overdue 10 min" in subjects[0]
    assert sla.breaches_since(workspace.pk, now - dt.timedelta(hours=1)) == {"": 1}
