"""The alert rule pages: every member reads them, managers change them, one workspace
only, mention text escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.core.models import AuditEntry
from harken.listening.alerts import do_deliver_due, evaluate
from harken.listening.models import AlertDestination, AlertRule, Delivery, Mention
from tests.conftest import client_for
from tests.listening.test_alert_conditions import make_mention, make_rule, make_topic

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture
def topic(workspace):
    return make_topic(workspace)


@pytest.fixture
def rule(workspace, topic):
    return make_rule(workspace, "topic", topic=topic, name="Brand watch")


def form_data(**overrides):
    data = {
        "name": "Complaints",
        "kind": "intent",
        "topic": "",
        "mode": "immediate",
        "intents": ["complaint", "question"],
        "email_addresses": "alice@example.com, care@example.com",
        "webhook_format": "slack",
        "ntfy_server": "https://ntfy.sh",
        "ntfy_priority": "4",
        "enabled": "on",
    }
    return {**data, **overrides}


def test_the_list_shows_the_workspaces_rules_with_few_queries(
    alice_client, workspace, rule, django_assert_max_num_queries
):
    make_rule(workspace, "intent", name="Complaints")
    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("alert_rule_list"))
    assert response.status_code == 200
    assert b"Brand watch" in response.content and b"Complaints" in response.content


def test_a_manager_creates_a_rule_with_email_and_a_slack_webhook(
    alice_client, workspace, topic, settings
):
    settings.HTTP_ALLOW_LOOPBACK = True
    data = form_data(webhook_url="http://127.0.0.1:8123/slack")
    response = alice_client.post(reverse("alert_rule_create"), data)

    rule = AlertRule.objects.get(name="Complaints")
    assert response.status_code == 302
    assert rule.workspace == workspace
    assert rule.params == {"intents": ["complaint", "question"]}
    destinations = {d.kind: d for d in rule.destinations.all()}
    assert destinations["email"].config == {"addresses": ["alice@example.com", "care@example.com"]}
    assert destinations["webhook"].secrets == {"url": "http://127.0.0.1:8123/slack"}
    assert destinations["webhook"].config["format"] == "slack"
    assert AuditEntry.objects.filter(action="alert_rule.create").exists()


def test_the_form_refuses_a_webhook_to_a_private_address(alice_client, topic):
    data = form_data(webhook_url="http://10.0.0.5/hook", email_addresses="")
    # Refused: back to the form by GET (a reload does not post again), errors shown there.
    response = alice_client.post(reverse("alert_rule_create"), data, follow=True)
    assert response.status_code == 200
    assert b"private or reserved" in response.content
    assert not AlertRule.objects.exists()


def test_the_form_needs_a_destination_and_valid_thresholds(alice_client, topic):
    data = form_data(email_addresses="", kind="spike", min_count="0")
    # Refused: back to the form by GET (a reload does not post again), errors shown there.
    response = alice_client.post(reverse("alert_rule_create"), data, follow=True)
    assert response.status_code == 200
    assert b"at least one destination" in response.content
    assert b"greater than or equal to 1" in response.content
    assert not AlertRule.objects.exists()


def test_editing_keeps_the_saved_ntfy_token_when_left_blank(alice_client, workspace, rule, topic):
    AlertDestination.objects.create(
        workspace=workspace,
        rule=rule,
        kind="ntfy",
        config={"server": "https://ntfy.sh", "topic": "harbor"},
        secrets={"token": "tk_keep"},
    )
    data = form_data(
        name="Brand watch", kind="topic", topic=topic.pk, ntfy_topic="harbor2", email_addresses=""
    )
    response = alice_client.post(reverse("alert_rule_edit", args=[rule.pk]), data)

    assert response.status_code == 302
    ntfy = rule.destinations.get(kind="ntfy")
    assert ntfy.config["topic"] == "harbor2"
    assert ntfy.secrets == {"token": "tk_keep"}
    assert not rule.destinations.filter(kind="email").exists()
    page = alice_client.get(reverse("alert_rule_edit", args=[rule.pk]))
    assert b"tk_keep" not in page.content


def test_the_rule_page_shows_events_escaped_and_failed_deliveries_with_their_error(
    alice_client, workspace, rule, topic
):
    AlertDestination.objects.create(
        workspace=workspace,
        rule=rule,
        kind="webhook",
        config={"format": "plain", "host": "10.1.1.1"},
        secrets={"url": "http://10.1.1.1/hook"},
    )
    evaluate(workspace, [make_mention(workspace, EVIL, topics=[topic])])
    do_deliver_due()

    response = alice_client.get(reverse("alert_rule_detail", args=[rule.pk]))

    assert response.status_code == 200
    assert EVIL.encode() not in response.content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in response.content
    assert b"1 failed" in response.content
    assert b"private or reserved address" in response.content


def test_send_a_test_alert_reports_each_destination(alice_client, rule, mailoutbox):
    response = alice_client.post(reverse("alert_rule_test", args=[rule.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b'id="deliveries"' in response.content
    assert b"Sent" in response.content
    assert len(mailoutbox) == 1
    assert Delivery.objects.get().status == "sent"


def test_a_manager_deletes_a_rule(alice_client, rule):
    response = alice_client.post(reverse("alert_rule_delete", args=[rule.pk]))
    assert response.status_code == 302
    assert not AlertRule.objects.exists()


@pytest.mark.parametrize("who", ["bob", "victor"])
def test_responders_and_viewers_read_rules_and_deliveries_without_edit_buttons(
    request, who, workspace, rule, topic
):
    client = client_for(request.getfixturevalue(who))
    evaluate(workspace, [make_mention(workspace, "Lovely rings", topics=[topic])])
    Delivery.objects.update(status="failed", last_error="SMTP down")

    listing = client.get(reverse("alert_rule_list"))
    detail = client.get(reverse("alert_rule_detail", args=[rule.pk]))

    assert listing.status_code == 200 and b"Brand watch" in listing.content
    assert reverse("alert_rule_create").encode() not in listing.content
    page = detail.content.decode()
    assert detail.status_code == 200
    assert "Lovely rings" in page and "SMTP down" in page
    for name in ("alert_rule_edit", "alert_rule_delete", "alert_rule_test"):
        assert reverse(name, args=[rule.pk]) not in page
    assert reverse("alert_delivery_retry", args=[Delivery.objects.get().pk]) not in page


@pytest.mark.parametrize("who", ["bob", "victor"])
def test_responders_and_viewers_may_not_change_test_or_retry(
    request, who, workspace, rule, topic, mailoutbox
):
    client = client_for(request.getfixturevalue(who))
    evaluate(workspace, [make_mention(workspace, topics=[topic])])
    Delivery.objects.update(status="failed")
    delivery = Delivery.objects.get()

    assert client.get(reverse("alert_rule_create")).status_code == 403
    assert client.post(reverse("alert_rule_create"), form_data()).status_code == 403
    assert client.post(reverse("alert_rule_edit", args=[rule.pk]), form_data()).status_code == 403
    assert client.post(reverse("alert_rule_delete", args=[rule.pk])).status_code == 403
    assert client.post(reverse("alert_rule_test", args=[rule.pk])).status_code == 403
    assert client.post(reverse("alert_delivery_retry", args=[delivery.pk])).status_code == 403
    assert AlertRule.objects.get().name == "Brand watch"
    assert Delivery.objects.get().status == "failed" and mailoutbox == []


def test_a_manager_sees_the_edit_buttons(alice_client, rule):
    page = alice_client.get(reverse("alert_rule_detail", args=[rule.pk])).content.decode()
    assert reverse("alert_rule_edit", args=[rule.pk]) in page


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("alert_rule_detail", "get"),
        ("alert_rule_edit", "get"),
        ("alert_rule_edit", "post"),
        ("alert_rule_delete", "post"),
        ("alert_rule_test", "post"),
    ],
)
def test_another_workspaces_rule_is_not_found(charlie_client, rule, name, method, mailoutbox):
    response = getattr(charlie_client, method)(reverse(name, args=[rule.pk]), {"name": "pwned"})
    assert response.status_code == 404
    assert AlertRule.objects.get(pk=rule.pk).name == "Brand watch"
    assert mailoutbox == []


def test_another_workspaces_rules_are_not_listed(charlie_client, rule):
    response = charlie_client.get(reverse("alert_rule_list"))
    assert response.status_code == 200
    assert b"Brand watch" not in response.content


def test_a_rule_cannot_watch_another_workspaces_topic(charlie_client, topic):
    data = form_data(kind="topic", topic=topic.pk)
    # Refused: back to the form by GET (a reload does not post again), errors shown there.
    response = charlie_client.post(reverse("alert_rule_create"), data, follow=True)
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not AlertRule.objects.exists()


def test_a_failed_delivery_is_retried_from_the_rule_page(
    alice_client, workspace, rule, topic, mailoutbox
):
    evaluate(workspace, [make_mention(workspace, topics=[topic])])
    Delivery.objects.update(status="failed", attempts=8, last_error="SMTP down")

    response = alice_client.post(
        reverse("alert_delivery_retry", args=[Delivery.objects.get().pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert len(mailoutbox) == 1


def test_another_workspaces_delivery_cannot_be_retried(charlie_client, workspace, rule, topic):
    evaluate(workspace, [make_mention(workspace, topics=[topic])])
    Delivery.objects.update(status="failed")
    response = charlie_client.post(
        reverse("alert_delivery_retry", args=[Delivery.objects.get().pk])
    )
    assert response.status_code == 404
    assert Delivery.objects.get().status == "failed"


def test_a_mentions_javascript_link_never_becomes_a_link(alice_client, workspace, rule, topic):
    mention = make_mention(workspace, "click me", topics=[topic])
    Mention.objects.filter(pk=mention.pk).update(url="javascript:alert(document.cookie)")
    evaluate(workspace, [mention])

    response = alice_client.get(reverse("alert_rule_detail", args=[rule.pk]))

    assert b"click me" in response.content
    assert b"javascript:" not in response.content
