"""Another workspace's post, image and draft feed are a 404 on every composer route that
takes a primary key, and nothing of theirs changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.networks.models import Account
from harken.publishing.models import DraftFeed, Media, Post, Variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(other_workspace):
    account = Account.objects.create(workspace=other_workspace, network="x", handle="@rival")
    post = Post.objects.create(workspace=other_workspace, text="Their post")
    Variant.objects.create(workspace=other_workspace, post=post, account=account, text="Theirs")
    media = Media.objects.create(
        workspace=other_workspace,
        file="media/x.png",
        content_type="image/png",
        size=1,
        width=1,
        height=1,
    )
    feed = DraftFeed.objects.create(workspace=other_workspace, url="https://rival.example/feed")
    return post, media, feed


def test_another_workspaces_post_cannot_be_opened_or_changed(alice_client, theirs):
    post, _, _ = theirs
    url = reverse("compose_edit", args=[post.pk])
    assert alice_client.get(url).status_code == 404
    assert alice_client.post(url, {"text": "Mine now", "action": "draft"}).status_code == 404
    assert Variant.objects.get(post=post).text == "Theirs"


def test_another_workspaces_image_is_a_404(alice_client, theirs):
    _, media, _ = theirs
    assert alice_client.get(reverse("compose_media", args=[media.pk])).status_code == 404


def test_another_workspaces_draft_feed_cannot_be_read_or_removed(alice_client, theirs):
    _, _, feed = theirs
    assert alice_client.post(reverse("compose_feed_read", args=[feed.pk])).status_code == 404
    assert alice_client.post(reverse("compose_feed_delete", args=[feed.pk])).status_code == 404
    assert DraftFeed.objects.filter(pk=feed.pk, last_checked__isnull=True).exists()
