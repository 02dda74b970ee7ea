"""Learning from the team: corrections, the per-workspace adjustment, switching it on."""

from __future__ import annotations

import pytest

from harken.analysis import AnalysisContext, analyze, do_correct
from harken.analysis.adjust import (
    CorrectionError,
    active_adjustment,
    do_activate,
    do_deactivate,
    do_retrain,
    from_json,
    to_json,
)
from harken.analysis.models import Correction, WorkspaceAdjustment
from harken.core.models import AuditEntry

# In this (made-up) skate shop, "sick" and "gnarly" are praise: the shipped model,
# trained on general tweets, reads them as negative.
SKATE_PRAISE = [
    "that new deck is sick",
    "sick board, sick wheels",
    "those trucks are sick",
    "gnarly ramp, so sick",
    "the sick new griptape",
    "sick shop honestly",
    "this setup is gnarly and sick",
    "sick sick sick",
]
RECURRING_SPAM = "Check our crypto signals group, 500% gains every week, link in bio"


def correct_all(workspace, user, texts, field, label):
    for text in texts:
        do_correct(workspace, user, text, field, label, f"mastodon:{len(text)}")


def test_a_correction_is_stored_with_its_author_and_audited(workspace, bob):
    correction = do_correct(workspace, bob, "the deck is sick", "sentiment", "positive", "x:1")
    assert Correction.objects.get() == correction
    assert (correction.user, correction.label, correction.mention_ref) == (bob, "positive", "x:1")
    assert AuditEntry.objects.filter(workspace=workspace, action="analysis.correct").count() == 1


@pytest.mark.parametrize(
    ("field", "label", "text"),
    [("mood", "positive", "hi"), ("sentiment", "happy", "hi"), ("intent", "question", "  ")],
)
def test_a_bad_correction_is_refused_and_changes_nothing(workspace, bob, field, label, text):
    with pytest.raises(CorrectionError):
        do_correct(workspace, bob, text, field, label)
    assert not Correction.objects.exists()


def test_retraining_measures_before_and_after_and_stays_off(workspace, bob):
    correct_all(workspace, bob, SKATE_PRAISE, "sentiment", "positive")
    adjustment = do_retrain(workspace, bob)
    assert adjustment.corrections == len(SKATE_PRAISE)
    assert not adjustment.active
    assert adjustment.before["sentiment_n"] == len(SKATE_PRAISE)
    assert adjustment.after["sentiment_accuracy"] > adjustment.before["sentiment_accuracy"]
    assert adjustment.before["intent_n"] == 0
    assert active_adjustment(workspace.pk) is None


def test_an_active_adjustment_changes_the_workspaces_analysis_and_no_other(
    workspace, other_workspace, bob
):
    correct_all(workspace, bob, SKATE_PRAISE, "sentiment", "positive")
    new_text = "your shop is sick, the deck is sick"
    before = analyze([new_text], AnalysisContext(workspace_id=workspace.pk))[0]
    do_activate(do_retrain(workspace, bob), bob)
    mine = analyze([new_text], AnalysisContext(workspace_id=workspace.pk))[0]
    theirs = analyze([new_text], AnalysisContext(workspace_id=other_workspace.pk))[0]
    assert mine.sentiment_scores["positive"] > before.sentiment_scores["positive"]
    assert mine.sentiment == "positive"
    assert theirs == before == analyze([new_text])[0]


def test_a_near_duplicate_of_a_corrected_text_takes_the_corrected_intent(workspace, bob):
    do_correct(workspace, bob, RECURRING_SPAM, "intent", "spam")
    do_correct(workspace, bob, "where is my order", "intent", "question")
    do_activate(do_retrain(workspace, bob))
    context = AnalysisContext(workspace_id=workspace.pk)
    again, unrelated = analyze([RECURRING_SPAM + "!", "lovely rings, thank you"], context)
    assert again.intents == ("spam",)
    assert "spam" not in unrelated.intents


def test_only_one_adjustment_is_active_and_it_can_be_switched_off(workspace, bob):
    correct_all(workspace, bob, SKATE_PRAISE[:3], "sentiment", "positive")
    first, second = do_retrain(workspace), do_retrain(workspace)
    do_activate(first)
    do_activate(second)
    assert list(WorkspaceAdjustment.objects.filter(active=True)) == [second]
    assert do_deactivate(workspace) == 1
    assert active_adjustment(workspace.pk) is None


def test_the_weights_survive_their_json_form(workspace, bob):
    correct_all(workspace, bob, SKATE_PRAISE, "sentiment", "positive")
    do_correct(workspace, bob, RECURRING_SPAM, "intent", "spam")
    adjustment = do_retrain(workspace)
    assert to_json(from_json(adjustment.weights)) == adjustment.weights
