"""The e-mail newsletter against a real SMTP server (aiosmtpd, in-process): issues sent
once per subscriber with RFC 8058 unsubscribe headers, bounces, the public double opt-in,
the CSV import, replies and delivery reports.

The inbox's parsing is tested here on whole RFC 5322 / RFC 3464 messages as servers
deliver them (``inbox.parse``, ``Newsletter.ingest``); ``test_newsletter_imap`` reads them
from a real IMAP server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.newsletter import inbox, tokens
from harken.networks.newsletter.models import NewsletterInbound, NewsletterSend
from harken.networks.newsletter.models import NewsletterSubscriber as Subscriber
from harken.networks.newsletter.subscribers import import_csv
from harken.networks.registry import connector_for

pytestmark = pytest.mark.django_db

LIST = {
    "list_id": "5f1c0d",
    "name": "Harbor Street <News>",
    "from_email": "news@harbor.example",
    "from_name": "Harbor Street Jewelers",
    "postal_address": "12 Harbor Street, Portland ME 04101",
}


@pytest.fixture
def account(workspace, smtp_server) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="newsletter",
        handle=LIST["name"],
        external_id=LIST["list_id"],
        config={**LIST, **smtp_server.config()},
    )


def subscriber(account: Account, email: str, status: str = Subscriber.Status.CONFIRMED):
    return Subscriber.objects.create(
        workspace_id=account.workspace_id, account=account, email=email, status=status
    )


def local(url: str) -> str:
    assert url.startswith(settings.BASE_URL)
    return url[len(settings.BASE_URL) :]


TEXT = "Our winter collection is out: https://hrk.example/l/abc12 — see you at the shop!"


def test_an_issue_goes_once_to_each_confirmed_subscriber_with_one_click_unsubscribe(
    account, smtp_server
):
    ann = subscriber(account, "ann@example.com")
    subscriber(account, "ben@example.com")
    subscriber(account, "pending@example.com", Subscriber.Status.PENDING)
    subscriber(account, "gone@example.com", Subscriber.Status.UNSUBSCRIBED)
    connector = connector_for(account)

    published = connector.publish(TEXT, idempotency_key="issue-1", subject="Winter\r\nBcc: x@y")
    again = connector.publish(TEXT, idempotency_key="issue-1", subject="Winter")  # a retry

    assert published.external_id == again.external_id == "issue-1"
    rcpts = sorted(r[0] for r, _ in smtp_server.handler.received)
    assert rcpts == ["ann@example.com", "ben@example.com"]
    message = smtp_server.handler.to("ann@example.com")[0]
    assert message["Subject"] == "Winter Bcc: x@y"  # one line: no header injected
    assert message["Bcc"] is None
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    assert tokens.read_unsubscribe(unsubscribe.rstrip("/").rsplit("/", 1)[1]) == ann.pk
    body = message.get_content()
    assert "https://hrk.example/l/abc12" in body  # the composer's tracked link, as written
    assert unsubscribe in body and LIST["postal_address"] in body
    assert message["From"] == "Harbor Street Jewelers <news@harbor.example>"
    assert message["List-Id"] == "Harbor Street News <5f1c0d.harbor.example>"

    # The one-click POST of RFC 8058: no CSRF token, no login.
    response = Client(enforce_csrf_checks=True).post(
        local(unsubscribe),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.UNSUBSCRIBED
    connector.publish("Spring", idempotency_key="issue-2", subject="Spring")
    assert not [m for m in smtp_server.handler.to("ann@example.com") if m["Subject"] == "Spring"]
    metrics = connector.metrics()
    assert metrics.followers == 1 and metrics.extra["sends"] == 3
    assert metrics.extra["unsubscribed"] == 2
    assert connector.post_metrics("issue-1")["sends"] == 2


def test_a_crash_mid_issue_never_sends_anyone_a_second_copy(account, smtp_server):
    """A crash left one row claimed (it may have gone out) and one queued: the retry sends
    the queued one only; the claimed one is recorded as unknown."""
    cut = subscriber(account, "cut@example.com")
    waiting = subscriber(account, "waiting@example.com")
    done = subscriber(account, "done@example.com")
    rows = NewsletterSend.objects
    rows.create(account=account, subscriber=cut, issue="k", state=NewsletterSend.State.SENDING)
    rows.create(account=account, subscriber=waiting, issue="k")
    rows.create(account=account, subscriber=done, issue="k", state=NewsletterSend.State.SENT)

    connector_for(account).publish(TEXT, idempotency_key="k", subject="Winter")

    assert [r for r, _ in smtp_server.handler.received] == [["waiting@example.com"]]
    states = dict(rows.filter(issue="k").values_list("subscriber__email", "state"))
    assert states == {
        "cut@example.com": "unknown",
        "waiting@example.com": "sent",
        "done@example.com": "sent",
    }
    assert rows.count() == 3


def test_hard_bounces_end_an_address_and_soft_ones_are_counted(account, smtp_server):
    smtp_server.handler.refuse = {
        "dead@example.com": "550 5.1.1 <dead@example.com>: Recipient address rejected",
        "full@example.com": "452 4.2.2 Mailbox full",
    }
    dead = subscriber(account, "dead@example.com")
    full = subscriber(account, "full@example.com")
    subscriber(account, "ok@example.com")

    connector_for(account).publish(TEXT, idempotency_key="b", subject="Winter")

    dead.refresh_from_db()
    full.refresh_from_db()
    assert dead.status == Subscriber.Status.BOUNCED and "5.1.1" in dead.bounce_reason
    assert full.status == Subscriber.Status.CONFIRMED and full.soft_bounces == 1
    assert [r for r, _ in smtp_server.handler.received] == [["ok@example.com"]]
    assert connector_for(account).metrics().extra["bounced"] == 1


def test_a_refused_login_is_permanent_and_no_row_is_claimed(account, smtp_server):
    subscriber(account, "ann@example.com")
    account.config = {**account.config, "smtp_password": "wrong"}
    with pytest.raises(ConnectorError) as refused:
        connector_for(account).publish(TEXT, idempotency_key="p", subject="Winter")
    assert refused.value.permanent and "535" in refused.value.message
    assert NewsletterSend.objects.get().state == NewsletterSend.State.QUEUED
    with pytest.raises(ConnectorError) as no_subject:
        connector_for(account).publish(TEXT, idempotency_key="p")
    assert no_subject.value.rejected


def test_double_opt_in_tells_no_one_who_is_subscribed(account, smtp_server):
    subscriber(account, "known@example.com")
    client = Client()
    form = reverse("networks:newsletter_subscribe", args=[LIST["list_id"]])
    page = client.get(form)
    assert b"Harbor Street &lt;News&gt;" in page.content and b"<News>" not in page.content

    new = client.post(form, {"email": "New@Example.com", "name": "<b>Nell</b>"})
    known = client.post(form, {"email": "known@example.com"})
    assert new.status_code == known.status_code == 200
    assert new.content == known.content
    assert [r for r, _ in smtp_server.handler.received] == [["new@example.com"]]
    sent = smtp_server.handler.received[0][1]
    link = re.search(r"https?://\S+/confirm/\S+/", sent.get_content()).group(0)

    pending = Subscriber.objects.get(email="new@example.com")
    assert pending.status == Subscriber.Status.PENDING and pending.consent_at is None
    assert client.get(local(link)).status_code == 200  # a scanner's GET confirms nothing
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.PENDING
    assert client.post(local(link)).status_code == 200
    pending.refresh_from_db()
    assert pending.status == Subscriber.Status.CONFIRMED and pending.consent_at is not None


def test_a_confirmation_link_expires_and_a_forged_one_is_refused(account, freezer=None):
    token = tokens.confirm_token(1, "a@example.com")
    assert tokens.read_confirm(token) == (1, "a@example.com")
    assert tokens.read_confirm(token[:-2] + "xx") is None
    old = signing.TimestampSigner(salt="harken.newsletter.confirm")
    old.timestamp = lambda: signing.b62_encode(  # type: ignore[method-assign]
        int((timezone.now() - timedelta(days=tokens.CONFIRM_DAYS + 1)).timestamp())
    )
    expired = old.sign_object({"s": 1, "e": "a@example.com"})
    assert tokens.read_confirm(expired) is None
    response = Client().post(reverse("networks:newsletter_confirm", args=[expired]))
    assert response.status_code == 404


def test_the_form_is_throttled_per_client(account, smtp_server):
    client = Client()
    form = reverse("networks:newsletter_subscribe", args=[LIST["list_id"]])
    codes = [client.post(form, {"email": f"p{n}@example.com"}).status_code for n in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429
    assert len(smtp_server.handler.received) <= 6


def test_csv_import_lists_bad_rows_and_updates_without_duplicates(account):
    subscriber(account, "left@example.com", Subscriber.Status.UNSUBSCRIBED)
    data = (
        b"email,consent_date,name\n"
        b"ann@example.com,2025-03-01,Ann\n"
        b"not-an-address,2025-03-01,X\n"
        b"ben@example.com,,Ben\n"
        b"ann@example.com,2025-04-01,Ann again\n"
        b"left@example.com,2025-01-01,Left\n"
        b"cy@example.com,2099-01-01,Cy\n"
    )
    first = import_csv(account, data)
    assert (first.created, first.updated) == (1, 0)
    assert [line for line, _ in first.bad] == [3, 4, 5, 6, 7]
    again = import_csv(account, b"email,consent_date,name\nANN@example.com,2025-05-02,Ann B\n")
    assert (again.created, again.updated, again.bad) == (0, 1, [])
    ann = Subscriber.objects.get(email="ann@example.com")
    assert ann.name == "Ann B" and ann.consent_at.date().isoformat() == "2025-05-02"
    assert Subscriber.objects.filter(account=account).count() == 2
    assert import_csv(account, b"mail,date\nx@example.com,2025-01-01\n").bad[0][0] == 1


def test_the_import_page_is_for_the_workspace_managers_only(
    account, alice_client, bob_client, charlie_client
):
    url = reverse("networks:newsletter_import", args=[account.pk])
    assert charlie_client.get(url).status_code == 404  # another workspace's list
    assert bob_client.get(url).status_code == 403  # a responder
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("s.csv", b"email,consent_date\n<i>x</i>,2025-01-01\n", "text/csv")
    page = alice_client.post(url, {"file": upload})
    assert page.status_code == 200
    assert b"0 added" in page.content and b"Line 2: Not an e-mail address." in page.content


DSN = b"""\
Return-Path: <>
Received: by mx.harbor.example (Postfix) id 4F2B81C0A; Sun,  6 Dec 2026 10:02:11 +0000 (UTC)
Date: Sun,  6 Dec 2026 10:02:11 +0000 (UTC)
From: MAILER-DAEMON@mx.harbor.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: news@harbor.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F2B81C0A.1765015331/mx.harbor.example"
Message-Id: <20261206100211.4F2B81C0A@mx.harbor.example>

