"""A client's review link shows its own post's images and nothing else: another post's
image, and another workspace's, are a 404 through it."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from harken.networks.models import Account
from harken.publishing.approvals import review
from harken.publishing.models import Media
from harken.publishing.states import State
from tests.publishing.approvals.conftest import make_post, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image_of(post) -> Media:
    """An image attached to every variant of ``post``."""
    media = Media(workspace=post.workspace, content_type="image/png", size=4, width=1, height=1)
    media.file.save("ring.png", ContentFile(b"\x89PNG"), save=False)
    media.save()
    for variant in post.variants.all():
        variant.media.add(media)
    return media


def test_a_review_link_serves_only_its_own_posts_images(client, bob, mia, accounts, charlie):
    waiting = make_post(bob, accounts, state=State.AWAITING_APPROVAL)
    _, token = review.do_create_link(waiting, member(mia))
    ours = image_of(waiting)
    other_post = image_of(make_post(bob, accounts[:1], state=State.AWAITING_APPROVAL))
    rival = Account.objects.create(workspace=member(charlie).workspace, network="x", handle="@r")
    theirs = image_of(make_post(charlie, [rival], state=State.AWAITING_APPROVAL))

    def fetch(media: Media) -> int:
        return client.get(reverse("publishing_review_media", args=[token, media.pk])).status_code

    assert fetch(ours) == 200
    assert fetch(other_post) == 404
    assert fetch(theirs) == 404
