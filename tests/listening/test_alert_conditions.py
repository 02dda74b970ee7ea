"""Each rule kind on real Mention rows, and the promise that one event alerts once."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from harken.listening.alerts import evaluate
from harken.listening.alerts.params import clean_params
from harken.listening.models import (
    AlertDestination,
    AlertEvent,
    AlertRule,
    Author,
    Delivery,
    Mention,
    Topic,
)

_ids = itertools.count(1)


def make_topic(workspace, name: str = "Harbor Street") -> Topic:
    return Topic.objects.create(workspace=workspace, name=name, query=f'"{name}"')


def make_author(workspace, handle: str = "dana", followers: int | None = 120) -> Author:
    author, _ = Author.objects.get_or_create(
        workspace=workspace,
        network="mastodon",
        external_id=f"author-{handle}",
        defaults={"handle": handle, "followers": followers},
    )
    return author


def make_mention(
    workspace, text: str = "Nice rings", *, topics=(), author=None, **fields
) -> Mention:
    n = next(_ids)
    fields.setdefault("posted", timezone.now() - dt.timedelta(minutes=5))
    mention = Mention.objects.create(
        workspace=workspace,
        network="mastodon",
        external_id=f"status-{n}",
        author=author or make_author(workspace),
        text=text,
        url=f"https://social.example/@dana/{n}",
        **fields,
    )
    mention.topics.set(topics)
    return mention


def make_rule(
    workspace, kind: str = "topic", *, email: str | None = "alerts@example.com", **fields
):
    rule = AlertRule(
        workspace=workspace, name=fields.pop("name", f"{kind} rule"), kind=kind, **fields
    )
    rule.full_clean()
    rule.save()
    if email:
        AlertDestination.objects.create(
            workspace=workspace, rule=rule, kind="email", config={"addresses": [email]}
        )
    return rule


def test_a_topic_rule_fires_for_mentions_of_its_topic_only(workspace):
    ours, theirs = make_topic(workspace), make_topic(workspace, "Rival Rings")
    rule = make_rule(workspace, "topic", topic=ours)
    hit = make_mention(workspace, "Harbor Street has lovely rings", topics=[ours])
    miss = make_mention(workspace, "Rival Rings sale", topics=[theirs])

    events = evaluate(workspace, [hit, miss])

    assert [(e.rule, e.key, e.mention) for e in events] == [(rule, f"mention:{hit.pk}", hit)]
    assert events[0].text == hit.text
    assert events[0].url == hit.url


def test_an_intent_rule_fires_for_any_of_its_intents(workspace):
    make_rule(workspace, "intent", params={"intents": ["complaint", "question"]})
    complaint = make_mention(workspace, "Clasp broke after a day", intents=["complaint"])
    question = make_mention(workspace, "Do you resize rings?", intents=["question"])
    praise = make_mention(workspace, "Love it", intents=["praise"])

    events = evaluate(workspace, [complaint, question, praise])

    assert {e.mention for e in events} == {complaint, question}


def test_an_intent_rule_with_a_topic_needs_both(workspace):
    topic = make_topic(workspace)
    make_rule(workspace, "intent", topic=topic, params={"intents": ["complaint"]})
    on_topic = make_mention(workspace, "Broken", intents=["complaint"], topics=[topic])
    off_topic = make_mention(workspace, "Broken too", intents=["complaint"])

    assert [e.mention for e in evaluate(workspace, [on_topic, off_topic])] == [on_topic]


def test_an_influencer_rule_needs_negative_sentiment_and_enough_followers(workspace):
    make_rule(workspace, "influencer", params={"min_followers": 10_000})
    big = make_author(workspace, "famous", followers=50_000)
    small = make_author(workspace, "quiet", followers=40)
    angry_big = make_mention(workspace, "Worst service", author=big, sentiment="negative")
    happy_big = make_mention(workspace, "Great service", author=big, sentiment="positive")
    angry_small = make_mention(workspace, "Bad", author=small, sentiment="negative")

    events = evaluate(workspace, [angry_big, happy_big, angry_small])

    assert [e.mention for e in events] == [angry_big]
    assert "50,000 followers" in events[0].title


def test_re_evaluating_a_batch_creates_no_second_event_or_delivery(workspace):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic)
    batch = [make_mention(workspace, topics=[topic]) for _ in range(3)]

    first = evaluate(workspace, batch)
    second = evaluate(workspace, batch)

    assert len(first) == 3
    assert second == []
    assert AlertEvent.objects.count() == 3
    assert Delivery.objects.count() == 3


def test_it_finds_mentions_stored_by_a_bulk_insert_that_returned_no_ids(workspace):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic)
    stored = make_mention(workspace, topics=[topic])
    as_built = Mention(workspace=workspace, network=stored.network, external_id=stored.external_id)

    assert [e.mention for e in evaluate(workspace, [as_built])] == [stored]


def test_our_own_posts_near_duplicates_and_old_news_do_not_alert(workspace):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic)
    original = make_mention(workspace, "Harbor Street!", topics=[topic])
    evaluate(workspace, [original])
    own = make_mention(workspace, "Thanks!", topics=[topic], is_own=True)
    copy = make_mention(workspace, "Harbor Street!", topics=[topic], duplicate_of=original)
    old = make_mention(workspace, topics=[topic], posted=timezone.now() - dt.timedelta(days=30))

    assert evaluate(workspace, [own, copy, old]) == []


def test_disabled_rules_and_other_workspaces_rules_stay_silent(workspace, other_workspace):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic, enabled=False)
    theirs = make_topic(other_workspace)
    make_rule(other_workspace, "topic", topic=theirs)
    mention = make_mention(workspace, topics=[topic])

    assert evaluate(workspace, [mention]) == []


def test_an_immediate_event_queues_one_delivery_per_destination(workspace):
    topic = make_topic(workspace)
    rule = make_rule(workspace, "topic", topic=topic)
    AlertDestination.objects.create(
        workspace=workspace,
        rule=rule,
        kind="ntfy",
        config={"server": "https://ntfy.sh", "topic": "t"},
    )
    [event] = evaluate(workspace, [make_mention(workspace, topics=[topic])])

    assert not event.held
    assert {d.destination.kind for d in event.deliveries.all()} == {"email", "ntfy"}
    assert all(d.status == "pending" for d in event.deliveries.all())


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("intent", {"intents": []}, "at least one intent"),
        ("intent", {"intents": ["gossip"]}, "Unknown intent"),
        ("influencer", {"min_followers": "many"}, "must be a number"),
        ("influencer", {"min_followers": -5}, "between"),
        ("spike", {"min_count": 0}, "between"),
        ("surge", {"z": 0.2}, "between"),
        ("spike", {"min_count": 2.5}, "whole number"),
    ],
)
def test_thresholds_are_validated_per_kind(kind, params, message):
    with pytest.raises(ValidationError, match=message):
        clean_params(kind, params)


def test_thresholds_are_completed_with_defaults_and_unknown_keys_dropped():
    assert clean_params("spike", {"z": "4", "junk": 1}) == {"min_count": 10, "z": 4.0}


def test_a_topic_rule_without_a_topic_is_refused(workspace):
    with pytest.raises(ValidationError, match="topic"):
        make_rule(workspace, "topic")


def test_it_takes_the_batch_as_a_queryset_as_the_pipeline_passes_it(workspace):
    topic = make_topic(workspace)
    make_rule(workspace, "topic", topic=topic)
    mentions = [make_mention(workspace, topics=[topic]) for _ in range(2)]
    batch = Mention.objects.filter(pk__in=[m.pk for m in mentions]).select_related("author")

    assert {e.mention for e in evaluate(workspace, batch)} == set(mentions)


def test_a_workspace_without_rules_costs_one_query(workspace, django_assert_num_queries):
    mention = make_mention(workspace)
    with django_assert_num_queries(1):
        assert evaluate(workspace, Mention.objects.filter(pk=mention.pk)) == []


def test_the_demo_rules_are_valid_and_fire(workspace):
    from harken.listening.alerts.demo import add_demo_rules

    Topic.objects.create(workspace=workspace, name="Harbor Street", query="harbor", kind="brand")
    rules = add_demo_rules(workspace, "owner@example.com")
    angry = make_author(workspace, "critic", followers=20_000)
    mention = make_mention(workspace, "Awful", author=angry, sentiment="negative")

    assert len(rules) == 3
    assert [e.rule.name for e in evaluate(workspace, [mention])] == [
        "Unhappy voices with a large audience"
    ]
