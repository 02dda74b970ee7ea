"""Workers ticking at the same time never publish a variant twice (run on SQLite, and on
PostgreSQL with DATABASE_URL set)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db(transaction=True)

VARIANTS = 40
WORKERS = 4


def test_workers_ticking_together_publish_every_variant_exactly_once(
    mastodon, mastodon_account, no_time_rules
):
    for number in range(VARIANTS):
        make_variant(mastodon_account, f"Winter window, part {number}")
    start = threading.Barrier(WORKERS)
    won: list[list[int]] = [[] for _ in range(WORKERS)]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            start.wait()
            while report := do_publish_due(NOW, limit=5):
                if not report.published:
                    break
                won[index].extend(report.published)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    sent = Counter(post["key"] for post in mastodon.posts)
    assert len(sent) == VARIANTS and set(sent.values()) == {1}  # one POST per variant
    assert sorted(pk for pks in won for pk in pks) == sorted(
        Variant.objects.values_list("pk", flat=True)
    )
    assert set(Variant.objects.values_list("state", flat=True)) == {State.PUBLISHED}
    assert sum(1 for pks in won if pks) > 1  # the work was shared, not done by one