This is a MIME-encapsulated message.

--4F2B81C0A.1765015331/mx.harbor.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<ann@example.com>: host mx.example.com[192.0.2.7] said: 550 5.1.1 <ann@example.com>:
    Recipient address rejected: User unknown in virtual mailbox table

--4F2B81C0A.1765015331/mx.harbor.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.harbor.example
X-Postfix-Queue-ID: 4F2B81C0A
Arrival-Date: Sun,  6 Dec 2026 10:02:10 +0000 (UTC)

Final-Recipient: rfc822; ann@example.com
Original-Recipient: rfc822;ann@example.com
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.com
Diagnostic-Code: smtp; 550 5.1.1 <ann@example.com>: Recipient address rejected:
    User unknown in virtual mailbox table

--4F2B81C0A.1765015331/mx.harbor.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Harbor Street Jewelers <news@harbor.example>
To: ann@example.com
Subject: Winter

--4F2B81C0A.1765015331/mx.harbor.example--
""".replace(b"\n", b"\r\n")

REPLY = """\
Return-Path: <ben@example.com>
From: =?utf-8?q?Ben_K=C3=B6hler?= <Ben@Example.com>
To: Harbor Street Jewelers <news@harbor.example>
Subject: Re: Winter
Date: Sun, 6 Dec 2026 11:15:00 +0100
Message-ID: <CAB1234@mail.example.com>
In-Reply-To: <issue-1.2@harbor.example>
References: <issue-1.2@harbor.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Do you still have the silver <script>alert(1)</script> rings in size 7?

