"""A variant that breaks its network's rules cannot be scheduled; the message says which."""

from __future__ import annotations

import pytest

from harken.networks.models import Account
from harken.publishing.models import Variant
from harken.publishing.scheduling import do_edit_text, do_schedule
from harken.publishing.states import IllegalTransition, State
from harken.publishing.validation import CannotSchedule, check_text
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db


def account(workspace, network: str, **config) -> Account:
    return Account.objects.create(
        workspace=workspace, network=network, handle=f"harbor-{network}", config=config
    )


def test_x_counts_links_as_23_and_cjk_as_two(workspace):
    x = account(workspace, "x")
    link = "https://example.com/" + "a" * 200
    assert check_text("a" * 257 + link, x) == []  # 257 + 23 = 280
    (problem,) = check_text("a" * 258 + link, x)
    assert problem.rule == "length"
    assert problem.message.startswith("X allows 280 characters; this text has 281")
    assert "each link as 23" in problem.message and "Shorten it by 1" in problem.message
    assert check_text("語" * 140, x) == []
    assert "has 282" in check_text("語" * 141, x)[0].message
    assert "has 282" in check_text("👍" * 141, x)[0].message  # an emoji weighs two


def test_bluesky_counts_graphemes_and_links_in_full(workspace):
    bluesky = account(workspace, "bluesky")
    family = "👨‍👩‍👧‍👦"  # one grapheme, seven code points
    assert check_text(family * 300, bluesky) == []
    (problem,) = check_text(family * 301, bluesky)
    assert problem.message.startswith("Bluesky allows 300 characters; this text has 301")
    assert "emoji" in problem.message
    link = "https://example.com/" + "a" * 280  # 300 characters, all counted
    assert check_text(link, bluesky) == []
    assert check_text("x" + link, bluesky)[0].rule == "length"


def test_mastodon_uses_the_servers_own_limit(workspace):
    big = account(workspace, "mastodon", limits={"max_chars": 11000, "url_chars": 23})
    default = account(workspace, "mastodon")
    assert check_text("a" * 5000, big) == []
    (problem,) = check_text("a" * 501, default)
    assert problem.message.startswith("Mastodon allows 500 characters; this text has 501")


def test_a_network_harken_cannot_publish_to_is_named(workspace):
    (problem,) = check_text("Hello", account(workspace, "feed"))
    assert problem.rule == "network"
    assert problem.message == "Harken cannot publish to Web feed."


def test_empty_text_is_refused(workspace):
    (problem,) = check_text("  \n", account(workspace, "bluesky"))
    assert problem.message == "The Bluesky text is empty; write what to post there."


def test_a_too_long_variant_cannot_be_scheduled_and_stays_a_draft(workspace):
    variant = make_variant(account(workspace, "bluesky"), "a" * 301, state=State.DRAFT, at=None)
    with pytest.raises(CannotSchedule, match="Bluesky allows 300 characters") as caught:
        do_schedule(variant, NOW)
    assert [p.rule for p in caught.value.problems] == ["length"]
    stored = Variant.objects.get(pk=variant.pk)
    assert (stored.state, stored.scheduled_at) == (State.DRAFT, None)


def test_an_account_that_needs_reconnecting_cannot_be_scheduled(workspace):
    broken = account(workspace, "bluesky")
    broken.status = Account.Status.RECONNECT
    broken.save(update_fields=["status"])
    variant = make_variant(broken, "Hello", state=State.DRAFT)
    with pytest.raises(CannotSchedule, match="needs reconnecting"):
        do_schedule(variant, NOW)


def test_a_valid_draft_is_scheduled(workspace):
    variant = make_variant(account(workspace, "bluesky"), "Hello", state=State.DRAFT, at=None)
    do_schedule(variant, NOW)
    stored = Variant.objects.get(pk=variant.pk)
    assert (stored.state, stored.scheduled_at) == (State.SCHEDULED, NOW)


def test_retrying_a_failed_variant_starts_its_attempts_over(workspace):
    failed = make_variant(
        account(workspace, "bluesky"), "Hello", state=State.FAILED, attempts=6, error="down"
    )
    do_schedule(failed, NOW)
    stored = Variant.objects.get(pk=failed.pk)
    assert (stored.state, stored.attempts, stored.error) == (State.SCHEDULED, 0, "")


def test_editing_an_approved_variant_sends_it_back_for_approval(workspace):
    variant = make_variant(account(workspace, "bluesky"), "Hello")
    do_edit_text(variant, "Hello, winter")
    stored = Variant.objects.get(pk=variant.pk)
    assert (stored.state, stored.text) == (State.AWAITING_APPROVAL, "Hello, winter")


def test_a_published_variant_cannot_be_edited(workspace):
    variant = make_variant(account(workspace, "bluesky"), "Hello", state=State.PUBLISHED)
    with pytest.raises(IllegalTransition):
        do_edit_text(variant, "Changed")
    assert Variant.objects.get(pk=variant.pk).text == "Hello"
