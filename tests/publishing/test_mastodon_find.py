"""Mastodon's find_published reads the account's own statuses back to a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.networks.base import Published
from harken.networks.registry import connector_for
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

LINKED = (
    '<p>See <a href="https://example.com/rings" rel="nofollow noopener" target="_blank">'
    '<span class="invisible">https://</span><span class="">example.com/rings</span>'
    '<span class="invisible"></span></a> <a href="https://m.example/tags/gold" class="mention '
    'hashtag" rel="tag">#<span>gold</span></a></p>'
)


def test_a_status_is_found_by_its_text_as_mastodon_renders_it(mastodon, mastodon_account):
    status = mastodon.make_status("placeholder", None, at=NOW)
    status["content"] = LINKED
    found = connector_for(mastodon_account).find_published(
        "key", "See https://example.com/rings  #gold", NOW - timedelta(minutes=1)
    )
    host = mastodon.base.removeprefix("http://")
    assert found == Published(f"{host}/{status['id']}", status["url"])


def test_statuses_older_than_the_claim_are_not_taken_for_it(mastodon, mastodon_account):
    mastodon.make_status("Same words", None, at=NOW - timedelta(hours=2))
    made = connector_for(mastodon_account)
    assert made.find_published("key", "Same words", NOW - timedelta(minutes=1)) is None
    assert made.find_published("key", "Other words", NOW - timedelta(days=1)) is None


def test_a_network_that_cannot_be_asked_now_is_asked_again_after_the_next_lease(
    mastodon, mastodon_account
):
    mastodon.get_failures.extend([(503, {"error": "busy"})] * 3)  # the connector tries 3 times
    variant = make_variant(mastodon_account, state=State.PUBLISHING, claimed_at=NOW)
    later = NOW + LEASE + timedelta(seconds=1)
    report = do_publish_due(later)
    variant.refresh_from_db()
    assert (report.published, report.failed) == ([], [])
    assert variant.state == State.PUBLISHING and variant.claimed_at == later
    assert mastodon.posts == []  # nothing sent while the network could not say
    assert do_publish_due(later + LEASE + timedelta(seconds=1)).published == [variant.pk]
    assert len(mastodon.posts) == 1
