"""A post serves a campaign: chosen in the composer, its tracked links carry the campaign
(``utm_campaign`` is the campaign's slug, not "harken"), and the campaign's page lists it."""

from __future__ import annotations

import pytest

from harken.networks.models import Account
from harken.publishing.models import Campaign, Link, Post

pytestmark = pytest.mark.django_db

COMPOSE = "/calendar/compose/"
HOSTILE = '<script>alert("x")</script> rings https://harbor.example/rings'


@pytest.fixture
def x_account(workspace) -> Account:
    return Account.objects.create(workspace=workspace, network="x", handle="@harborjewel")


def composed(account: Account, campaign: Campaign | None, text: str = HOSTILE) -> dict:
    return {
        "accounts": [str(account.pk)],
        "text": text,
        "stage": "awareness",
        "category": "promotion",
        "action": "draft",
        "campaign": str(campaign.pk) if campaign else "",
    }


def test_a_posts_links_carry_its_campaign(alice_client, x_account, campaign):
    alice_client.post(COMPOSE, composed(x_account, campaign))
    post = Post.objects.get()
    link = Link.objects.get(post=post)
    assert post.campaign == campaign and link.campaign == campaign
    assert link.utm["utm_campaign"] == "rings-for-a-reason"
    page = alice_client.get(f"{COMPOSE}{post.pk}/").content.decode()
    assert f'<option value="{campaign.pk}" selected>Rings for a Reason</option>' in page


def test_without_a_campaign_the_links_say_harken(alice_client, x_account, campaign):
    alice_client.post(COMPOSE, composed(x_account, None))
    assert Post.objects.get().campaign is None
    assert Link.objects.get().utm["utm_campaign"] == "harken"


def test_another_workspaces_campaign_is_refused_and_nothing_is_saved(
    alice_client, x_account, other_workspace
):
    theirs = Campaign.objects.create(workspace=other_workspace, name="Rival", slug="rival")
    response = alice_client.post(COMPOSE, composed(x_account, theirs))
    assert response.status_code == 302 and response["Location"] == COMPOSE
    assert not Post.objects.exists() and not Link.objects.exists()


def test_the_campaign_page_lists_its_posts_escaped(alice_client, x_account, campaign):
    alice_client.post(COMPOSE, composed(x_account, campaign))
    alice_client.post(COMPOSE, composed(x_account, None, text="Not for the campaign"))
    html = alice_client.get(f"/calendar/campaigns/{campaign.pk}/").content.decode()
    post = Post.objects.get(campaign=campaign)
    assert f"/calendar/approvals/posts/{post.pk}/" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert "@harborjewel" in html and "Not for the campaign" not in html
