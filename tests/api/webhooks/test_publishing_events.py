"""post.published and post.failed, from the publishing tick through the real Mastodon
connector: a local Mastodon that publishes, and a server that has no Mastodon API."""

from __future__ import annotations

import pytest

from harken.api.webhooks import delivery
from harken.networks.models import Account
from harken.publishing.engine import MAX_ATTEMPTS, do_publish_due
from tests.api.webhooks.conftest import make_endpoint
from tests.publishing.conftest import NOW, make_variant, mastodon_config
from tests.publishing.mastodon_server import MastodonServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(loopback, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    with MastodonServer() as running:
        yield running


def account_on(workspace, base: str, handle: str) -> Account:
    return Account.objects.create(
        workspace=workspace, network="mastodon", handle=handle, config=mastodon_config(base)
    )


def test_published_and_failed_posts_are_announced(workspace, receiver, network, server):
    make_endpoint(workspace, receiver, ["post.published", "post.failed"])
    published = make_variant(account_on(workspace, network.base, "@harbor@127.0.0.1"))
    # Its last try: a server with no Mastodon API at all fails it for good.
    gone = account_on(workspace, server.base, "@gone@127.0.0.1")
    broken = make_variant(gone, text="Sale!", attempts=MAX_ATTEMPTS - 1)
    report = do_publish_due(NOW)
    assert report.published == [published.pk] and report.failed == [broken.pk]
    delivery.do_deliver_due()
    sent = {p["type"]: p["data"] for p in receiver.events.values()}
    assert set(sent) == {"post.published", "post.failed"}
    assert sent["post.published"]["id"] == published.pk
    assert sent["post.published"]["url"] == network.statuses[0]["url"]
    assert sent["post.failed"]["id"] == broken.pk and sent["post.failed"]["error"]
