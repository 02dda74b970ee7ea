"""The claim: one statement takes the earliest due variant; workers claiming at once never
take the same one (run on SQLite, and on PostgreSQL with DATABASE_URL set)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from harken.publishing.engine import claim_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 4


def test_workers_claiming_at_once_never_take_the_same_variant(mastodon_account):
    due = [
        make_variant(mastodon_account, f"Part {n}", at=NOW - timedelta(seconds=n))
        for n in range(24)
    ]
    later = make_variant(mastodon_account, "Later", at=NOW + timedelta(seconds=1))
    backing_off = make_variant(
        mastodon_account, "Backing off", next_attempt_at=NOW + timedelta(minutes=1)
    )
    start = threading.Barrier(WORKERS)
    taken: list[list[int]] = [[] for _ in range(WORKERS)]

    def worker(index: int) -> None:
        try:
            start.wait()
            while claimed := claim_due(NOW, 2):
                taken[index].extend(v.pk for v in claimed)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    every = [pk for pks in taken for pk in pks]
    assert sorted(every) == sorted(v.pk for v in due)  # each once, none missed
    states = dict(Variant.objects.values_list("pk", "state"))
    assert {states[v.pk] for v in due} == {State.PUBLISHING}
    assert (states[later.pk], states[backing_off.pk]) == (State.SCHEDULED, State.SCHEDULED)


def test_the_earliest_due_variant_is_claimed_first_and_counted_as_a_try(mastodon_account):
    second = make_variant(mastodon_account, "Second", at=NOW - timedelta(seconds=1))
    first = make_variant(mastodon_account, "First", at=NOW - timedelta(seconds=2), attempts=2)
    (claimed,) = claim_due(NOW, 1)
    assert claimed.pk == first.pk
    assert (claimed.state, claimed.claimed_at, claimed.attempts) == (State.PUBLISHING, NOW, 3)
    assert [v.pk for v in claim_due(NOW, 5)] == [second.pk]
    assert claim_due(NOW, 5) == []
