"""Delivering webhooks to a real receiver: signatures, replays, retries, a worker crash
between the send and its record, backoff for a day, and disabling after failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from harken.api.webhooks import delivery, events, signing
from harken.api.webhooks.models import Delivery, Endpoint
from harken.lib import http
from tests.api.webhooks.conftest import make_endpoint

SPEC = {
    # The example of the Standard Webhooks test vectors (and Svix's documentation).
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
    "timestamp": 1614265330,
    "body": b'{"test": 2432232314}',
    "signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
}


def test_signature_matches_the_specs_example():
    from datetime import UTC, datetime

    at = datetime.fromtimestamp(SPEC["timestamp"], UTC)
    headers = signing.headers(SPEC["secret"], SPEC["id"], at, SPEC["body"])
    assert headers["webhook-signature"] == SPEC["signature"]
    assert headers["webhook-timestamp"] == "1614265330"
    assert headers["webhook-id"] == SPEC["id"]


def test_secrets_are_new_each_time_and_encrypted_at_rest(workspace, receiver):
    assert signing.new_secret() != signing.new_secret()
    assert signing.new_secret().startswith("whsec_")
    endpoint = make_endpoint(workspace, receiver, ["reply.sent"])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM api_endpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert receiver.secret not in stored
    assert Endpoint.objects.get(pk=endpoint.pk).secret == receiver.secret


def test_a_delivery_arrives_signed_and_is_logged(workspace, receiver):
    endpoint = make_endpoint(workspace, receiver, ["conversation.resolved"])
    [row] = events.record(workspace.pk, "conversation.resolved", {"id": 7})
    [done] = delivery.do_send([row.pk])
    assert done.status == Delivery.Status.SENT
    assert done.response_status == 200 and done.response_excerpt == "ok"
    assert done.latency_ms is not None and done.attempts == 1
    assert list(receiver.events) == [row.event_id]
    payload = receiver.events[row.event_id]
    assert payload["type"] == "conversation.resolved" and payload["data"] == {"id": 7}
    assert receiver.rejected == []
    endpoint.refresh_from_db()
    assert endpoint.failures == 0


def test_the_receiver_refuses_a_replay_older_than_five_minutes(workspace, receiver):
    make_endpoint(workspace, receiver, ["reply.sent"])
    [row] = events.record(workspace.pk, "reply.sent", {"id": 1})
    delivery.do_send([row.pk])
    seen, body = receiver.seen[0]
    headers = {k: v for k, v in seen.items() if k.startswith("webhook-")}
    # An attacker replays the captured request: its signature is valid, but old.
    old = timezone.now() - timedelta(minutes=6)
    replay = signing.headers(receiver.secret, row.event_id, old, body)
    with pytest.raises(http.HttpStatusError):
        http.post(receiver.url, content=body, headers=replay, attempts=1)
    # A tampered body is refused too.
    with pytest.raises(http.HttpStatusError):
        http.post(receiver.url, content=body + b" ", headers=headers, attempts=1)
    assert len(receiver.rejected) == 2
    assert len(receiver.events) == 1


def test_every_event_exactly_once_across_a_worker_crash(workspace, receiver):
    """A worker claims a delivery, sends it, and dies before recording the result. The
    sweep sends it again once the lease has run out, with the same webhook-id: the
    receiver, deduping on it, acts on each event once; nothing is lost."""
    make_endpoint(workspace, receiver, ["reply.sent"])
    rows = [events.record(workspace.pk, "reply.sent", {"id": n})[0] for n in range(3)]
    now = timezone.now()
    crashed = rows[1]
    # The crashing worker: its claim and its POST, and then nothing.
    assert delivery.claim(crashed.pk, crashed.next_attempt, now)
    status, _, _ = delivery.post(Delivery.objects.get(pk=crashed.pk), now)
    assert status == 200
    # Another worker, meanwhile, sends what is due: the claimed row is not due yet.
    sent = delivery.do_deliver_due(now)
    assert sorted(r.pk for r in sent) == sorted([rows[0].pk, rows[2].pk])
    assert Delivery.objects.get(pk=crashed.pk).status == Delivery.Status.PENDING
    # The lease runs out; the sweep sends it again, with the same id.
    later = now + delivery.LEASE + timedelta(seconds=1)
    [again] = delivery.do_deliver_due(later)
    assert again.pk == crashed.pk and again.status == Delivery.Status.SENT
    assert receiver.ids().count(crashed.event_id) == 2
    assert sorted(receiver.events) == sorted(r.event_id for r in rows)
    assert [receiver.events[r.event_id]["data"]["id"] for r in rows] == [0, 1, 2]
    assert delivery.do_deliver_due(later + timedelta(hours=1)) == []


def test_failures_back_off_exponentially_and_stop_after_a_day(workspace, receiver):
    make_endpoint(workspace, receiver, ["reply.failed"])
    receiver.answer = 503
    [row] = events.record(workspace.pk, "reply.failed", {"id": 1})
    now = timezone.now()
    waits = []
    while True:
        rows = delivery.do_deliver_due(now)
        if not rows:
            break
        [row] = rows
        if row.status == Delivery.Status.FAILED:
            break
        waits.append(row.next_attempt - now)
        now = row.next_attempt
    assert row.status == Delivery.Status.FAILED
    assert row.response_status == 503 and "maintenance" in row.response_excerpt
    assert now - row.created >= delivery.GIVE_UP_AFTER
    assert waits[0] < timedelta(minutes=1) < waits[1] < waits[2] < waits[3]
    assert max(waits) <= delivery.BACKOFF_CAP * 1.2
    assert len(set(receiver.ids())) == 1  # every try, the same event id


def test_an_endpoint_failing_for_a_day_is_disabled_and_owners_are_told(
    workspace, receiver, alice, victor
):
    endpoint = make_endpoint(workspace, receiver, ["reply.failed"])
    receiver.answer = 500
    now = timezone.now()
    for n in range(delivery.DISABLE_AFTER):
        [row] = events.record(workspace.pk, "reply.failed", {"id": n})
        delivery.do_send([row.pk], now + timedelta(hours=2 * n, seconds=1))
    endpoint.refresh_from_db()
    assert (endpoint.failures, Delivery.objects.filter(attempts=1).count()) == (15, 15)
    assert not endpoint.enabled and "failed tries" in endpoint.disabled_reason
    # The owner is told by e-mail (the viewer is not).
    from harken.core.notify_delivery import do_deliver_due as send_notifications

    send_notifications(timezone.now() + timedelta(minutes=1))
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "Webhook disabled" in mail.outbox[0].subject
    # Its events wait: nothing is sent while it is disabled, and no new ones are made.
    assert events.record(workspace.pk, "reply.failed", {"id": 99}) == []
    assert delivery.do_deliver_due(now + timedelta(days=3)) == []


def test_a_success_resets_the_failure_count(workspace, receiver):
    endpoint = make_endpoint(workspace, receiver, ["reply.failed"])
    receiver.answer = 500
    [row] = events.record(workspace.pk, "reply.failed", {"id": 1})
    delivery.do_send([row.pk])
    endpoint.refresh_from_db()
    assert endpoint.failures == 1 and endpoint.failing_since is not None
    receiver.answer = 200
    delivery.redeliver(row, timezone.now())
    delivery.do_deliver_due()
    endpoint.refresh_from_db()
    assert endpoint.failures == 0 and endpoint.failing_since is None


def test_the_url_guard_refuses_a_private_address(workspace, receiver, settings):
    settings.HTTP_ALLOW_LOOPBACK = False
    make_endpoint(workspace, receiver, ["reply.sent"])
    [row] = events.record(workspace.pk, "reply.sent", {"id": 1})
    [done] = delivery.do_send([row.pk])
    assert done.status == Delivery.Status.PENDING and done.error
    assert receiver.seen == []


def test_the_log_forgets_settled_deliveries_after_thirty_days(workspace, receiver):
    make_endpoint(workspace, receiver, ["reply.sent"])
    sent, waiting = (events.record(workspace.pk, "reply.sent", {"id": n})[0] for n in (1, 2))
    delivery.do_send([sent.pk])
    later = timezone.now() + delivery.KEEP + timedelta(minutes=1)
    assert delivery.do_prune(later) == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [waiting.pk]
