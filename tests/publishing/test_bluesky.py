"""Publishing to Bluesky under a record key derived from the idempotency key, so a
re-send can never make a second post, and a crash is settled by reading that key."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.networks.bluesky.connector import tid_for
from harken.networks.registry import connector_for
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import new_idempotency_key
from harken.publishing.states import State
from tests.publishing.bluesky_pds import DID, HANDLE
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db


def test_the_record_key_is_a_tid_fixed_by_the_idempotency_key():
    key = str(new_idempotency_key())
    rkey = tid_for(key)
    assert rkey == tid_for(key) and len(rkey) == 13
    assert rkey[0] in "234567abcdefghij" and set(rkey) <= set("234567abcdefghijklmnopqrstuvwxyz")
    later = tid_for(str(new_idempotency_key()))
    assert later > rkey  # TIDs sort by time, as the repository expects
    assert tid_for("not-a-uuid") is None


def test_a_due_variant_is_posted_under_its_own_record_key(pds, bluesky_account):
    variant = make_variant(bluesky_account, "Winter window #jewelry")
    assert do_publish_due(NOW).published == [variant.pk]
    variant.refresh_from_db()
    rkey = tid_for(str(variant.idempotency_key))
    assert variant.external_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert variant.url == f"https://bsky.app/profile/{HANDLE}/post/{rkey}"
    (sent,) = pds.creates
    assert sent["rkey"] == rkey and sent["record"]["text"] == "Winter window #jewelry"
    assert sent["record"]["facets"][0]["features"][0]["tag"] == "jewelry"


def test_a_re_send_under_the_same_key_answers_with_the_post_already_there(pds, bluesky_account):
    key = str(new_idempotency_key())
    first = connector_for(bluesky_account).publish("Hello", idempotency_key=key)
    again = connector_for(bluesky_account).publish("Hello", idempotency_key=key)
    assert again == first
    assert len(pds.records) == 1 and len(pds.creates) == 2


def test_a_crash_after_bluesky_took_the_post_is_settled_without_a_second_post(pds, bluesky_account):
    variant = make_variant(bluesky_account, state=State.PUBLISHING, claimed_at=NOW, attempts=1)
    sent = connector_for(bluesky_account).publish(
        variant.text, idempotency_key=str(variant.idempotency_key)
    )
    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, sent.external_id)
    assert len(pds.creates) == 1


def test_a_crash_before_bluesky_took_the_post_publishes_it_once(pds, bluesky_account):
    variant = make_variant(bluesky_account, state=State.PUBLISHING, claimed_at=NOW, attempts=1)
    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.published == [variant.pk] and report.reconciled == []
    assert len(pds.records) == 1


def test_without_a_time_based_key_the_own_posts_are_searched_by_text(pds, bluesky_account):
    made = connector_for(bluesky_account)
    sent = made.publish("An older post", idempotency_key="legacy-key")
    assert made.find_published("legacy-key", "An older post", NOW - timedelta(days=3650)) == sent
    assert made.find_published("legacy-key", "Never posted", NOW - timedelta(days=3650)) is None


def test_an_expired_session_fails_the_variant_and_asks_to_reconnect(pds, bluesky_account):
    pds.fail(
        "com.atproto.server.createSession",
        401,
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
    )
    variant = make_variant(bluesky_account)
    do_publish_due(NOW)
    variant.refresh_from_db()
    bluesky_account.refresh_from_db()
    assert variant.state == State.FAILED and "Invalid identifier or password" in variant.error
    assert bluesky_account.status == bluesky_account.Status.RECONNECT
    assert pds.creates == []


def test_another_text_under_the_same_record_key_is_not_taken_for_ours(pds, bluesky_account):
    # Two processes can make keys of the same microsecond whose clock bits agree.
    key = str(new_idempotency_key())
    made = connector_for(bluesky_account)
    made.publish("Someone else's post", idempotency_key=key)
    assert made.find_published(key, "Our post", NOW - timedelta(days=1)) is None
