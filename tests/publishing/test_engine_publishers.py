"""A worker's run publishes with several threads side by side (``run_ticks(publishers=…)``):
each variant still goes out once, and a worker killed mid-run leaves one variant per
thread in publishing, no more (run on SQLite, and on PostgreSQL with DATABASE_URL set)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from harken.publishing.engine import run_ticks
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.conftest import make_variant

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The server runs in a thread of this process; the forked worker only ticks.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]

PUBLISHERS = 3


def _due_now(account, count: int) -> list[Variant]:  # noqa: ANN001
    due = timezone.now() - timedelta(seconds=1)
    return [make_variant(account, f"Winter window, part {n}", at=due) for n in range(count)]


def test_publishers_side_by_side_send_each_variant_once(mastodon, mastodon_account, no_time_rules):
    variants = _due_now(mastodon_account, 12)
    report = run_ticks(1, 0, limit=2, publishers=PUBLISHERS)
    assert sorted(report.published) == sorted(v.pk for v in variants)
    sent = Counter(post["key"] for post in mastodon.posts)
    assert len(sent) == len(variants) and set(sent.values()) == {1}
    assert set(Variant.objects.values_list("state", flat=True)) == {State.PUBLISHED}


def _run() -> None:
    connection.close()  # the parent's connection is not the child's to use
    run_ticks(1, 0, publishers=PUBLISHERS)


def test_a_worker_killed_mid_run_leaves_one_variant_per_publisher(
    mastodon, mastodon_account, no_time_rules
):
    variants = _due_now(mastodon_account, 6)
    mastodon.hold.set()
    connection.close()
    worker = multiprocessing.get_context("fork").Process(target=_run)
    worker.start()
    deadline = time.monotonic() + 20
    while len(mastodon.statuses) < PUBLISHERS and time.monotonic() < deadline:
        time.sleep(0.02)
    # The publishers were all waiting on the network at once.
    assert len(mastodon.statuses) == PUBLISHERS
    os.kill(worker.pid, signal.SIGKILL)
    worker.join(10)
    mastodon.release.set()

    states = Counter(Variant.objects.filter(pk__in=[v.pk for v in variants]).values_list("state"))
    assert states == {(State.PUBLISHING,): PUBLISHERS, (State.SCHEDULED,): 3}
