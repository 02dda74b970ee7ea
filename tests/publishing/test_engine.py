"""The tick publishes through the real Mastodon connector to a local Mastodon server."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.publishing.engine import LEASE, MAX_ATTEMPTS, do_publish_due, run_ticks
from harken.publishing.models import Variant
from harken.publishing.scheduling import do_retry
from harken.publishing.states import IllegalTransition, State
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db


def test_a_due_variant_is_published_with_its_idempotency_key(mastodon, mastodon_account):
    variant = make_variant(mastodon_account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.published == [variant.pk]
    assert variant.state == State.PUBLISHED and variant.published_at is not None
    status = mastodon.statuses[0]
    assert variant.external_id == f"127.0.0.1:{mastodon.server_address[1]}/{status['id']}"
    assert variant.url == status["url"]
    assert [(p["form"]["status"], p["key"]) for p in mastodon.posts] == [
        ([variant.text], str(variant.idempotency_key))
    ]


def test_a_variant_not_yet_due_waits(mastodon, mastodon_account):
    make_variant(mastodon_account, at=NOW + timedelta(minutes=1))
    make_variant(mastodon_account, state=State.DRAFT)
    assert do_publish_due(NOW).published == []
    assert mastodon.posts == []


def test_a_published_variant_is_not_published_again_on_the_next_tick(mastodon, mastodon_account):
    make_variant(mastodon_account)
    do_publish_due(NOW)
    do_publish_due(NOW + timedelta(minutes=1))
    assert len(mastodon.posts) == 1


def test_a_transient_error_is_retried_with_backoff(mastodon, mastodon_account):
    mastodon.fail(503, {"error": "Service Unavailable"}, times=3)  # the connector tries 3 times
    variant = make_variant(mastodon_account)
    assert do_publish_due(NOW).retrying == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED and variant.attempts == 1
    assert variant.next_attempt_at == NOW + timedelta(seconds=30)
    assert "HTTP 503" in variant.error

    assert do_publish_due(NOW + timedelta(seconds=29)).published == []  # not before its time
    assert do_publish_due(NOW + timedelta(seconds=30)).published == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED and variant.attempts == 2 and variant.error == ""
    keys = {post["key"] for post in mastodon.posts}
    assert keys == {str(variant.idempotency_key)}  # every try under the same key
    assert len(mastodon.statuses) == 1


def test_each_retry_waits_longer(mastodon, mastodon_account):
    mastodon.fail(503, {"error": "Service Unavailable"}, times=6)
    variant = make_variant(mastodon_account)
    do_publish_due(NOW)
    do_publish_due(NOW + timedelta(seconds=30))
    variant.refresh_from_db()
    assert variant.attempts == 2
    assert variant.next_attempt_at == NOW + timedelta(seconds=30) + timedelta(minutes=1)


def test_a_variant_that_keeps_failing_gives_up_loudly(mastodon, mastodon_account):
    mastodon.fail(503, {"error": "Service Unavailable"}, times=3)
    variant = make_variant(mastodon_account, attempts=MAX_ATTEMPTS - 1)
    assert do_publish_due(NOW).failed == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    assert variant.error.startswith(f"Gave up after {MAX_ATTEMPTS} tries:")


def test_a_revoked_token_fails_the_variant_and_asks_to_reconnect(mastodon, mastodon_account):
    mastodon.fail(401, {"error": "The access token was revoked"})
    variant = make_variant(mastodon_account)
    other = make_variant(mastodon_account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    mastodon_account.refresh_from_db()
    assert variant.state == State.FAILED
    assert "The access token was revoked" in variant.error
    assert mastodon_account.status == Account.Status.RECONNECT
    assert "The access token was revoked" in mastodon_account.last_error
    # The account's next variant is not sent into the same refusal.
    assert report.failed == [variant.pk, other.pk]
    assert len(mastodon.posts) == 1


def test_a_crash_after_the_network_took_the_post_is_settled_without_a_second_post(
    mastodon, mastodon_account
):
    variant = make_variant(mastodon_account, state=State.PUBLISHING, claimed_at=NOW, attempts=1)
    # The crashed worker's call reached the server; its answer was lost with the worker.
    sent = connector_for(mastodon_account).publish(
        variant.text, idempotency_key=str(variant.idempotency_key)
    )
    posts_before = len(mastodon.posts)

    assert do_publish_due(NOW + LEASE / 2).reconciled == []  # still within its lease
    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk]
    assert variant.state == State.PUBLISHED
    assert (variant.external_id, variant.url) == (sent.external_id, sent.url)
    assert len(mastodon.posts) == posts_before  # asked, never posted again


def test_a_crash_before_the_network_took_the_post_publishes_it_once(mastodon, mastodon_account):
    mastodon.make_status("An older post of ours", None)
    variant = make_variant(mastodon_account, state=State.PUBLISHING, claimed_at=NOW, attempts=1)
    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.published == [variant.pk] and report.reconciled == []
    assert variant.state == State.PUBLISHED
    assert len(mastodon.posts) == 1


def test_a_crash_on_a_network_that_cannot_be_asked_fails_rather_than_risk_a_second_post(
    workspace,
):
    account = Account.objects.create(
        workspace=workspace,
        network="x",
        handle="harborjewels",
        config={"bearer_token": "user-token"},
    )
    variant = make_variant(account, state=State.PUBLISHING, claimed_at=NOW)
    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.failed == [variant.pk]
    assert variant.state == State.FAILED
    assert variant.error.startswith("Unknown: Harken stopped while publishing this to X")


def test_a_failed_tick_leaves_no_variant_claimed(mastodon, mastodon_account):
    mastodon.fail(503, {"error": "down"}, times=3)
    make_variant(mastodon_account)
    do_publish_due(NOW)
    assert not Variant.objects.filter(state=State.PUBLISHING).exists()


def test_the_ticks_run_every_few_seconds_and_publish_what_comes_due(mastodon, mastodon_account):
    soon = timezone.now() + timedelta(seconds=0.3)
    variant = make_variant(mastodon_account, at=soon)
    started = time.monotonic()
    report = run_ticks(3, 0.25)
    assert 0.5 <= time.monotonic() - started < 5
    assert report.published == [variant.pk]
    assert len(mastodon.posts) == 1


def test_the_queue_runs_the_ticks_every_minute():
    from huey.contrib.djhuey import HUEY

    from harken.publishing import tasks

    periodic = {task.name for task in HUEY._registry.periodic_tasks}
    assert "publish_due" in periodic
    assert tasks.TICK_EVERY * tasks.TICKS_PER_RUN <= 60


def test_an_answer_nobody_foresaw_leaves_the_variant_for_reconciliation_and_the_batch_goes_on(
    mastodon, mastodon_account
):
    # A list where a status belongs: did it go out? Nobody can say yet.
    mastodon.fail(200, ["not", "a", "status"])
    odd = make_variant(mastodon_account, "First")
    fine = make_variant(mastodon_account, "Second", at=NOW + timedelta(hours=2))
    assert do_publish_due(NOW + timedelta(hours=2)).published == [fine.pk]
    odd.refresh_from_db()
    assert odd.state == State.PUBLISHING
    # After its lease the network is asked; it has no "First", so it goes out once.
    report = do_publish_due(NOW + timedelta(hours=2) + LEASE + timedelta(seconds=1))
    assert report.published == [odd.pk]
    assert [p["form"]["status"] for p in mastodon.posts] == [["First"], ["Second"], ["First"]]


def test_the_author_is_told_in_the_networks_words(mastodon, mastodon_account, alice, mailoutbox):
    from harken.core.models import Member

    mastodon.fail(422, {"error": "Validation failed: Text character limit of 500 exceeded"})
    variant = make_variant(mastodon_account, attempts=MAX_ATTEMPTS - 1)
    variant.post.author = Member.objects.get(user=alice)
    variant.post.save(update_fields=["author"])
    do_publish_due(NOW)
    (mail,) = mailoutbox
    assert mail.to == ["alice@example.com"]
    assert "Text character limit of 500 exceeded" in mail.body
    assert variant.text in mail.body


def test_a_failed_variant_retried_from_the_page_is_published(mastodon, mastodon_account):
    mastodon.fail(401, {"error": "The access token is invalid"})
    variant = make_variant(mastodon_account, at=timezone.now() - timedelta(minutes=5))
    do_publish_due()
    variant.refresh_from_db()
    assert variant.state == State.FAILED
    mastodon_account.status = Account.Status.ACTIVE  # the owner reconnected it
    mastodon_account.save(update_fields=["status"])
    variant.account.refresh_from_db()

    do_retry(variant)
    assert do_publish_due().published == [variant.pk]
    variant.refresh_from_db()
    assert (variant.state, variant.error) == (State.PUBLISHED, "")


def test_only_a_failed_variant_can_be_retried(mastodon_account):
    variant = make_variant(mastodon_account)
    with pytest.raises(IllegalTransition):
        do_retry(variant)


def test_a_backlog_is_drained_in_one_tick_not_a_batch_per_tick(
    mastodon, mastodon_account, no_time_rules
):
    variants = [make_variant(mastodon_account, f"Winter window, part {n}") for n in range(5)]
    for variant in variants:
        variant.scheduled_at = timezone.now() - timedelta(seconds=1)
        variant.save(update_fields=["scheduled_at"])
    report = run_ticks(1, 60, limit=2)
    assert sorted(report.published) == [v.pk for v in variants]
    assert report.claimed == 5


def test_a_tick_makes_one_connector_per_account(
    mastodon, mastodon_account, no_time_rules, monkeypatch
):
    from harken.networks import registry

    made = []

    def counting(account):
        made.append(account.pk)
        return registry.connector_for(account)

    monkeypatch.setattr("harken.publishing.engine.connector_for", counting)
    for n in range(3):
        make_variant(mastodon_account, f"Winter window, part {n}")
    assert len(do_publish_due(NOW).published) == 3
    assert made == [mastodon_account.pk]
