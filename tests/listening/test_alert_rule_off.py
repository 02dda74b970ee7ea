"""A rule switched off sends nothing more: not its held digest, not its pending retries,
and the rule's page says what was not sent."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from harken.listening.alerts import do_deliver_due, evaluate
from harken.listening.alerts.delivery import RULE_OFF
from harken.listening.models import AlertDigest, AlertEvent, AlertRule, Delivery
from tests.listening.test_alert_conditions import make_mention, make_rule, make_topic

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def paris(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, 6, hour, minute, tzinfo=PARIS)


@pytest.fixture
def workspace(workspace):
    workspace.time_zone = "Europe/Paris"
    workspace.save(update_fields=["time_zone"])
    return workspace


def switch_off(rule: AlertRule) -> None:
    rule.enabled = False
    rule.save(update_fields=["enabled"])


def test_held_digest_events_of_a_rule_switched_off_are_not_sent(workspace, mailoutbox):
    topic = make_topic(workspace)
    rule = make_rule(workspace, "topic", topic=topic, mode="hourly")
    for minute in (5, 20):
        at = paris(10, minute)
        evaluate(workspace, [make_mention(workspace, topics=[topic], posted=at)], now=at)
    switch_off(rule)

    report = do_deliver_due(paris(11, 1))

    assert (report.digests, report.sent) == (0, 0)
    assert mailoutbox == [] and not AlertDigest.objects.exists()
    # No longer held: switching the rule on again later does not send a stale digest.
    assert not AlertEvent.objects.filter(held=True).exists()
    rule.enabled = True
    rule.save(update_fields=["enabled"])
    assert do_deliver_due(paris(12, 1)).digests == 0 and mailoutbox == []


def test_an_enabled_rules_digest_still_goes_beside_a_switched_off_one(workspace, mailoutbox):
    topic = make_topic(workspace)
    on = make_rule(workspace, "topic", topic=topic, mode="hourly", name="On")
    off = make_rule(workspace, "topic", topic=topic, mode="hourly", name="Off")
    at = paris(10, 5)
    evaluate(workspace, [make_mention(workspace, topics=[topic], posted=at)], now=at)
    switch_off(off)

    report = do_deliver_due(paris(11, 1))

    assert (report.digests, report.sent) == (1, 1)
    assert AlertDigest.objects.get().rule == on
    assert len(mailoutbox) == 1


def test_a_pending_retry_of_a_rule_switched_off_stops_visibly(alice_client, workspace, mailoutbox):
    topic = make_topic(workspace)
    rule = make_rule(workspace, "topic", topic=topic)
    now = paris(10)
    evaluate(workspace, [make_mention(workspace, "Lovely rings", topics=[topic])], now=now)
    Delivery.objects.update(attempts=2, last_error="SMTP down")
    switch_off(rule)

    report = do_deliver_due(now)

    delivery = Delivery.objects.get()
    assert mailoutbox == [] and report.failed == 1
    assert (delivery.status, delivery.last_error) == ("failed", RULE_OFF)
    page = alice_client.get(reverse("alert_rule_detail", args=[rule.pk])).content.decode()
    assert "the rule was switched off" in page
    assert reverse("alert_delivery_retry", args=[delivery.pk]) in page  # sent if asked


def test_the_rule_page_says_a_dropped_digest_alert_was_not_sent(alice_client, workspace):
    topic = make_topic(workspace)
    rule = make_rule(workspace, "topic", topic=topic, mode="daily")
    at = paris(10)
    evaluate(workspace, [make_mention(workspace, "Lovely rings", topics=[topic])], now=at)
    switch_off(rule)
    do_deliver_due(at + dt.timedelta(days=1))

    page = alice_client.get(reverse("alert_rule_detail", args=[rule.pk])).content.decode()

    assert "not sent: the rule was off when its digest was due" in page
