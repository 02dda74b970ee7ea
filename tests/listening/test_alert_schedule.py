"""Quiet hours hold immediate alerts and release them as a digest; digests group events."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from harken.listening.alerts import do_deliver_due, evaluate
from harken.listening.alerts.schedule import quiet_until, release_time
from harken.listening.models import AlertDigest, AlertRule, Delivery
from tests.listening.test_alert_conditions import make_mention, make_rule, make_topic

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def workspace(workspace):
    workspace.time_zone = "Europe/Paris"
    workspace.save(update_fields=["time_zone"])
    return workspace


def night_rule(**fields) -> AlertRule:
    return AlertRule(kind="topic", quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 30), **fields)


@pytest.mark.parametrize(
    ("moment", "until"),
    [
        (paris(5, 23), paris(6, 7, 30)),  # before midnight: ends tomorrow morning
        (paris(6, 3), paris(6, 7, 30)),  # after midnight: ends this morning
        (paris(6, 7, 30), None),  # the end itself is awake
        (paris(6, 12), None),
        (paris(6, 22), paris(7, 7, 30)),
    ],
)
def test_quiet_hours_across_midnight_end_at_the_local_end_time(moment, until):
    assert quiet_until(night_rule(), moment, PARIS) == until


def test_quiet_hours_within_one_day():
    rule = AlertRule(kind="topic", quiet_start=dt.time(12, 0), quiet_end=dt.time(14, 0))
    assert quiet_until(rule, paris(6, 13), PARIS) == paris(6, 14)
    assert quiet_until(rule, paris(6, 15), PARIS) is None


def test_an_urgent_rule_ignores_quiet_hours():
    assert quiet_until(night_rule(urgent=True), paris(6, 3), PARIS) is None


def test_digests_are_due_at_the_next_local_hour_or_morning():
    hourly = AlertRule(kind="topic", mode="hourly")
    daily = AlertRule(kind="topic", mode="daily")
    assert release_time(hourly, paris(6, 10, 25), PARIS) == paris(6, 11)
    assert release_time(daily, paris(6, 10, 25), PARIS) == paris(7, 8)
    assert release_time(daily, paris(6, 6, 0), PARIS) == paris(6, 8)


def test_an_hourly_digest_due_in_quiet_hours_waits_for_their_end():
    rule = night_rule(mode="hourly")
    assert release_time(rule, paris(5, 21, 40), PARIS) == paris(6, 7, 30)


def test_kolkata_hours_start_at_half_past_utc():
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    rule = AlertRule(kind="topic", mode="hourly")
    due = release_time(rule, dt.datetime(2026, 1, 6, 10, 5, tzinfo=dt.UTC), kolkata)
    assert due == dt.datetime(2026, 1, 6, 10, 30, tzinfo=dt.UTC)


def test_quiet_hours_hold_immediate_alerts_and_release_them_as_one_digest(workspace, mailoutbox):
    topic = make_topic(workspace)
    rule = make_rule(
        workspace, "topic", topic=topic, quiet_start=dt.time(22, 0), quiet_end=dt.time(7, 30)
    )
    night = paris(6, 2)
    batch = [
        make_mention(workspace, f"Night owl {i}", topics=[topic], posted=night) for i in range(3)
    ]

    events = evaluate(workspace, batch, now=night)
    assert all(e.held and e.release_at == paris(6, 7, 30) for e in events)
    assert do_deliver_due(paris(6, 7, 29)).sent == 0
    assert mailoutbox == [] and not Delivery.objects.exists()

    report = do_deliver_due(paris(6, 7, 31))

    assert (report.digests, report.sent) == (1, 1)
    [digest] = AlertDigest.objects.all()
    assert digest.rule == rule and digest.events.count() == 3
    [mail] = mailoutbox
    assert "3 alerts" in mail.subject
    assert all(f"Night owl {i}" in mail.body for i in range(3))
    assert do_deliver_due(paris(6, 9)).sent == 0  # released once


def test_an_urgent_rule_sends_during_quiet_hours(workspace, mailoutbox):
    topic = make_topic(workspace)
    make_rule(
        workspace,
        "topic",
        topic=topic,
        urgent=True,
        quiet_start=dt.time(22, 0),
        quiet_end=dt.time(7, 30),
    )
    night = paris(6, 2)
    [event] = evaluate(
        workspace, [make_mention(workspace, topics=[topic], posted=night)], now=night
    )

    assert not event.held
    assert do_deliver_due(night).sent == 1
    assert len(mailoutbox) == 1


def test_an_hourly_digest_groups_each_rules_events_of_the_hour(workspace, mailoutbox):
    topic = make_topic(workspace)
    hourly = make_rule(workspace, "topic", topic=topic, mode="hourly", name="Hourly")
    complaints = make_rule(
        workspace, "intent", mode="hourly", name="Complaints", email="care@example.com"
    )
    for minute in (5, 20, 50):
        at = paris(6, 10, minute)
        mention = make_mention(
            workspace, f"At {minute}", topics=[topic], posted=at, intents=["complaint"]
        )
        evaluate(workspace, [mention], now=at)
    later = paris(6, 11, 5)
    evaluate(
        workspace, [make_mention(workspace, "Next hour", topics=[topic], posted=later)], now=later
    )

    report = do_deliver_due(paris(6, 11, 6))

    assert report.digests == 2
    assert {d.rule: d.events.count() for d in AlertDigest.objects.all()} == {
        hourly: 3,
        complaints: 3,
    }
    assert sorted(m.to[0] for m in mailoutbox) == ["alerts@example.com", "care@example.com"]
    assert all("Next hour" not in m.body for m in mailoutbox)
    assert do_deliver_due(paris(6, 12, 1)).digests == 1  # the 11:05 one, in the next digest
