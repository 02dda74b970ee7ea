"""Accounts on three networks for the composer's tests (no network is called to compose)."""

from __future__ import annotations

import pytest

from harken.networks.models import Account


@pytest.fixture
def x_account(workspace) -> Account:
    return Account.objects.create(workspace=workspace, network="x", handle="@harborjewel")


@pytest.fixture
def sky_account(workspace) -> Account:
    return Account.objects.create(
        workspace=workspace, network="bluesky", handle="harbor.bsky.social"
    )


@pytest.fixture
def masto_account(workspace) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@example.social",
        config={
            "instance": "https://example.social",
            "limits": {"max_chars": 1000, "url_chars": 23},
        },
    )
