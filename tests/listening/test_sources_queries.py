"""The Sources page's cost: a fixed number of queries however many sources there are, and
each source's "last 24 h" counted from the (source, ingested) index, not by joining and
grouping every mention (0.2–0.9 s at 50,000 mentions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.sql.query import Query
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from harken.networks.models import Account
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

URL = reverse("source_list")


def _source(workspace, number: int, **fields) -> Source:
    values = {
        "workspace": workspace,
        "name": f"Feed {number}",
        "kind": Source.Kind.FEED,
        "network": "feed",
        "url": f"https://news{number}.example/feed",
    }
    return Source.objects.create(**{**values, **fields})


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL)
    assert response.status_code == 200
    return len(captured)


def test_the_page_asks_as_many_queries_for_seven_sources_as_for_one(
    alice_client, workspace, django_assert_num_queries
):
    first = _source(workspace, 0)
    ingest(first, [item("a"), item("b")])
    baseline = _queries(alice_client)
    for number in range(1, 4):
        source = _source(workspace, number)
        ingest(source, [item(f"{number}-{n}") for n in range(3)])
    for number in range(4, 7):  # searches through an account: its status is on the row
        account = Account.objects.create(
            workspace=workspace, network="bluesky", handle=f"brand{number}.example"
        )
        _source(workspace, number, kind=Source.Kind.SEARCH, network="bluesky", account=account)
    with django_assert_num_queries(baseline):
        response = alice_client.get(URL)
    assert len(response.context["sources"]) == 7


def test_each_source_counts_its_own_mentions_of_the_last_day(
    alice_client, workspace, other_workspace
):
    busy, quiet, idle = (_source(workspace, n) for n in range(3))
    ingest(busy, [item(f"busy-{n}") for n in range(4)])
    ingest(quiet, [item("quiet-new"), item("quiet-old")])
    Mention.objects.filter(external_id="quiet-old").update(
        ingested=timezone.now() - timedelta(days=1, minutes=1)
    )
    elsewhere = _source(other_workspace, 9)
    ingest(elsewhere, [item(f"elsewhere-{n}") for n in range(5)])
    response = alice_client.get(URL)
    counts = {s.name: s.items_24h for s in response.context["sources"]}
    assert counts == {"Feed 0": 4, "Feed 1": 1, "Feed 2": 0}  # 0, not None, for none
    # The row redrawn after a toggle counts the same way.
    row = alice_client.post(reverse("source_toggle", args=[busy.pk]))
    assert "4 items" in row.content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan is stable to read")
def test_the_last_day_is_counted_from_the_index_alone(rf, alice, workspace):
    from harken.listening.views.sources import sources_with_health

    _source(workspace, 0)
    request = rf.get(URL)
    request.user, request.workspace = alice, workspace
    query: Query = sources_with_health(request).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "COVERING INDEX mention_source_ingested" in plan, plan
    assert "GROUP BY" not in plan, plan
