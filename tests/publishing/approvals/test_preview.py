"""The reviewer's preview: thread parts as the engine splits them, the first comment, and
images served to the link's holder only."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from harken.publishing.approvals import review
from harken.publishing.models import Media, ReviewLink
from harken.publishing.states import State
from tests.publishing.approvals.conftest import make_post, member

pytestmark = pytest.mark.django_db

LONG = " ".join(f"Sentence {n} about the winter collection and its stones." for n in range(12))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(workspace) -> Media:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 10)).save(out, "PNG")
    media = Media(
        workspace=workspace,
        content_type="image/png",
        size=len(out.getvalue()),
        width=40,
        height=30,
        alt_text='A ring "on" <slate>',
    )
    media.file.save("ring.png", ContentFile(out.getvalue()), save=True)
    return media


@pytest.fixture
def shared(bob, mia, accounts):
    post = make_post(bob, accounts[1:], [LONG], state=State.AWAITING_APPROVAL)  # Bluesky, 300
    variant = post.variants.get()
    variant.thread, variant.first_comment = True, "Shop <now>: harbor.example/winter"
    variant.save()
    image = png(post.workspace)
    variant.media.add(image)
    _, token = review.do_create_link(post, member(mia))
    return post, image, token


def test_the_client_sees_each_thread_part_the_comment_and_the_image(shared):
    post, image, token = shared
    body = Client().get(f"/review/{token}/").content.decode()
    assert body.count("then, as a reply:") >= 1  # 12 long sentences do not fit 300 graphemes
    assert "1/" in body  # numbered parts
    assert "Shop &lt;now&gt;: harbor.example/winter" in body
    assert f'src="/review/{token}/media/{image.pk}/"' in body
    assert 'alt="A ring &quot;on&quot; &lt;slate&gt;"' in body
    served = Client().get(f"/review/{token}/media/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_an_image_of_another_post_or_a_closed_link_is_not_served(shared, bob, accounts, mia):
    post, image, token = shared
    other = png(post.workspace)  # the workspace's, but not on this post
    assert Client().get(f"/review/{token}/media/{other.pk}/").status_code == 404
    ReviewLink.objects.update(revoked="2026-01-01T00:00:00Z")
    assert Client().get(f"/review/{token}/media/{image.pk}/").status_code == 404


def test_the_post_page_shows_the_same_preview(shared, mia_client):
    post, image, _ = shared
    body = mia_client.get(f"/calendar/approvals/posts/{post.pk}/").content.decode()
    assert "then, as a reply:" in body and "Shop &lt;now&gt;" in body
    assert f'src="/calendar/compose/media/{image.pk}/"' in body


def test_the_client_sees_a_reddit_posts_title_and_subreddit_escaped(workspace, bob, mia):
    from harken.networks.models import Account

    reddit = Account.objects.create(workspace=workspace, network="reddit", handle="u/harbor")
    post = make_post(bob, [reddit], ["Open until 8 tonight."], state=State.AWAITING_APPROVAL)
    post.variants.update(post_options={"title": "Late <b>hours</b>", "subreddit": "r/jewelry"})
    _, token = review.do_create_link(post, member(mia))
    body = Client().get(f"/review/{token}/").content.decode()
    assert "<dt>Title</dt><dd>Late &lt;b&gt;hours&lt;/b&gt;</dd>" in body
    assert "<dt>Subreddit</dt><dd>r/jewelry</dd>" in body
