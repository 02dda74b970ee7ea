"""A jewelry store in New York with two accounts, and posts planned on them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from harken.networks.models import Account
from harken.publishing.models import Post, Variant
from harken.publishing.states import State
from tests.publishing.conftest import mastodon_config


@pytest.fixture
def workspace(workspace):
    workspace.time_zone = "America/New_York"
    workspace.save(update_fields=["time_zone"])
    return workspace


@pytest.fixture
def shop(workspace) -> Account:
    """A Mastodon account whose server allows 500 characters (never called here)."""
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@jewelers.example",
        config=mastodon_config("https://jewelers.example"),
    )


@pytest.fixture
def sky(workspace) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="bluesky",
        handle="harbor.bsky.social",
        config={
            "handle": "harbor.bsky.social",
            "app_password": "x",
            "service": "https://b.example",
        },
    )


def plan(
    account: Account,
    at: datetime,
    text: str = "Our winter collection is in the window today.",
    state: State = State.SCHEDULED,
    post: dict | None = None,
    **fields,
) -> Variant:
    """A variant of a new post (``post`` holds the post's fields, ``fields`` the variant's)."""
    made = Post.objects.create(workspace=account.workspace, **(post or {}))
    return Variant.objects.create(
        workspace=account.workspace,
        post=made,
        account=account,
        text=text,
        state=state,
        scheduled_at=at,
        **fields,
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)
