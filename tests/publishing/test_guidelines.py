"""The guidelines gate: pure checks, each finding with why and how to fix, applied when
scheduling and again just before publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.core.models import AuditEntry
from harken.networks.models import Account
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


def test_too_many_mentions_for_the_network():
    text = "Thanks @ana @ben @cat @dan@mastodon.social"
    assert rules_found(text, network="x") == ["mentions"]
    assert rules_found(text, network="mastodon") == []
    assert rules_found("write to shop@example.com", network="x") == []  # an address


def test_a_promotion_above_the_target_share_is_flagged_with_the_share():
    recent = ["promotion", "offer", "educational", "humour", "event"]
    draft = Draft("20% off rings", "x", NOW, category="offer")
    (finding,) = check(draft, [], RULES, recent)
    assert finding.rule == "content_mix" and "50% of the last 30 days" in finding.why
    useful = Draft("How to clean silver", "x", NOW, category="educational")
    assert check(useful, [], RULES, recent) == []
    assert check(draft, [], RULES, recent[:4]) == []  # too few posts to judge yet


@pytest.mark.django_db
def test_scheduling_counts_the_workspaces_recent_posts_once_each(mastodon, mastodon_account):
    from harken.publishing.models import Post

    for day, category in enumerate(["offer", "offer", "educational", "event", "humour"]):
        variant = make_variant(mastodon_account, f"Post {day}", at=NOW - timedelta(days=day + 1))
        Post.objects.filter(pk=variant.post_id).update(category=category)
        if day == 0:  # the same post on a second account is still one post
            second = Account.objects.create(
                workspace=mastodon_account.workspace, network="bluesky", handle="harbor"
            )
            Variant.objects.create(
                workspace=second.workspace,
                post_id=variant.post_id,
                account=second,
                text="Post 0",
                state=State.SCHEDULED,
                scheduled_at=variant.scheduled_at,
            )
    offer = make_variant(mastodon_account, "Sale on pearls", state=State.DRAFT, at=None)
    Post.objects.filter(pk=offer.post_id).update(category="offer")
    offer.post.refresh_from_db()
    with pytest.raises(CannotSchedule, match="50% of the last 30 days' posts sell"):
        do_schedule(offer, NOW)


def test_a_post_in_capitals_is_shouting_but_an_acronym_or_one_loud_word_is_not():
    assert rules_found("HUGE WINTER SALE THIS WEEKEND ONLY") == ["capitals"]
    assert rules_found("Our HUGE winter SALE starts this WEEKEND at the shop") == []
    assert rules_found("FAQ: how USA orders ship, see https://EXAMPLE.COM/FAQ") == []
    assert rules_found("New rings in store #SHINY #GIFTS #RINGS @HARBORSTREET") == []
    rules = Rules.from_data({"max_capitals_share": 0})
    assert check(Draft("HUGE WINTER SALE THIS WEEKEND", "x", NOW), [], rules) == []
