"""Alerts fed by the real ingest pipeline (and the real analysis where its models ship)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from harken.listening.models import AlertEvent, Delivery, Mention, Source, Topic
from harken.networks.base import NormalizedItem
from tests.listening.test_alert_conditions import make_rule

COMPLAINT = "My ring from Harbor Street broke after two days, terrible quality, I want a refund"


def item(n: int, text: str, followers: int = 50) -> NormalizedItem:
    return NormalizedItem(
        network="mastodon",
        external_id=f"1090{n}",
        kind="post",
        text=text,
        created=timezone.now() - dt.timedelta(minutes=n),
        author_id=f"acct-{n}",
        author_handle=f"customer{n}",
        author_followers=followers,
        url=f"https://mastodon.example/@customer{n}/1090{n}",
    )


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace, name="Mentions", kind="search", network="mastodon"
    )


@pytest.fixture
def topic(workspace):
    return Topic.objects.create(workspace=workspace, name="Harbor Street", query='"harbor street"')


def test_an_ingested_batch_alerts_once_even_when_ingested_again(workspace, source, topic):
    from harken.listening.pipeline import ingest

    make_rule(workspace, "topic", topic=topic, name="Brand")
    batch = [item(1, COMPLAINT), item(2, "Lovely afternoon by the sea")]

    first = ingest(source, batch, cursor="a", enrichment=False)
    again = ingest(source, batch, cursor="a", enrichment=False)

    [event] = AlertEvent.objects.all()
    assert first.stored == 2 and again.stored == 0
    assert event.mention.external_id == "10901"
    assert Delivery.objects.count() == 1


def test_an_intent_rule_follows_the_intents_the_real_analysis_stored(workspace, source, topic):
    from harken.analysis import api
    from harken.listening.pipeline import ingest

    if not (api.MODELS_DIR / "sentiment.json").exists():
        pytest.skip("the analysis models are not in this checkout yet")
    make_rule(workspace, "intent", params={"intents": ["complaint"]}, name="Complaints")
    texts = [
        COMPLAINT,
        "@HarborStreet worst service ever, my order never arrived and nobody answers",
        "Lovely afternoon by the sea",
    ]

    ingest(source, [item(n, text) for n, text in enumerate(texts, start=1)], cursor="a")

    stored = Mention.objects.filter(workspace=workspace)
    complaints = {m.external_id for m in stored if "complaint" in m.intents}
    if not complaints:
        pytest.skip("this checkout's analysis models flagged none of the complaints")
    alerted = {e.mention.external_id for e in AlertEvent.objects.select_related("mention")}
    assert alerted == complaints
