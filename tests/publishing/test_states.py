"""The variant state machine: declared once, every move one conditional update."""

from __future__ import annotations

import pytest

from harken.publishing.models import Variant
from harken.publishing.states import TRANSITIONS, IllegalTransition, State, transition
from tests.publishing.conftest import make_variant

pytestmark = pytest.mark.django_db


def test_every_state_is_in_the_graph():
    assert set(TRANSITIONS) == set(State)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (State.DRAFT, State.PUBLISHED),
        (State.DRAFT, State.PUBLISHING),
        (State.AWAITING_APPROVAL, State.PUBLISHING),
        (State.PUBLISHED, State.SCHEDULED),
        (State.PUBLISHED, State.FAILED),
        (State.FAILED, State.PUBLISHED),
        (State.SCHEDULED, State.PUBLISHED),
    ],
)
def test_an_illegal_transition_is_refused_and_changes_nothing(mastodon_account, source, target):
    variant = make_variant(mastodon_account, state=source)
    with pytest.raises(IllegalTransition):
        transition(variant, target)
    assert Variant.objects.get(pk=variant.pk).state == source


def test_a_failed_variant_may_be_scheduled_again(mastodon_account):
    variant = make_variant(mastodon_account, state=State.FAILED)
    assert transition(variant, State.SCHEDULED, error="")
    assert Variant.objects.get(pk=variant.pk).state == State.SCHEDULED


def test_a_move_from_a_state_the_row_has_left_loses_and_changes_nothing(mastodon_account):
    variant = make_variant(mastodon_account)
    stale = Variant.objects.get(pk=variant.pk)
    assert transition(variant, State.PUBLISHING)
    assert not transition(stale, State.PUBLISHING)
    assert stale.state == State.SCHEDULED  # the loser's copy is not touched either


def test_fields_are_written_in_the_same_update(mastodon_account):
    variant = make_variant(mastodon_account, state=State.PUBLISHING)
    transition(variant, State.PUBLISHED, external_id="host/1", url="https://example.com/1")
    stored = Variant.objects.get(pk=variant.pk)
    assert (stored.state, stored.external_id) == (State.PUBLISHED, "host/1")


def test_each_variant_gets_its_own_idempotency_key(mastodon_account):
    one, two = make_variant(mastodon_account), make_variant(mastodon_account)
    assert one.idempotency_key != two.idempotency_key
    assert one.idempotency_key.version == 1  # time-based: Bluesky derives its record key
