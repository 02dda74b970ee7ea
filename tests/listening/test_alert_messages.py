"""How alerts read in each payload format, and what a mention cannot do to them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from harken.listening.alerts import do_deliver_due, evaluate
from harken.listening.alerts.destinations import header_value, ntfy_headers, webhook_payload
from harken.listening.alerts.messages import (
    DIGEST_LIMIT,
    build,
    discord_escape,
    plain_text,
    safe_url,
    slack_escape,
)
from harken.listening.alerts.tasks import deliver_alerts
from harken.listening.models import AlertDestination, AlertEvent, AlertRule
from tests.listening.test_alert_conditions import make_mention, make_rule, make_topic


def events(rule: AlertRule, count: int) -> list[AlertEvent]:
    now = timezone.now()
    return [
        AlertEvent(rule=rule, key=f"k{i}", title=f"Alert {i}", text=f"Text {i}", created=now)
        for i in range(count)
    ]


def test_a_digest_lists_the_first_events_and_counts_the_rest(workspace):
    rule = make_rule(workspace, "intent", name="Complaints")
    message = build(rule, events(rule, DIGEST_LIMIT + 5), digest=True)

    text = plain_text(message)

    assert message.subject == f"Complaints: {DIGEST_LIMIT + 5} alerts"
    assert f"Alert {DIGEST_LIMIT - 1}" in text and f"Alert {DIGEST_LIMIT}" not in text
    assert "… and 5 more." in text
    assert f"/listening/alerts/{rule.pk}/" in text


def test_slack_and_discord_digests_carry_every_listed_title(workspace):
    rule = make_rule(workspace, "intent")
    message = build(rule, events(rule, 3), digest=True)
    slack = AlertDestination(rule=rule, kind="webhook", config={"format": "slack"})
    discord = AlertDestination(rule=rule, kind="webhook", config={"format": "discord"})

    assert all(f"Alert {i}" in webhook_payload(slack, message)["text"] for i in range(3))
    assert all(f"Alert {i}" in webhook_payload(discord, message)["content"] for i in range(3))


def test_a_digest_push_opens_the_rule_and_a_single_alert_opens_the_mention(workspace):
    rule = make_rule(workspace, "intent")
    ntfy = AlertDestination(rule=rule, kind="ntfy", config={"server": "https://n", "topic": "t"})
    single = events(rule, 1)
    single[0].url = "https://social.example/@a/1"

    assert ntfy_headers(ntfy, build(rule, single, digest=False))["Click"] == single[0].url
    digest_click = ntfy_headers(ntfy, build(rule, events(rule, 2), digest=True))["Click"]
    assert digest_click.endswith(f"/listening/alerts/{rule.pk}/")
    assert ntfy_headers(ntfy, build(rule, single, digest=False))["Priority"] == "4"
    assert "Authorization" not in ntfy_headers(ntfy, build(rule, single, digest=False))


def test_a_header_value_cannot_start_a_new_header():
    assert header_value("Refund\r\nX-Injected: 1") == "Refund X-Injected: 1"
    assert "\n" not in header_value("Réclamation\nX-Injected: 1")


def test_only_web_links_survive():
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert safe_url("javascript:alert(1)") == ""
    assert safe_url("https://example.com/<script>") == ""
    assert safe_url("https://example.com/a|b>") == ""


def test_slack_and_discord_escaping():
    assert slack_escape("<!here> & <https://x|y>") == "&lt;!here&gt; &amp; &lt;https://x|y&gt;"
    assert discord_escape("**bold** [x](y) @everyone") == (r"\*\*bold\*\* \[x\]\(y\) \@everyone")


def test_the_periodic_task_sends_what_is_due(workspace, mailoutbox):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic)
    evaluate(workspace, [make_mention(workspace, topics=[topic])])

    deliver_alerts.call_local()

    assert len(mailoutbox) == 1
    assert do_deliver_due(timezone.now() + dt.timedelta(hours=1)).sent == 0
