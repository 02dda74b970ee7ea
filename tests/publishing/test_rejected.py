"""A network refusing the content (not the account) fails the variant at once, in the
network's words, and leaves the account connected: real connectors, local servers."""

from __future__ import annotations

import json

import pytest

from harken.core.models import Member
from harken.networks.models import Account
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks.test_x import USER_CONFIG
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

JSON = {"Content-Type": "application/json"}
TOO_LONG = "Validation failed: Text character limit of 500 exceeded"
GRAPHEMES = "Invalid app.bsky.feed.post record: grapheme too big (maximum 300, got 301)"
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


def test_a_mastodon_422_fails_the_variant_on_the_first_tick_and_the_account_stays(
    mastodon, mastodon_account, alice, mailoutbox
):
    mastodon.fail(422, {"error": TOO_LONG})
    variant = make_variant(mastodon_account)
    variant.post.author = Member.objects.get(user=alice)
    variant.post.save(update_fields=["author"])
    other = make_variant(mastodon_account, "Another post")
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    mastodon_account.refresh_from_db()
    assert (variant.state, variant.attempts) == (State.FAILED, 1)
    assert TOO_LONG in variant.error and "HTTP 422" in variant.error
    assert mastodon_account.status == Account.Status.ACTIVE
    assert report.failed == [variant.pk] and report.broken == {}
    # The account's next post goes out in the same tick.
    assert report.published == [other.pk]
    (mail,) = mailoutbox
    assert TOO_LONG in mail.body


def test_a_revoked_mastodon_token_still_asks_to_reconnect(mastodon, mastodon_account):
    mastodon.fail(401, {"error": "The access token is invalid"})
    variant = make_variant(mastodon_account)
    do_publish_due(NOW)
    variant.refresh_from_db()
    mastodon_account.refresh_from_db()
    assert variant.state == State.FAILED
    assert mastodon_account.status == Account.Status.RECONNECT


def test_a_bluesky_record_refused_fails_at_once_and_the_account_stays(pds, bluesky_account):
    pds.fail(
        "com.atproto.repo.createRecord", 400, {"error": "InvalidRequest", "message": GRAPHEMES}
    )
    variant = make_variant(bluesky_account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    bluesky_account.refresh_from_db()
    assert report.failed == [variant.pk]
    assert variant.state == State.FAILED and GRAPHEMES in variant.error
    assert bluesky_account.status == Account.Status.ACTIVE


def test_a_bluesky_record_key_held_by_another_post_is_a_conflict_not_a_rejection(
    pds, bluesky_account
):
    variant = make_variant(bluesky_account)
    # Another post already holds the variant's record key ("Record already exists").
    pds.create(
        {
            "collection": "app.bsky.feed.post",
            "rkey": _rkey(variant),
            "record": {"text": "Someone else's post", "createdAt": NOW.isoformat()},
        }
    )
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.retrying == [variant.pk]
    assert variant.state == State.SCHEDULED and "Record already exists" in variant.error


def _rkey(variant: Variant) -> str:
    from harken.networks.bluesky.connector import tid_for

    rkey = tid_for(str(variant.idempotency_key))
    assert rkey is not None
    return rkey


@pytest.fixture
def x_account(workspace, server, loopback, settings):
    settings.X_API_URL = server.base
    return Account.objects.create(
        workspace=workspace, network="x", handle="Twitter", config={**USER_CONFIG}
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (403, {"detail": DUPLICATE, "type": "about:blank", "title": "Forbidden", "status": 403}),
        (
            400,
            {
                "errors": [{"message": "Your Tweet text is too long."}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
        ),
    ],
)
def test_x_refusing_the_text_fails_at_once_and_keeps_the_account(server, x_account, status, body):
    server.route("/2/tweets", Reply(status, json.dumps(body), JSON))
    variant = make_variant(x_account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    x_account.refresh_from_db()
    assert report.failed == [variant.pk]
    assert variant.state == State.FAILED and variant.error.startswith("X refused the post: ")
    assert x_account.status == Account.Status.ACTIVE
    assert len(server.hits("/2/tweets")) == 1


def test_another_x_403_is_still_the_accounts_fault(server, x_account):
    body = {"detail": "You are not permitted to perform this action.", "status": 403}
    server.route("/2/tweets", Reply(403, json.dumps(body), JSON))
    variant = make_variant(x_account)
    do_publish_due(NOW)
    variant.refresh_from_db()
    x_account.refresh_from_db()
    assert variant.state == State.FAILED
    assert x_account.status == Account.Status.RECONNECT
