"""A post with variants on two accounts, its author a responder whose posts need approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from harken.core.models import Member, Role
from harken.networks.models import Account
from harken.publishing.models import Post, Variant
from harken.publishing.states import State
from tests.conftest import _person, client_for
from tests.publishing.conftest import mastodon_config


@pytest.fixture
def mia(workspace):
    """Mia is a manager: she approves."""
    return _person("mia", workspace, Role.MANAGER)


@pytest.fixture
def mia_client(mia):
    return client_for(mia)


def member(user) -> Member:
    return Member.objects.select_related("workspace", "user").get(user=user)


@pytest.fixture
def accounts(workspace) -> list[Account]:
    # Nothing is published in these tests: the accounts only need their networks' limits.
    return [
        Account.objects.create(
            workspace=workspace,
            network="mastodon",
            handle="@harbor@shop.example",
            config=mastodon_config("https://shop.example"),
        ),
        Account.objects.create(
            workspace=workspace,
            network="bluesky",
            handle="harbor.example",
            config={"handle": "harbor.example"},
        ),
    ]


def make_post(
    author,
    accounts: list[Account],
    texts: list[str] | None = None,
    *,
    state: State = State.DRAFT,
    at=None,
) -> Post:
    writer = member(author) if author is not None else None
    workspace = accounts[0].workspace
    post = Post.objects.create(workspace=workspace, persona="Gift buyers", author=writer)
    at = at or timezone.now() + timedelta(days=1)
    texts = texts or [f"Winter rings are in the window, part {i}." for i in range(len(accounts))]
    for i, (account, text) in enumerate(zip(accounts, texts, strict=True)):
        Variant.objects.create(
            workspace=workspace,
            post=post,
            account=account,
            text=text,
            state=state,
            scheduled_at=at + timedelta(hours=i),
        )
    return post


def states(post: Post) -> list[str]:
    return list(post.variants.order_by("pk").values_list("state", flat=True))
