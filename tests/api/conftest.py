"""Tokens for every role of Harbor Street Jewelers (Alice owner, Mia manager, Bob
responder, Victor viewer), Charlie's token of Rival Rings, and a little of each resource
to act on. The inbox's local Mastodon (recorded real replies) answers our replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from harken.api.models import ALL_SCOPES
from harken.api.tokens import do_create_token
from harken.contacts.models import Contact, Identity
from harken.core.models import Member, Role
from harken.listening.models import Source, Topic
from harken.networks.models import Account
from harken.publishing.models import Campaign, Click, Link, Post, Variant
from harken.publishing.states import State
from tests.conftest import _person
from tests.inbox.conftest import account, conversation, make_conversation, mastodon  # noqa: F401

READ_ONLY = [s for s in ALL_SCOPES if s.endswith(":read")]


@dataclass
class Api:
    """A client that sends one token."""

    client: Client
    secret: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, path: str, **params: object):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers())

    def post(self, path: str, body: object = None, **extra: object):
        return self.client.post(
            f"/api/v1{path}",
            body if body is not None else {},
            content_type="application/json",
            headers=self._headers(),
            **extra,
        )

    def patch(self, path: str, body: object):
        return self.client.patch(
            f"/api/v1{path}", body, content_type="application/json", headers=self._headers()
        )

    def delete(self, path: str):
        return self.client.delete(f"/api/v1{path}", headers=self._headers())


def token_for(user, workspace, scopes: list[str] | None = None) -> Api:
    member = Member.objects.get(user=user, workspace=workspace)
    made = do_create_token(member, f"{user.username}'s script", scopes or list(ALL_SCOPES))
    return Api(Client(), made.secret)


@pytest.fixture
def mia(workspace):
    return _person("mia", workspace, Role.MANAGER)


@pytest.fixture
def tokens(workspace, other_workspace, alice, mia, bob, victor, charlie) -> dict[str, Api]:
    return {
        "owner": token_for(alice, workspace),
        "manager": token_for(mia, workspace),
        "responder": token_for(bob, workspace),
        "viewer": token_for(victor, workspace),
        "outsider": token_for(charlie, other_workspace),
        "read_only": token_for(alice, workspace, READ_ONLY),
    }


@dataclass
class Rows:
    topic: Topic
    source: Source
    conversation: object
    contact: Contact
    draft: Post
    waiting: Post
    account: Account
    campaign: Campaign


def make_post(workspace, on: Account, state: str, text: str, days: int = 2) -> Post:
    post = Post.objects.create(workspace=workspace, text=text)
    Variant.objects.create(
        workspace=workspace,
        post=post,
        account=on,
        text=text,
        state=state,
        scheduled_at=timezone.now() + timedelta(days=days),
    )
    return post


@pytest.fixture
def rows(workspace, account, conversation, mastodon) -> Rows:  # noqa: F811
    topic = Topic.objects.create(workspace=workspace, name="Rings", query="ring OR rings")
    # A feed on the local server: polling it reads a 404 there, never the internet.
    source = Source.objects.create(
        workspace=workspace,
        name="Ring blog",
        kind=Source.Kind.FEED,
        network="feed",
        url=f"{mastodon.base}/feed.xml",
    )
    conversation.mentions.first().topics.add(topic)
    contact = Contact.objects.create(workspace=workspace, name="Maya", emails=["maya@example.com"])
    Identity.objects.create(workspace=workspace, contact=contact, network="mastodon", handle="maya")
    draft = make_post(workspace, account, State.DRAFT, "Our opal week starts Monday.")
    waiting = make_post(
        workspace, account, State.AWAITING_APPROVAL, "New bridal sets are in.", days=3
    )
    campaign = make_campaign(workspace)
    return Rows(topic, source, conversation, contact, draft, waiting, account, campaign)


def make_campaign(workspace, name: str = "Opal week") -> Campaign:
    """A campaign pledging $1 a unique click up to $10, with one link and three clicks of
    a day (a person's first, the same person's repeat, a bot's preview)."""
    campaign = Campaign.objects.create(
        workspace=workspace,
        name=name,
        slug=name.lower().replace(" ", "-"),
        pledge_cents=100,
        cap_cents=1000,
        pledged_cents=100,
    )
    link = Link.objects.create(
        workspace=workspace,
        destination="https://shop.example.com/opal",
        network="mastodon",
        campaign=campaign,
        utm={"utm_source": "mastodon", "utm_campaign": campaign.slug},
    )
    at = timezone.now()
    for unique, bot, address in ((True, False, "a"), (False, False, "a"), (False, True, "")):
        Click.objects.create(
            workspace=workspace,
            link=link,
            at=at,
            day=at.date(),
            network="mastodon",
            referrer="mastodon.social",
            is_bot=bot,
            ip_hash=address,
            unique_of_day=unique,
            pledged=unique,
        )
    return campaign
