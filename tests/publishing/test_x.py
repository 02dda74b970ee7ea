"""Publishing to X through the tick, against X's recorded answer (tweepy's cassette)."""

from __future__ import annotations

import json

import pytest

from harken.networks.models import Account
from harken.publishing.engine import do_publish_due
from harken.publishing.states import State
from tests.networks.recorded import recorded, replay
from tests.networks.test_x import USER_CONFIG
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def x_account(workspace):
    return Account.objects.create(
        workspace=workspace, network="x", handle="Twitter", config={**USER_CONFIG}
    )


def test_a_due_variant_is_posted_on_x_and_keeps_xs_id(x_account):
    variant = make_variant(x_account, "Our winter window is open")
    with replay(recorded("x-tweepy", "test_client_create_and_delete_tweet.yaml")) as (sent, _):
        report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.published == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "1456012973835788293")
    assert variant.url == "https://x.com/Twitter/status/1456012973835788293"
    assert [json.loads(request.body) for request in sent] == [{"text": "Our winter window is open"}]
