"""Notifications: recorded once per event, sent by e-mail (Django's test outbox) and ntfy
(a real HTTP server on 127.0.0.1), retried with backoff, switched off per kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from harken.core import notify
from harken.core.models import Member, Notification, NotificationDelivery
from harken.core.notify_delivery import do_deliver_due
from tests.lib.localserver import Reply

Status = NotificationDelivery.Status
EVIL = "Refund <script>alert(1)</script>\nBcc: victim@example.com"


@pytest.fixture
def bob_member(bob) -> Member:
    return Member.objects.get(user=bob)


@pytest.fixture
def push(server, loopback, bob_member):
    """Bob's phone: an ntfy topic on the local server, with a token."""
    server.route("/bob-phone", Reply(200, b'{"id":"x"}'))
    chosen = notify.settings_for(bob_member)
    chosen.ntfy_server = server.base
    chosen.ntfy_topic = "bob-phone"
    chosen.ntfy_secrets = {"token": "tk_secret"}
    chosen.save()
    return server


def tell(member, key="conversation:1", **kwargs):
    return notify.notify(
        member,
        kwargs.pop("kind", notify.ASSIGNED),
        kwargs.pop("subject", "Assigned to you: @maya"),
        kwargs.pop("body", "Where is my order?"),
        kwargs.pop("url", "/inbox/1/"),
        about=key,
    )


def test_a_notification_goes_by_email_and_ntfy_once_committed(
    bob_member, push, django_capture_on_commit_callbacks, settings
):
    settings.BASE_URL = "https://harken.example"
    with django_capture_on_commit_callbacks(execute=True):
        made = tell(bob_member)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert made is not None
    [sent] = mail.outbox
    assert sent.to == ["bob@example.com"]
    assert sent.subject == "[Harken] Assigned to you: @maya"
    assert "Where is my order?" in sent.body
    assert "https://harken.example/inbox/1/" in sent.body
    [hit] = push.hits("/bob-phone")
    assert hit.method == "POST"
    assert hit.body == b"Where is my order?"
    headers = {k.lower(): v for k, v in hit.headers.items()}
    assert headers["title"] == "Assigned to you: @maya"
    assert headers["priority"] == "4"
    assert headers["click"] == "https://harken.example/inbox/1/"
    assert headers["authorization"] == "Bearer tk_secret"
    statuses = set(made.deliveries.values_list("channel", "status"))
    assert statuses == {("email", Status.SENT), ("ntfy", Status.SENT)}