On Sun, 6 Dec 2026 at 10:00, Harbor Street Jewelers <news@harbor.example> wrote:
> Our winter collection is out
""".replace("\n", "\r\n").encode()


def test_delivery_reports_and_replies_from_the_inbox(account, smtp_server):
    ann = subscriber(account, "ann@example.com")
    connector = connector_for(account)
    vacation = REPLY.replace(
        b"Message-ID: <CAB1234", b"Auto-Submitted: auto-replied\r\nMessage-ID: <V"
    )

    items = connector.ingest([DSN, REPLY, vacation, REPLY])

    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.BOUNCED and ann.bounce_reason.startswith("5.1.1")
    assert len(items) == 2 and items[0] == items[1]  # the pipeline dedupes the repeat
    item = items[0]
    assert (item.kind, item.external_id, item.author_handle) == (
        "message",
        "<CAB1234@mail.example.com>",
        "ben@example.com",
    )
    assert item.author_name == "Ben Köhler"
    assert item.text == "Do you still have the silver <script>alert(1)</script> rings in size 7?"
    assert item.conversation_id == "<issue-1.2@harbor.example>"
    assert NewsletterInbound.objects.count() == 1

    sent = connector.reply(item.external_id, "Yes, two pairs left.", idempotency_key="r1")
    message = smtp_server.handler.to("ben@example.com")[0]
    assert message["In-Reply-To"] == "<CAB1234@mail.example.com>"
    assert message["Subject"] == "Re: Winter" and sent.external_id == message["Message-ID"]
    with pytest.raises(ConnectorError):
        connector.reply("<never@read>", "Hello")


def test_a_delay_report_counts_a_soft_bounce():
    delayed = DSN.replace(b"Action: failed", b"Action: delayed").replace(
        b"Status: 5.1.1", b"Status: 4.4.1"
    )
    bounce = inbox.parse(delayed)
    assert isinstance(bounce, inbox.Bounce) and not bounce.hard
    assert bounce.recipient == "ann@example.com"


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_issue_send_each_subscriber_one_copy(workspace, smtp_server):
    """What happens when the engine's lease runs out on a long issue and a second worker
    reconciles it while the first still sends: the per-row claim decides."""
    import threading

    from django.db import connection

    from harken.networks.newsletter.sending import send_issue

    account = Account.objects.create(
        workspace=workspace,
        network="newsletter",
        handle=LIST["name"],
        external_id=LIST["list_id"],
        config={**LIST, **smtp_server.config(per_minute=3000)},
    )
    emails = [f"p{n}@example.com" for n in range(12)]
    for email in emails:
        subscriber(account, email)

    def worker() -> None:
        try:
            send_issue(account.pk, account.config, subject="Winter", text=TEXT, issue="twin")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    got = sorted(r[0] for r, _ in smtp_server.handler.received)
    assert got == sorted(emails)
    assert set(NewsletterSend.objects.values_list("state", flat=True)) == {"sent"}
