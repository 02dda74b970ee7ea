"""Clicks arriving together, as real requests in parallel against the live server, never
push a campaign's total over its cap, and one address is unique once a day however
fast it clicks. Runs on SQLite, and on PostgreSQL with DATABASE_URL set."""

from __future__ import annotations

import http.client
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest

from harken.publishing.models import Campaign, Click
from tests.publishing.links.conftest import BROWSER

pytestmark = pytest.mark.django_db(transaction=True)

CLICKERS = 32


def click_together(live_server, code: str, sources: list[str]) -> list[int]:
    """GET /l/<code> once from each source address (127.0.0.x: the whole block is this
    machine's), all threads released at once; the answers' status codes."""
    port = urlsplit(live_server.url).port
    # One request first, so the server has loaded its URLs before the crowd arrives:
    # otherwise the first requests queue on that import instead of racing each other.
    warm = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    warm.request("GET", "/l/warm-up")
    assert warm.getresponse().status == 404
    warm.close()
    start = threading.Barrier(len(sources))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def clicker(source: str) -> None:
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=60, source_address=(source, 0)
        )
        try:
            connection.connect()
            start.wait()
            connection.request("GET", f"/l/{code}", headers={"User-Agent": BROWSER})
            statuses.append(connection.getresponse().status)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=clicker, args=(s,)) for s in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert errors == []
    return statuses


def test_parallel_clicks_never_push_the_total_over_the_cap(live_server, link, campaign):
    sources = [f"127.0.0.{n + 2}" for n in range(CLICKERS)]

    statuses = click_together(live_server, link.code, sources)

    assert statuses == [302] * CLICKERS
    campaign.refresh_from_db()
    assert campaign.pledged_cents == campaign.cap_cents == 1000
    assert Click.objects.count() == CLICKERS  # clicks past the cap are still counted
    assert Click.objects.filter(unique_of_day=True).count() == CLICKERS
    assert Click.objects.filter(pledged=True).count() == 10
    assert campaign.cap_reached


def test_one_address_clicking_in_parallel_is_unique_once(live_server, link, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(cap_cents=100_000)

    statuses = click_together(live_server, link.code, ["127.0.0.9"] * 12)

    assert statuses == [302] * 12
    assert Counter(Click.objects.values_list("unique_of_day", flat=True)) == {True: 1, False: 11}
    assert Click.objects.filter(pledged=True).count() == 1
    campaign.refresh_from_db()
    assert campaign.pledged_cents == 100
