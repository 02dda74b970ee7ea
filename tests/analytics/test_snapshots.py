"""The daily follower count, asked of a Mastodon on 127.0.0.1 that answers with the
recorded verify_credentials body (Mastodon.py's cassette), its count set to a known one."""

from __future__ import annotations

import json

import pytest

from harken.analytics.models import AccountSnapshot
from harken.analytics.snapshots import snapshot, snapshot_all
from harken.networks.models import Account
from tests.inbox.conftest import JSON, recorded_bodies
from tests.lib.localserver import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(workspace, server, loopback):
    me = json.loads(
        recorded_bodies(
            "test_verify_credentials.yaml", "GET", "/api/v1/accounts/verify_credentials"
        )[0]
    )
    me.update(followers_count=1_234, following_count=56, statuses_count=789)
    instance = recorded_bodies("test_hashtag_tl.yaml", "GET", "/api/v2/instance/")[0]
    server.route("/api/v1/accounts/verify_credentials", Reply(200, json.dumps(me), JSON))
    server.route("/api/v2/instance/", Reply(200, instance, JSON))
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@mastodonpy_test@localhost",
        config={"instance": server.base, "access_token": "token", "version": "4.6.4"},
    )


def test_a_connected_account_is_counted_once_a_day(counted):
    row = snapshot(counted)
    assert (row.followers, row.following, row.posts) == (1_234, 56, 789)
    assert snapshot_all() == 1  # again the same day: the day's row is updated, not doubled
    assert AccountSnapshot.objects.filter(account=counted).count() == 1


def test_a_network_that_fails_leaves_no_row(workspace, server, loopback):
    server.route("/api/v1/accounts/verify_credentials", Reply(401, '{"error":"revoked"}', JSON))
    account = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@gone@localhost",
        config={"instance": server.base, "access_token": "revoked", "version": "4.6.4"},
    )
    assert snapshot(account) is None
    assert not AccountSnapshot.objects.exists()
