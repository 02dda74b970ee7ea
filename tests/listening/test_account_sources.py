"""Connecting an account starts reading its mentions; disconnecting stops every source
that reads through it. Networks only announces it (``networks.signals``); listening
keeps its sources in step, in the same transaction as the account."""

from __future__ import annotations

import pytest

from harken.listening.models import Source
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.networks.registry import do_disconnect
from harken.networks.signals import account_connected, account_disconnected

pytestmark = pytest.mark.django_db


def connect(workspace, handle="@shop@m.social"):
    return save_connected(workspace, None, "mastodon", "42@m.social", handle, {"access_token": "t"})


def test_connecting_an_account_starts_the_source_that_reads_its_mentions(workspace):
    account = connect(workspace)
    source = Source.objects.get(workspace=workspace)
    assert (source.kind, source.network, source.account, source.name) == (
        "account",
        "mastodon",
        account,
        "@shop@m.social mentions",
    )
    assert source.enabled


def test_reconnecting_enables_the_same_source_again_and_adds_none(workspace, alice):
    account = connect(workspace)
    do_disconnect(account, alice)
    assert not Source.objects.get(workspace=workspace).enabled
    connect(workspace, handle="@shop-renamed@m.social")
    source = Source.objects.get(workspace=workspace)
    assert source.enabled and source.account == account
    assert Account.objects.count() == 1


def test_disconnecting_stops_what_reads_through_the_account_and_nothing_else(workspace, alice):
    account = connect(workspace)
    Source.objects.create(
        workspace=workspace, name="s", kind="search", network="mastodon", account=account, query="q"
    )
    feed = Source.objects.create(
        workspace=workspace, name="f", kind="feed", network="feed", url="https://a.example/f"
    )
    do_disconnect(account, alice)
    assert list(account.sources.values_list("enabled", flat=True)) == [False, False]
    feed.refresh_from_db()
    assert feed.enabled


class Refused(Exception):
    pass


def refuse(**kwargs):
    raise Refused


def test_a_failing_receiver_undoes_the_connect_and_its_source(workspace):
    account_connected.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(Refused):
            connect(workspace)
    finally:
        account_connected.disconnect(dispatch_uid="test.refuse")
    assert not Account.objects.exists() and not Source.objects.exists()


def test_a_failing_receiver_undoes_the_disconnect_and_keeps_the_sources_on(workspace, alice):
    account = connect(workspace)
    account_disconnected.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(Refused):
            do_disconnect(Account.objects.get(pk=account.pk), alice)
    finally:
        account_disconnected.disconnect(dispatch_uid="test.refuse")
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE and account.config == {"access_token": "t"}
    assert Source.objects.get(account=account).enabled
