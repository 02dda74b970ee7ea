"""The guidelines gate: pure checks, each finding with why and how to fix, applied when
scheduling and again just before publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.core.models import AuditEntry
from harken.publishing.engine import do_publish_due
from harken.publishing.guidelines import Draft, Other, Rules, check
from harken.publishing.models import Guidelines, Variant
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import State
from harken.publishing.validation import CannotSchedule
from tests.publishing.conftest import NOW, make_variant

RULES = Rules()


def rules_found(text: str, others=(), **draft) -> list[str]:
    fields = {"network": "mastodon", "at": NOW, **draft}
    return [f.rule for f in check(Draft(text, **fields), others, RULES)]


def test_a_plain_post_passes():
    assert rules_found("Our winter collection is in the window.") == []


def test_posts_closer_than_the_minimum_gap_are_clustered():
    (finding,) = check(
        Draft("New rings", "mastodon", NOW), [Other("Old news", NOW - timedelta(minutes=20))], RULES
    )
    assert finding.rule == "min_gap"
    assert "20 minutes apart" in finding.why and "at least 60 minutes" in finding.fix
    assert rules_found("New rings", [Other("Old news", NOW - timedelta(minutes=61))]) == []


def test_the_daily_cap_counts_the_days_posts():
    day = [Other(f"Post {i}", NOW.replace(hour=2 * i + 1)) for i in range(5)]
    assert rules_found("One more", day) == ["daily_cap"]
    assert rules_found("One more", day[:4]) == []


def test_nearly_the_same_text_within_the_window_is_a_repeat():
    earlier = [Other("Our winter collection is in the window!", NOW - timedelta(days=3))]
    assert rules_found("Our winter collection is in the window.", earlier) == ["duplicate"]
    long_ago = [Other("Our winter collection is in the window!", NOW - timedelta(days=30))]
    assert rules_found("Our winter collection is in the window.", long_ago) == []


def test_too_many_hashtags_for_the_network():
    text = "Rings #gold #silver #gift"
    assert rules_found(text, network="x") == ["hashtags"]
    assert rules_found(text, network="mastodon") == []


def test_banned_words_are_named():
    rules = Rules.from_data({"banned_words": ["cheap", "Bling"]})
    (finding,) = check(Draft("Cheap bling, cheaper rings", "x", NOW), [], rules)
    assert finding.rule == "banned_words" and "'bling', 'cheap'" in finding.why


def test_a_sponsored_post_must_say_so():
    assert rules_found("Thanks to our vendor", sponsored=True) == ["disclosure"]
    assert rules_found("Thanks to our vendor #ad", sponsored=True) == []
    assert rules_found("Thanks to our vendor", sponsored=False) == []


def test_too_many_exclamation_marks():
    assert rules_found("Sale!!!!") == ["exclamations"]


def test_a_rule_at_zero_is_off_and_unknown_keys_are_ignored():
    rules = Rules.from_data({"max_exclamations": 0, "no_such_rule": 1})
    assert check(Draft("Sale!!!!!!", "x", NOW), [], rules) == []


@pytest.mark.django_db
def test_scheduling_refuses_a_clustered_post_and_names_the_rule(mastodon, mastodon_account):
    make_variant(mastodon_account, "Our winter window", at=NOW)
    second = make_variant(mastodon_account, "Gift ideas for her", state=State.DRAFT, at=None)
    with pytest.raises(CannotSchedule) as caught:
        do_schedule(second, NOW + timedelta(minutes=10))
    assert [p.rule for p in caught.value.problems] == ["min_gap"]
    assert Variant.objects.get(pk=second.pk).state == State.DRAFT


@pytest.mark.django_db
def test_an_override_with_a_reason_is_audited_and_lets_it_through(
    mastodon, mastodon_account, alice
):
    make_variant(mastodon_account, "Our winter window", at=NOW)
    second = make_variant(mastodon_account, "Gift ideas for her", state=State.DRAFT, at=None)
    do_schedule(
        second, NOW + timedelta(minutes=10), overrides={"min_gap": "Launch day"}, actor=alice
    )
    assert Variant.objects.get(pk=second.pk).state == State.SCHEDULED
    entry = AuditEntry.objects.get(action="guideline.override")
    assert entry.changes == {"rule": "min_gap", "reason": "Launch day"}
    assert entry.actor == alice


@pytest.mark.django_db
def test_the_gate_is_checked_again_just_before_publishing(mastodon, mastodon_account, workspace):
    variant = make_variant(mastodon_account, "Sale on rings, cheap!")
    Guidelines.objects.create(workspace=workspace, rules={"banned_words": ["cheap"]})
    assert do_publish_due(NOW).failed == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert variant.error.startswith("Held by the guidelines: The brand's voice rules exclude")
    assert mastodon.posts == []
