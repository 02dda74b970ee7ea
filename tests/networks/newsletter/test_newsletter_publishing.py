"""An issue through the publishing engine (its tick, and its reconciliation after a
worker died mid-issue) to a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.networks.models import Account
from harken.networks.newsletter.models import NewsletterSend
from harken.networks.newsletter.models import NewsletterSubscriber as Subscriber
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(workspace, smtp_server) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="newsletter",
        handle="Harbor Street News",
        external_id="list-1",
        config={
            "list_id": "list-1",
            "name": "Harbor Street News",
            "from_email": "news@harbor.example",
            "postal_address": "12 Harbor Street, Portland ME 04101",
            **smtp_server.config(),
        },
    )


def subscribe(account: Account, *emails: str) -> list[Subscriber]:
    return [
        Subscriber.objects.create(
            workspace_id=account.workspace_id,
            account=account,
            email=email,
            status=Subscriber.Status.CONFIRMED,
        )
        for email in emails
    ]


def test_the_tick_sends_the_issue_to_the_list(account, smtp_server):
    subscribe(account, "ann@example.com", "ben@example.com")
    variant = make_variant(account, "Winter is here.", post_options={"subject": "Winter"})

    assert do_publish_due(NOW).published == [variant.pk]
    assert do_publish_due(NOW + timedelta(minutes=1)).published == []

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert variant.external_id == str(variant.idempotency_key)
    assert sorted(r[0] for r, _ in smtp_server.handler.received) == [
        "ann@example.com",
        "ben@example.com",
    ]
    assert {m["Subject"] for _, m in smtp_server.handler.received} == {"Winter"}


def test_a_worker_killed_mid_issue_is_finished_without_second_copies(account, smtp_server):
    """The worker died with Ann's mail in flight and Ben's queued: reconciliation finds
    the issue unfinished, publishes again, and only Ben gets a mail now."""
    ann, ben, cy = subscribe(account, "ann@example.com", "ben@example.com", "cy@example.com")
    variant = make_variant(
        account, "Winter is here.", state=State.PUBLISHING, post_options={"subject": "Winter"}
    )
    Variant.objects.filter(pk=variant.pk).update(claimed_at=NOW)
    key = str(variant.idempotency_key)
    rows = NewsletterSend.objects
    rows.create(account=account, subscriber=ann, issue=key, state=NewsletterSend.State.SENDING)
    rows.create(account=account, subscriber=ben, issue=key)
    rows.create(account=account, subscriber=cy, issue=key, state=NewsletterSend.State.SENT)

    do_publish_due(NOW + LEASE + timedelta(seconds=1))

    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED
    assert [r for r, _ in smtp_server.handler.received] == [["ben@example.com"]]
    assert rows.get(subscriber=ann).state == NewsletterSend.State.UNKNOWN
