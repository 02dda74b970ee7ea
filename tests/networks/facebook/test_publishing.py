"""A Facebook Page through the publishing engine: a due variant is published once, a
publish cut short by a crash is found on the Page before anything is sent again, and a
post Meta refuses fails at once with the account kept. The Graph API is the local server
with recorded bodies; the refusal is Meta's documented error shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.states import State
from tests.networks.facebook.graph_local import body, error, path, query
from tests.publishing.conftest import NOW, make_variant

PAGE = "4"  # the Page whose recorded posts page_posts_fields_p1.json lists


@pytest.fixture
def page_account(workspace, alice, meta) -> Account:
    config = {"page_id": PAGE, "page_token": "page-token", "name": "Harbor Street Jewelers"}
    return save_connected(workspace, alice, "facebook", PAGE, "Harbor Street Jewelers", config)


def test_a_due_variant_is_published_once(page_account, meta):
    meta.route(path(PAGE, "feed"), body("feed_publish_response.json"))
    variant = make_variant(page_account, "Our winter collection is in the window today.")
    report = do_publish_due(NOW)
    assert report.published == [variant.pk]
    variant.refresh_from_db()
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "579612276_401071652276")
    (sent,) = meta.hits(path(PAGE, "feed"))
    assert query(sent)["message"] == "Our winter collection is in the window today."
    assert do_publish_due(NOW + timedelta(minutes=1)).published == []
    assert len(meta.hits(path(PAGE, "feed"))) == 1


def test_a_publish_cut_short_is_found_on_the_page_and_not_sent_again(page_account, meta):
    meta.route(path(PAGE, "posts"), body("page_posts_fields_p1.json"))
    claimed = datetime(2021, 7, 4, 19, 50, 30, tzinfo=UTC)  # the recorded post: 19:50:58
    variant = make_variant(
        page_account, "Happy July 4th! 🇺🇸", state=State.PUBLISHING, at=claimed, claimed_at=claimed
    )
    report = do_publish_due(claimed + LEASE + timedelta(seconds=1))
    assert report.reconciled == [variant.pk]
    variant.refresh_from_db()
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "4_10113477241177441")
    assert meta.hits(path(PAGE, "feed")) == []  # nothing was posted again


def test_a_post_meta_refuses_fails_at_once_and_keeps_the_account(page_account, meta):
    meta.route(path(PAGE, "feed"), error(100, "Invalid parameter", subcode=1487301))
    variant = make_variant(page_account)
    report = do_publish_due(NOW)
    assert report.failed == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.FAILED and "Facebook refused the post" in variant.error
    page_account.refresh_from_db()
    assert page_account.status == Account.Status.ACTIVE
    assert len(meta.hits(path(PAGE, "feed"))) == 1
