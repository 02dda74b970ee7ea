"""Settings › Accounts says on each account's row what Harken cannot read there: a
network whose API gives no comments (no "fetch": TikTok, Pinterest), which also gets no
listening source, and the direct messages a network refused (the words the connector
kept under ``MESSAGES_REFUSED``). Every word there may come from a network: escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from harken.listening.models import Source
from harken.networks.base import MESSAGES_REFUSED
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.registry import CONNECTORS, connector_class, do_disconnect

pytestmark = pytest.mark.django_db

#: The networks whose API lets Harken read nothing, from their connectors.
UNREADABLE = sorted(n for n in CONNECTORS if "fetch" not in connector_class(n).capabilities)


def row(html: str, account: Account) -> str:
    return html.split(f'id="account-{account.pk}"')[1].split("</tr>")[0]


def test_the_unreadable_networks_are_the_ones_without_comments_to_read():
    assert {"tiktok", "pinterest"} <= set(UNREADABLE)
    assert "mastodon" not in UNREADABLE and "google_business" not in UNREADABLE


@pytest.mark.parametrize("network", UNREADABLE)
def test_connecting_an_account_harken_cannot_read_starts_no_source(workspace, network):
    save_connected(workspace, None, network, "id-1", "@maker", {"access_token": "t"})
    assert not Source.objects.filter(workspace=workspace).exists()


def test_a_readable_account_still_gets_its_source(workspace):
    save_connected(workspace, None, "mastodon", "42@m.social", "@shop", {"access_token": "t"})
    assert Source.objects.get(workspace=workspace).enabled


def test_a_source_made_before_for_an_unreadable_account_stops_when_it_connects_again(
    workspace, alice
):
    network = UNREADABLE[0]
    account = save_connected(workspace, None, network, "id-1", "@maker", {"access_token": "t"})
    old = Source.objects.create(
        workspace=workspace,
        name="@maker mentions",
        kind="account",
        network=network,
        account=account,
    )
    do_disconnect(account, alice)
    save_connected(workspace, None, network, "id-1", "@maker", {"access_token": "t2"})
    old.refresh_from_db()
    assert not old.enabled and Source.objects.count() == 1


def test_the_row_of_an_unreadable_account_says_harken_publishes_and_measures_there(
    alice_client, workspace
):
    network = UNREADABLE[0]
    blind = Account.objects.create(workspace=workspace, network=network, handle="@maker")
    heard = Account.objects.create(workspace=workspace, network="mastodon", handle="@shop@m.social")
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    said = row(html, blind)
    assert "Harken publishes and measures here but does not read it." in said
    assert "comments" in said  # the connector's own words on why
    assert "does not read" not in row(html, heard)


def test_the_row_says_why_direct_messages_are_not_read_escaped(alice_client, workspace):
    why = '<script>alert(1)</script> The page did not grant "pages_messaging".'
    refused = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@shop@m.social",
        config={MESSAGES_REFUSED: {"at": datetime.now(UTC).isoformat(), "why": why}},
    )
    reading = Account.objects.create(
        workspace=workspace, network="mastodon", handle="@other@m.social", config={}
    )
    odd = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@odd@m.social",
        config={MESSAGES_REFUSED: "not a dict"},
    )
    html = alice_client.get(reverse("networks:accounts")).content.decode()
    said = row(html, refused)
    assert "Direct messages are not read: &lt;script&gt;alert(1)&lt;/script&gt;" in said
    assert "&quot;pages_messaging&quot;" in said and "<script>alert" not in html
    assert "Direct messages are not read" not in row(html, reading) + row(html, odd)
