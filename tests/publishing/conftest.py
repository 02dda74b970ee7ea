"""Accounts on local networks and variants to publish to them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harken.networks.models import Account
from harken.publishing.models import Post, Variant
from harken.publishing.states import State
from tests.publishing.mastodon_server import ACCOUNT_ID, MastodonServer

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture
def mastodon(loopback, monkeypatch):
    # The connector's retries back off for real seconds; the tests do not wait them.
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    with MastodonServer() as server:
        yield server


def mastodon_config(base: str) -> dict:
    return {
        "instance": base,
        "access_token": "token",
        "account_id": ACCOUNT_ID,
        "version": "4.6.4",
        "limits": {
            "max_chars": 500,
            "url_chars": 23,
            "checked": datetime.now(UTC).isoformat(),
        },
    }


@pytest.fixture
def mastodon_account(workspace, mastodon) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@127.0.0.1",
        config=mastodon_config(mastodon.base),
    )


def make_variant(
    account: Account,
    text: str = "Our winter collection is in the window today.",
    *,
    state: State = State.SCHEDULED,
    at: datetime = NOW,
    **fields,
) -> Variant:
    post = Post.objects.create(workspace=account.workspace, persona="Gift buyers")
    return Variant.objects.create(
        workspace=account.workspace,
        post=post,
        account=account,
        text=text,
        state=state,
        scheduled_at=at,
        **fields,
    )


@pytest.fixture
def pds(loopback, monkeypatch):
    from tests.publishing.bluesky_pds import BlueskyPds

    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    with BlueskyPds() as server:
        yield server


@pytest.fixture
def bluesky_account(workspace, pds) -> Account:
    from tests.publishing.bluesky_pds import HANDLE

    return Account.objects.create(
        workspace=workspace,
        network="bluesky",
        handle=HANDLE,
        config={"handle": HANDLE, "app_password": "xxxx-xxxx-xxxx-xxxx", "service": pds.url},
    )


@pytest.fixture
def no_time_rules(workspace):
    """A burst of posts on one account at one time, as a load test makes: the guidelines
    about gaps, daily caps and repeats are turned off for the workspace."""
    from harken.publishing.models import Guidelines

    return Guidelines.objects.create(
        workspace=workspace, rules={"min_gap_minutes": 0, "daily_cap": 0, "duplicate_days": 0}
    )