def test_the_same_event_is_never_told_twice(bob_member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = tell(bob_member)
        again = tell(bob_member, subject="Assigned to you again")
    assert first is not None and again is None
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    # Another event, or the same event of another kind, is told.
    with django_capture_on_commit_callbacks(execute=True):
        assert tell(bob_member, key="conversation:2") is not None
        assert tell(bob_member, kind=notify.SLA_AT_RISK) is not None
    assert len(mail.outbox) == 3


def test_a_row_names_the_event(bob_member, workspace):
    made = notify.notify(bob_member, notify.ASSIGNED, "Hi", about=workspace)
    assert made is not None and made.key == f"core.workspace:{workspace.pk}"
    assert notify.notify(bob_member, notify.ASSIGNED, "Hi again", about=workspace) is None


def test_a_kind_switched_off_is_recorded_but_not_sent(
    bob_member, push, django_capture_on_commit_callbacks
):
    chosen = notify.settings_for(bob_member)
    chosen.off = [notify.SLA_AT_RISK]
    chosen.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = tell(bob_member, kind=notify.SLA_AT_RISK)
    assert made is not None and not made.deliveries.exists()
    assert mail.outbox == [] and push.hits("/bob-phone") == []


def test_headers_and_subjects_stay_on_one_line(
    bob_member, push, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tell(bob_member, subject=EVIL, body=EVIL, url="https://evil.example/")
    [sent] = mail.outbox
    assert "\n" not in sent.subject and sent.to == ["bob@example.com"]
    assert "evil.example" not in sent.body  # only a path inside Harken becomes a link
    headers = {k.lower(): v for k, v in push.hits("/bob-phone")[0].headers.items()}
    assert "\n" not in headers["title"] and "click" not in headers


def test_a_failed_push_is_retried_with_backoff_then_sent(
    bob_member, push, django_capture_on_commit_callbacks
):
    push.route("/bob-phone", Reply(503), Reply(200))
    chosen = notify.settings_for(bob_member)
    chosen.email_on = False
    chosen.save()
    with django_capture_on_commit_callbacks(execute=True):
        made = tell(bob_member)
    [row] = made.deliveries.all()
    assert row.status == Status.PENDING and row.attempts == 1
    assert "503" in row.last_error
    wait = row.next_attempt - timezone.now()
    assert dt.timedelta(seconds=40) < wait < dt.timedelta(seconds=80)
    assert do_deliver_due() == []  # not due yet
    [again] = do_deliver_due(row.next_attempt)
    assert again.status == Status.SENT and again.attempts == 2
    assert len(push.hits("/bob-phone")) == 2
    assert do_deliver_due(row.next_attempt + dt.timedelta(hours=1)) == []  # sent once


def test_a_topic_the_server_refuses_fails_for_good(
    bob_member, push, django_capture_on_commit_callbacks
):
    push.route("/bob-phone", Reply(404, b"topic not found"))
    with django_capture_on_commit_callbacks(execute=True):
        made = tell(bob_member)
    row = made.deliveries.get(channel="ntfy")
    assert row.status == Status.FAILED and row.next_attempt is None
    assert made.deliveries.get(channel="email").status == Status.SENT


def test_two_workers_never_send_the_same_delivery(bob_member, push):
    made = tell(bob_member)  # not committed in this test: the queue has not run
    now = timezone.now()
    first = do_deliver_due(now)
    second = do_deliver_due(now)
    assert {d.channel for d in first} == {"email", "ntfy"} and second == []
    assert len(mail.outbox) == 1 and len(push.hits("/bob-phone")) == 1
    assert made.deliveries.filter(status=Status.SENT).count() == 2


def test_a_private_ntfy_server_is_never_called(bob_member, settings):
    chosen = notify.settings_for(bob_member)
    chosen.ntfy_server, chosen.ntfy_topic, chosen.email_on = "http://10.1.2.3", "t", False
    chosen.save()
    made = tell(bob_member)
    [row] = do_deliver_due(timezone.now())
    assert row.status == Status.FAILED and made.pk == row.notification_id
    assert "10.1.2.3" in row.last_error or "private" in row.last_error.lower()


def test_an_unknown_kind_is_refused(bob_member):
    with pytest.raises(ValueError):
        notify.notify(bob_member, "nonsense", "Hi")


# --- the settings page ------------------------------------------------------------------


def test_a_member_sets_address_push_and_kinds(bob_client, bob_member, loopback, server):
    page = bob_client.get("/settings/notifications/")
    assert page.status_code == 200
    assert "A conversation is assigned to me" in page.content.decode()
    answer = bob_client.post(
        "/settings/notifications/",
        {
            "email": "bob.phone@example.com",
            "email_on": "on",
            "ntfy_server": server.base,
            "ntfy_topic": "bobs-topic",
            "ntfy_token": "tk_1",
            "kinds": [notify.ASSIGNED, notify.HELD_REPLY],
            "available": "",
        },
    )
    assert answer.status_code == 302
    chosen = notify.settings_for(bob_member)
    assert chosen.address == "bob.phone@example.com"
    assert (chosen.ntfy_server, chosen.ntfy_topic, chosen.ntfy_token) == (
        server.base,
        "bobs-topic",
        "tk_1",
    )
    assert notify.HIGH_PRIORITY in chosen.off and notify.ASSIGNED not in chosen.off
    bob_member.refresh_from_db()
    assert bob_member.available is False
    page = bob_client.get("/settings/notifications/").content.decode()
    assert "tk_1" not in page  # a saved token is never shown again
    assert "A token is saved" in page


def test_a_bad_topic_or_private_server_changes_nothing(bob_client, bob_member):
    for data in (
        {"ntfy_server": "https://ntfy.sh", "ntfy_topic": "no spaces allowed"},
        {"ntfy_server": "http://192.168.1.5", "ntfy_topic": "home"},
        {"ntfy_server": "ftp://ntfy.sh", "ntfy_topic": "home"},
        {"email": "not an address", "email_on": "on"},
    ):
        answer = bob_client.post("/settings/notifications/", data, follow=True)
        assert answer.status_code == 200
        assert b"errorlist" in answer.content or b"error" in answer.content
    chosen = notify.settings_for(bob_member)
    assert (chosen.email, chosen.ntfy_topic, chosen.off) == ("", "", [])


def test_recent_notifications_are_listed_escaped(bob_client, bob_member, alice, workspace):
    tell(bob_member, subject="<img src=x onerror=alert(1)>")
    alice_member = Member.objects.get(user=alice)
    tell(alice_member, subject="Alice's own news")
    page = bob_client.get("/settings/notifications/").content.decode()
    assert "&lt;img src=x" in page and "<img src=x" not in page
    assert "Alice&#x27;s own news" not in page and "Alice's own news" not in page


def test_a_test_notification_reaches_every_channel_and_says_how_it_went(
    bob_client, bob_member, push, django_capture_on_commit_callbacks
):
    chosen = notify.settings_for(bob_member)
    chosen.off = list(notify.KINDS)  # switched everything off: a test still goes out
    chosen.save()
    page = bob_client.get("/settings/notifications/").content.decode()
    assert "A test I asked for" not in page  # not a kind one can switch off
    with django_capture_on_commit_callbacks(execute=True):
        answer = bob_client.post("/settings/notifications/test/")
    assert "Test sent" in bob_client.get(answer["Location"]).content.decode()
    assert [m.subject for m in mail.outbox] == ["[Harken] Test notification from Harken"]
    assert len(push.hits("/bob-phone")) == 1
    page = bob_client.get("/settings/notifications/").content.decode()
    assert "E-mail: sent; Phone (ntfy): sent" in page
    with django_capture_on_commit_callbacks(execute=True):
        bob_client.post("/settings/notifications/test/")
    assert len(mail.outbox) == 2  # each test is its own event


def test_a_test_with_no_channel_says_so(bob_client, bob_member):
    chosen = notify.settings_for(bob_member)
    chosen.email_on = False
    chosen.save()
    answer = bob_client.post("/settings/notifications/test/", follow=True)
    assert "Nothing to send to" in answer.content.decode()


def test_a_teammates_notification_cannot_be_opened_or_marked_read(bob_client, alice, workspace):
    note = tell(Member.objects.get(user=alice), subject="Alice's own news")
    assert note is not None
    response = bob_client.post(reverse("notification_open", args=[note.pk]), {"go": "1"})
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
