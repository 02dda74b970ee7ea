"""A feed whose host name does not resolve, against the machine's real resolver (no name
under .invalid exists, RFC 6761): refused when it is added, retried with backoff once saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from harken.listening.feeds import check_feed_url
from harken.listening.models import Source
from harken.listening.polling import poll_source
from harken.networks.models import Account

pytestmark = pytest.mark.django_db

GONE = "http://feeds.harbor-street.invalid/rss"


@pytest.fixture(autouse=True)
def resolver_answers():
    from harken.lib.urlguard import HostNotFound, resolve

    try:
        resolve("feeds.harbor-street.invalid", 80)
    except HostNotFound as exc:
        if exc.temporary:
            pytest.skip(f"no resolver answers here: {exc}")


def test_adding_a_feed_whose_name_does_not_resolve_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as caught:
        check_feed_url(GONE)
    assert caught.value.messages == [
        "The host feeds.harbor-street.invalid cannot be found: no DNS record has that name. "
        "Check the address."
    ]


def test_a_saved_feed_whose_name_vanished_shows_it_and_backs_off(workspace):
    source = Source.objects.create(
        workspace=workspace, name="Gone", kind="feed", network="feed", url=GONE, poll_interval=300
    )
    before = timezone.now()
    assert poll_source(source.pk).state == "failed"
    source.refresh_from_db()
    assert "feeds.harbor-street.invalid cannot be found" in source.last_error
    assert source.failures == 1
    # Backed off like any passing failure (at most the interval, less jitter), not parked
    # for a day (PERMANENT_WAIT) like a permanent one: the domain may come back.
    assert before + timedelta(seconds=140) <= source.next_poll <= before + timedelta(seconds=301)


def test_a_vanished_name_does_not_ask_for_the_account_to_be_reconnected(workspace):
    account = Account.objects.create(
        workspace=workspace, network="feed", handle="blog", config={"url": GONE}
    )
    source = Source.objects.create(
        workspace=workspace, name="Blog", kind="account", network="feed", account=account
    )
    poll_source(source.pk)
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE
