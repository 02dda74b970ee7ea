"""Deleting a topic that alert rules watch: the question names the rules and what they
would lose, a plain delete is refused, and the rules go only when the person says so."""

from __future__ import annotations

import pytest
from django.db.models import RestrictedError
from django.urls import reverse

from harken.core.models import AuditEntry, Workspace
from harken.listening.alerts import evaluate
from harken.listening.models import AlertEvent, AlertRule, Delivery, Mention, Topic
from harken.listening.topics import TopicInUse, do_delete_topic
from tests.listening.test_alert_conditions import make_mention, make_rule, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(workspace):
    return make_topic(workspace)


@pytest.fixture
def rule(workspace, topic):
    """A rule on the topic with one alert whose email has not gone out yet."""
    rule = make_rule(workspace, "topic", topic=topic, name="Brand watch")
    evaluate(workspace, [make_mention(workspace, "Harbor Street rings", topics=[topic])])
    Delivery.objects.update(status=Delivery.Status.PENDING, attempts=2, last_error="SMTP down")
    return rule


def url(topic) -> str:
    return reverse("topic_delete", args=[topic.pk])


def test_the_question_names_the_rules_and_what_they_would_lose(alice_client, topic, rule):
    response = alice_client.get(url(topic))

    page = response.content.decode()
    assert response.status_code == 200
    assert "1 alert rule watches this topic" in page
    assert reverse("alert_rule_detail", args=[rule.pk]) in page
    assert "1 alert in its history" in page
    assert "1 delivery not sent yet" in page
    assert reverse("alert_rule_edit", args=[rule.pk]) in page  # change its topic instead
    assert "Delete the topic and this rule, with their history and unsent alerts" in page


def test_a_plain_delete_is_refused_while_rules_watch_the_topic(alice_client, topic, rule):
    response = alice_client.post(url(topic))

    assert response.status_code == 409
    assert "Not deleted" in response.content.decode()
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert not AuditEntry.objects.filter(action="topic.delete").exists()


def test_naming_the_rules_deletes_them_with_the_topic_and_audits_both(
    alice_client, workspace, topic, rule
):
    mention = Mention.objects.get()

    response = alice_client.post(url(topic), {"rule": [rule.pk]})

    assert response.status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert not AlertRule.objects.exists() and not Delivery.objects.exists()
    assert Mention.objects.filter(pk=mention.pk).exists()  # mentions stay
    assert AuditEntry.objects.get(action="alert_rule.delete").target == "Brand watch"
    assert AuditEntry.objects.get(action="topic.delete").changes["alert_rules"] == ["Brand watch"]


def test_a_rule_added_after_the_question_stops_the_delete(workspace, alice, topic, rule):
    make_rule(workspace, "intent", topic=topic, name="Complaints about the brand")

    with pytest.raises(TopicInUse) as refused:
        do_delete_topic(topic, alice, with_rules=[rule.pk])

    assert [r.name for r in refused.value.rules] == ["Brand watch", "Complaints about the brand"]
    assert AlertRule.objects.count() == 2 and Topic.objects.filter(pk=topic.pk).exists()


def test_a_topic_without_rules_is_deleted_at_once(alice_client, workspace):
    lonely = make_topic(workspace, "Industry")
    response = alice_client.post(url(lonely))
    assert response.status_code == 302
    assert not Topic.objects.filter(pk=lonely.pk).exists()


def test_no_other_code_path_deletes_a_rule_with_its_topic(topic, rule):
    with pytest.raises(RestrictedError):
        topic.delete()
    assert AlertEvent.objects.filter(rule=rule).exists()


def test_deleting_the_workspace_still_takes_its_topics_and_rules(workspace, topic, rule):
    Workspace.objects.filter(pk=workspace.pk).delete()
    assert not Topic.objects.exists() and not AlertRule.objects.exists()


def test_the_row_turns_into_the_question_under_htmx(alice_client, topic, rule):
    response = alice_client.get(url(topic), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith(f'<tr id="topic-{topic.pk}" class="confirm">')
    assert "Brand watch" in page


def test_a_rules_name_is_escaped_in_the_question(alice_client, workspace, topic):
    make_rule(workspace, "topic", topic=topic, name="<script>alert(1)</script>")
    page = alice_client.get(url(topic)).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
