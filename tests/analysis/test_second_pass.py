"""The second pass: a transformer re-scores, in the queue, the mentions people see.

The model here is the tiny real ONNX graph of ``test_transformer`` ("good" is positive,
"bad" negative), so the test needs no download; the shipped model has its own test below,
run when its files and onnxruntime are there.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.analysis import second_pass
from harken.analysis.models import Correction
from harken.inbox.models import Conversation
from harken.listening.models import Author, Mention

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")
pytest.importorskip("onnx")

from tests.analysis.test_transformer import save_tiny_model  # noqa: E402

pytestmark = pytest.mark.django_db

FIRST_PASS = {"negative": 0.2, "neutral": 0.7, "positive": 0.1}


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    save_tiny_model(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "model": "tiny-v1"}))
    monkeypatch.setattr(second_pass, "SECOND_PASS_DIR", tmp_path)
    return tmp_path


def mention(workspace, number: int, text: str, **fields) -> Mention:
    author, _ = Author.objects.get_or_create(
        workspace=workspace, network="mastodon", external_id="someone", defaults={"handle": "a"}
    )
    values = {"sentiment": "neutral", "sentiment_scores": dict(FIRST_PASS)}
    values.update(fields)
    return Mention.objects.create(
        workspace=workspace,
        network="mastodon",
        external_id=str(number),
        author=author,
        text=text,
        posted=timezone.now() - timedelta(minutes=number),
        **values,
    )


def test_a_small_business_gets_every_label_from_the_transformer(workspace, tiny):
    good = mention(workspace, 1, "good good")
    bad = mention(workspace, 2, "bad")
    own = mention(workspace, 3, "bad bad", is_own=True, sentiment="", sentiment_scores={})
    assert second_pass.status(workspace.pk) == {
        "on": True,
        "model": "tiny-v1",
        "backlog": 2,
        "done": 0,
    }

    assert second_pass.run_second_pass(workspace.pk) == 2

    good.refresh_from_db()
    bad.refresh_from_db()
    own.refresh_from_db()
    assert (good.sentiment, good.sentiment_scores["model"]) == ("positive", "tiny-v1")
    assert (bad.sentiment, bad.sentiment_scores["model"]) == ("negative", "tiny-v1")
    assert bad.sentiment_scores["negative"] > 0.9
    # The business's own answers have no sentiment, and the pass gives them none.
    assert (own.sentiment, own.sentiment_scores) == ("", {})
    assert second_pass.status(workspace.pk)["backlog"] == 0
    assert second_pass.run_second_pass(workspace.pk) == 0  # nothing is read twice


def test_a_persons_correction_stands(workspace, tiny):
    corrected = mention(workspace, 1, "bad", sentiment="positive")
    Correction.objects.create(
        workspace=workspace,
        text="bad",
        field="sentiment",
        label="positive",
        mention_ref=f"mastodon:{corrected.pk}",
    )
    second_pass.run_second_pass(workspace.pk)
    corrected.refresh_from_db()
    assert corrected.sentiment == "positive"
    assert corrected.sentiment_scores["kept"] == "person"
    assert second_pass.status(workspace.pk)["backlog"] == 0


def test_a_new_label_brings_the_intents_and_priority_that_read_sentiment(workspace, tiny):
    """Ingest read "@shop bad order" as neutral chatter; the transformer reads it as negative,
    so it is a complaint, and its priority gains the complaint's and the negative's points
    while the terms the store cannot give back (reach, here) stay as ingest stored them."""
    from harken.analysis.priority import INTENT_POINTS, SENTIMENT_POINTS

    before = 20
    found = mention(
        workspace,
        1,
        "@shop bad order",
        intents=["other"],
        priority=before,
        priority_reasons="12k followers",
    )
    second_pass.run_second_pass(workspace.pk)
    found.refresh_from_db()
    assert found.sentiment == "negative"
    assert "complaint" in found.intents
    gained = (INTENT_POINTS["complaint"] + SENTIMENT_POINTS["negative"]) - (
        INTENT_POINTS["other"] + SENTIMENT_POINTS["neutral"]
    )
    assert found.priority == before + gained
    assert found.priority_reasons.split("; ")[:2] == ["complaint", "negative"]
    assert found.priority_reasons.endswith("12k followers")


def test_a_reading_that_agrees_leaves_intents_and_priority_as_they_were(workspace, tiny):
    same = mention(
        workspace,
        1,
        "@shop bad order",
        sentiment="negative",
        intents=["complaint"],
        priority=46,
        priority_reasons="complaint; negative; 12k followers",
    )
    second_pass.run_second_pass(workspace.pk)
    same.refresh_from_db()
    assert same.sentiment_scores["model"] == "tiny-v1"
    assert (same.intents, same.priority) == (["complaint"], 46)
    assert same.priority_reasons == "complaint; negative; 12k followers"


def test_a_persons_intent_stands_when_the_label_changes(workspace, tiny):
    corrected = mention(
        workspace, 1, "@shop bad order", intents=["praise"], priority=20, priority_reasons="praise"
    )
    Correction.objects.create(
        workspace=workspace,
        text="@shop bad order",
        field="intent",
        label="praise",
        mention_ref=f"mastodon:{corrected.pk}",
    )
    second_pass.run_second_pass(workspace.pk)
    corrected.refresh_from_db()
    assert corrected.sentiment == "negative"  # only the sentiment was the model's to change
    assert corrected.intents == ["praise"]
    assert corrected.priority == 20 + 12 - 4  # the sentiment's points alone moved
    assert corrected.priority_reasons == "praise; negative"


def test_a_grievance_at_a_competitor_stays_no_complaint_after_the_pass(workspace, tiny):
    from harken.listening.models import Topic

    Topic.objects.create(
        workspace=workspace, name="Rival Rings", kind=Topic.Kind.COMPETITOR, query='"Rival Rings"'
    )
    rival = mention(workspace, 1, "Rival Rings bad order", intents=["other"], priority=8)
    second_pass.run_second_pass(workspace.pk)
    rival.refresh_from_db()
    assert rival.sentiment == "negative"
    assert "complaint" not in rival.intents


def test_a_busy_workspace_rescores_what_people_see(workspace, tiny, monkeypatch):
    monkeypatch.setattr(second_pass, "SMALL_BUSINESS", 3)
    thread = Conversation.objects.create(
        workspace=workspace, network="mastodon", root_external_id="1"
    )
    made = [mention(workspace, n, "bad") for n in range(1, 45)]
    inbox, urgent = made[0], made[1]
    Mention.objects.filter(pk=inbox.pk).update(conversation=thread)
    Mention.objects.filter(pk=urgent.pk).update(priority=second_pass.ALERT_PRIORITY)
    sampled = {m.pk for m in made if m.pk % second_pass.SAMPLE_EVERY == 0}
    expected = {inbox.pk, urgent.pk} | sampled

    second_pass.run_second_pass(workspace.pk)

    read = set(
        Mention.objects.filter(sentiment_scores__has_key="model").values_list("pk", flat=True)
    )
    assert read == expected
    assert len(sampled) >= 2  # 44 consecutive ids hold two or three of the sample


def test_without_the_model_files_the_pass_is_off_and_says_why(workspace, tmp_path, monkeypatch):
    monkeypatch.setattr(second_pass, "SECOND_PASS_DIR", tmp_path)
    untouched = mention(workspace, 1, "bad")
    assert second_pass.run_second_pass(workspace.pk) == 0
    status = second_pass.status(workspace.pk)
    assert status["on"] is False
    assert "model.onnx" in status["reason"]
    untouched.refresh_from_db()
    assert untouched.sentiment_scores == FIRST_PASS


def test_the_system_page_shows_the_backlog(workspace, tiny, alice_client):
    mention(workspace, 1, "good")
    mention(workspace, 2, "<b>bad</b>")
    page = alice_client.get(reverse("system")).content.decode()
    assert "Sentiment second pass" in page
    assert "2 mentions waiting" in page
    assert "tiny-v1" in page


@pytest.mark.skipif(
    bool(second_pass.unavailable_reason()), reason="the shipped second-pass model is not here"
)
def test_the_shipped_transformer_reads_the_demos_obvious_cases():
    from tests.analysis.test_reading import BRAND, DEMO

    pinned = [(text.format(b=BRAND), sentiment) for text, sentiment, _ in DEMO if sentiment]
    found = second_pass.rescore([text for text, _ in pinned])
    assert [label for label, _ in found] == [sentiment for _, sentiment in pinned]
    assert {scores["model"] for _, scores in found} == {"minilm-v1-blend"}
