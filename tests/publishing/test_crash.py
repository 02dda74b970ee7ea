"""A worker killed (SIGKILL) while the network is answering its publish: the post is
on the network, the variant is left in publishing, and the next tick after the lease
settles it from the network without a second post."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection

from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The server runs in a thread of this process; the forked worker only makes one
    # HTTP call and a few queries, so fork's warning about threads does not apply.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


def _tick() -> None:
    connection.close()  # the parent's connection is not the child's to use
    do_publish_due(NOW)


def test_a_worker_killed_mid_publish_is_reconciled_without_a_second_post(
    mastodon, mastodon_account
):
    variant = make_variant(mastodon_account)
    mastodon.hold.set()
    connection.close()
    worker = multiprocessing.get_context("fork").Process(target=_tick)
    worker.start()
    deadline = time.monotonic() + 20
    while not mastodon.statuses and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mastodon.statuses, "the worker never reached the network"
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(10)
    mastodon.release.set()

    stuck = Variant.objects.get(pk=variant.pk)
    assert (stuck.state, stuck.external_id) == (State.PUBLISHING, "")

    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    settled = Variant.objects.get(pk=variant.pk)
    assert report.reconciled == [variant.pk]
    assert settled.state == State.PUBLISHED
    assert settled.external_id.endswith("/" + mastodon.statuses[0]["id"])
    assert len(mastodon.posts) == 1


def test_a_worker_killed_mid_tick_leaves_only_the_variant_it_was_sending(
    mastodon, mastodon_account, no_time_rules
):
    variants = [make_variant(mastodon_account, f"Winter window, part {n}") for n in range(5)]
    mastodon.hold.set()
    connection.close()
    worker = multiprocessing.get_context("fork").Process(target=_tick)
    worker.start()
    deadline = time.monotonic() + 20
    while not mastodon.statuses and time.monotonic() < deadline:
        time.sleep(0.02)
    assert mastodon.statuses, "the worker never reached the network"
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(10)
    mastodon.release.set()

    states = dict(Variant.objects.values_list("pk", "state"))
    assert states[variants[0].pk] == State.PUBLISHING
    # The rest were never claimed: the next tick publishes them now, not after the lease.
    assert [states[v.pk] for v in variants[1:]] == [State.SCHEDULED] * 4
    mastodon.hold.clear()
    assert sorted(do_publish_due(NOW).published) == [v.pk for v in variants[1:]]
