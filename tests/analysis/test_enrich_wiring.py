"""The listening pipeline hands analysis what the workspace knows about itself."""

from __future__ import annotations

import pytest

from harken.analysis import AnalysisContext
from harken.listening import enrich
from harken.listening.models import Mention, Source, Topic
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(workspace):
    return Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )


def test_the_context_carries_the_brand_its_products_and_its_competitors(workspace):
    Topic.objects.create(
        workspace=workspace, name="Gold Hoops", kind=Topic.Kind.BRAND, query='"gold hoops" OR @HSJ'
    )
    Topic.objects.create(
        workspace=workspace, name="Rival Rings", kind=Topic.Kind.COMPETITOR, query="@RivalRings"
    )
    Topic.objects.create(workspace=workspace, name="Watches", kind=Topic.Kind.INDUSTRY, query="x")
    context = enrich.analysis_context(workspace)
    assert isinstance(context, AnalysisContext)
    assert context.workspace_id == workspace.pk
    assert context.products == ["Harbor Street Jewelers", "Gold Hoops", "@HSJ"]
    assert context.competitors == ["Rival Rings", "@RivalRings"]


def test_a_brands_own_product_name_reaches_the_analysis(source, monkeypatch):
    Topic.objects.create(workspace=source.workspace, name="Gold Hoops", kind=Topic.Kind.BRAND)
    seen = []
    real = enrich.analyze

    def spy(texts, context=None, **options):
        results = real(texts, context, **options)
        seen.extend(results)
        return results

    monkeypatch.setattr(enrich, "analyze", spy)
    ingest(source, [item("1", text="The clasp on my gold hoops broke after a week")])
    assert [found.products for found in seen] == [("Gold Hoops",)]
    assert "complaint" in Mention.objects.get().intents


def test_the_business_own_answers_get_no_sentiment_intents_or_priority(source):
    ingest(
        source,
        [
            item("1", text="Really disappointed with Harbor Street Jewelers, the clasp broke"),
            item(
                "2", text="Resizing takes about an hour for most rings, just drop by.", is_own=True
            ),
        ],
    )
    customer = Mention.objects.get(external_id="1")
    answer = Mention.objects.get(external_id="2")
    assert customer.sentiment == "negative" and "complaint" in customer.intents
    assert (answer.sentiment, answer.sentiment_scores, answer.intents) == ("", {}, [])
    assert answer.language == "en" and answer.priority == 0


def test_the_networks_declared_language_wins(source):
    ingest(source, [item("1", text="ok ok ok https://t.co/x #maga", language="de")])
    assert Mention.objects.get().language == "de"


def test_a_grievance_at_a_competitor_is_stored_as_no_complaint_of_ours(source):
    Topic.objects.create(
        workspace=source.workspace,
        name="Rival Rings",
        kind=Topic.Kind.COMPETITOR,
        query='"Rival Rings" OR @RivalRings',
    )
    ingest(
        source,
        [
            item("1", text="Tried Rival Rings for a resize, took ten days"),
            item("2", text="Tried Harbor Street Jewelers for a resize, took ten days"),
        ],
    )
    theirs = Mention.objects.get(external_id="1")
    ours = Mention.objects.get(external_id="2")
    assert "complaint" not in theirs.intents
    assert "complaint" in ours.intents
    assert ours.priority > theirs.priority
