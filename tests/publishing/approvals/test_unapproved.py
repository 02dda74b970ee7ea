"""Nothing publishes unapproved: the tick never claims a variant awaiting approval."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.publishing.approvals import actions
from harken.publishing.engine import do_publish_due
from harken.publishing.states import State
from tests.publishing.approvals.conftest import make_post, member, states
from tests.publishing.conftest import NOW

pytestmark = pytest.mark.django_db


def test_a_due_variant_awaiting_approval_is_never_claimed(bob, mia, mastodon, mastodon_account):
    post = make_post(bob, [mastodon_account], at=NOW - timedelta(minutes=5))
    actions.do_submit(post, member(bob))
    for minute in range(3):
        report = do_publish_due(NOW + timedelta(minutes=minute))
        assert report.claimed == 0
    assert states(post) == [State.AWAITING_APPROVAL]
    assert mastodon.posts == []  # the network heard nothing

    actions.do_approve(post, member(mia))
    assert do_publish_due(NOW + timedelta(minutes=3)).published == [post.variants.get().pk]
    assert len(mastodon.posts) == 1


def test_a_post_sent_back_after_an_edit_stops_publishing(bob, mia, mastodon, mastodon_account):
    post = make_post(bob, [mastodon_account], state=State.SCHEDULED, at=NOW)
    actions.on_edit(post, member(bob))
    assert do_publish_due(NOW + timedelta(minutes=1)).claimed == 0
    assert mastodon.posts == []
