"""The list's inbox read over IMAP from a real IMAP server (pymap, in-memory), with the
replies and delivery reports of ``test_newsletter``."""

from __future__ import annotations

import pytest

from harken.networks.base import ConnectorError
from harken.networks.models import Account
from harken.networks.newsletter.models import NewsletterSubscriber as Subscriber
from harken.networks.registry import connector_for
from tests.networks.newsletter.test_newsletter import DSN, LIST, REPLY

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(workspace, smtp_server, imap_server) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="newsletter",
        handle=LIST["name"],
        external_id=LIST["list_id"],
        config={**LIST, **smtp_server.config(), **imap_server.config()},
    )


def test_replies_and_bounces_are_read_once_and_left_unread(account, imap_server):
    ann = Subscriber.objects.create(
        workspace_id=account.workspace_id,
        account=account,
        email="ann@example.com",
        status=Subscriber.Status.CONFIRMED,
    )
    imap_server.deliver(DSN, REPLY)
    connector = connector_for(account)

    first = connector.fetch(None)
    again = connector.fetch(first.cursor)
    later = REPLY.replace(b"<CAB1234@", b"<CAB5678@")
    imap_server.deliver(later)
    third = connector.fetch(again.cursor)

    assert [item.external_id for item in first.items] == ["<CAB1234@mail.example.com>"]
    assert first.cursor and first.cursor.endswith(":" + first.cursor.rpartition(":")[2])
    assert again.items == [] and again.cursor == first.cursor
    assert [item.external_id for item in third.items] == ["<CAB5678@mail.example.com>"]
    ann.refresh_from_db()
    assert ann.status == Subscriber.Status.BOUNCED
    assert imap_server.seen() == [False, False, False]  # read with BODY.PEEK, folder read-only


def test_a_refused_imap_login_is_permanent(account):
    account.config = {**account.config, "imap_password": "wrong"}
    with pytest.raises(ConnectorError) as refused:
        connector_for(account).fetch(None)
    assert refused.value.permanent


def test_a_poll_brings_replies_into_listening_as_private_messages(
    workspace, alice, smtp_server, imap_server
):
    from harken.listening.models import Mention, Source
    from harken.listening.polling import poll_source
    from harken.networks.connecting import save_connected

    config = {**LIST, **smtp_server.config(), **imap_server.config()}
    account = save_connected(workspace, alice, "newsletter", LIST["list_id"], LIST["name"], config)
    imap_server.deliver(REPLY, DSN)
    source = Source.objects.get(account=account)

    outcome = poll_source(source.pk, force=True)

    assert (outcome.state, outcome.stored) == ("stored", 1), outcome
    mention = Mention.objects.get(workspace=workspace, network="newsletter")
    assert (mention.kind, mention.external_id) == ("message", "<CAB1234@mail.example.com>")
    assert poll_source(source.pk, force=True).stored == 0  # nothing newer, nothing twice
