"""A source changed or deleted while a worker is reading it: the worker neither crashes
nor brings the old state back. Real connectors, against a local feed server and recorded
Mastodon traffic; the "worker" is ``claim`` then ``poll_claimed``, as ``poll_source`` runs."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from harken.listening.models import Mention, Source
from harken.listening.polling import claim, poll_claimed, record_failure, record_success
from harken.listening.sources import do_delete_source, do_edit_source
from harken.networks.base import ConnectorError
from harken.networks.models import Account
from tests.lib.localserver import Reply
from tests.listening.test_polling import feed, rss
from tests.networks.recorded import recorded, replay

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback")]


def test_a_source_deleted_while_a_worker_reads_it_stays_deleted(workspace, alice, server):
    server.route("/feed", Reply(200, rss(1, 2), {"ETag": '"v1"'}))
    source = feed(workspace, server)
    now = timezone.now()
    held = claim(source.pk, now)
    do_delete_source(Source.objects.get(pk=source.pk), alice)
    outcome = poll_claimed(held, now)
    assert outcome.state == "gone"
    assert len(server.hits("/feed")) == 1  # it was read, and nothing was stored for it
    assert not Source.objects.exists()
    assert not Mention.objects.exists()


def test_recording_the_health_of_a_deleted_source_brings_nothing_back(workspace, server):
    source = feed(workspace, server)
    now = timezone.now()
    Source.objects.filter(pk=source.pk).delete()
    assert record_success(source, now) is False
    assert record_failure(source, ConnectorError("HTTP 503"), now) is False
    assert not Source.objects.exists()


def test_a_deleted_sources_mentions_stay_and_it_is_never_polled_again(workspace, alice, server):
    server.route("/feed", Reply(200, rss(1, 2)))
    source = feed(workspace, server)
    assert poll_claimed(claim(source.pk, timezone.now()), timezone.now()).stored == 2
    do_delete_source(source, alice)
    assert Mention.objects.filter(source__isnull=True).count() == 2
    assert claim(source.pk, timezone.now() + timedelta(days=1), force=True) is None


INSTANCE = "http://localhost:3000"
HOOT_NEWEST = "117020593741189701"  # the newest status in the recorded #hoot timeline


@pytest.fixture
def hoot_search(workspace):
    account = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@admin@localhost:3000",
        config={
            "instance": INSTANCE,
            "access_token": "token",
            "account_id": "117020565693913441",
            "version": "4.6.4",
        },
    )
    return Source.objects.create(
        workspace=workspace,
        name="Mastodon search: #hoot",
        kind=Source.Kind.SEARCH,
        network="mastodon",
        account=account,
        query="#hoot",
    )


def read_hoot(source: Source):
    now = timezone.now()
    with replay(recorded("mastodon", "test_hashtag_tl.yaml")):
        return poll_claimed(source, now)


def test_an_unchanged_search_keeps_the_cursor_it_read_to(hoot_search):
    outcome = read_hoot(claim(hoot_search.pk, timezone.now()))
    assert (outcome.state, outcome.stored) == ("stored", 1)
    hoot_search.refresh_from_db()
    assert json.loads(hoot_search.cursor) == {"newest": HOOT_NEWEST}


def test_a_query_changed_while_the_old_one_is_read_starts_from_a_blank_cursor(hoot_search, alice):
    held = claim(hoot_search.pk, timezone.now())  # a worker reads "#hoot" …
    do_edit_source(Source.objects.get(pk=hoot_search.pk), alice, query="#harbor", interval=300)
    outcome = read_hoot(held)  # … and stores its page and cursor after the edit
    assert outcome.state == "stored"
    hoot_search.refresh_from_db()
    assert hoot_search.query == "#harbor"
    assert hoot_search.cursor == ""  # not the old query's "newer than" point
