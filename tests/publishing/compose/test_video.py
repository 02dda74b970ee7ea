"""Video in the composer: an upload read from its own header (type, dimensions, length),
kept once like an image, checked per network when scheduling (whether the network takes
video, its types, size and length, a video or images, not both), and published by the
engine through the network's connector: YouTube's resumable upload against the local
YouTube of its connector's tests (recorded ``videos.insert`` answer; the session's 200 with
``Location`` is the documented shape)."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from harken.networks.models import Account
from harken.publishing.compose.video import sniff
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Media, Post, Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks.youtube.youtube_local import UPLOAD, body, channel_account, youtube  # noqa: F401
from tests.publishing.compose.test_queue_and_media import image
from tests.publishing.compose.test_views import URL, form, future
from tests.publishing.compose.videos import mp4, video_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_mp4s_type_size_and_length_are_read_from_its_boxes():
    found = sniff(io.BytesIO(mp4(seconds=42.5, size=(1080, 1920))))
    assert (found.content_type, found.width, found.height, found.duration) == (
        "video/mp4",
        1080,
        1920,
        42.5,
    )
    assert sniff(io.BytesIO(mp4(brand=b"qt  "))).content_type == "video/quicktime"
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 40
    assert sniff(io.BytesIO(webm)).content_type == "video/webm"
    assert sniff(io.BytesIO(mp4(brand=b"M4A "))) is None  # audio in the same boxes
    assert sniff(io.BytesIO(b"\x00\x00\x00\x18ftypisom" + b"\xff" * 8)).duration is None


def test_a_video_is_kept_once_and_attached_to_every_account(alice_client, workspace):
    tube = channel_account(workspace)
    tok = Account.objects.create(workspace=workspace, network="tiktok", handle="@harbor")
    alice_client.post(URL, form(tube, tok, image=video_upload(seconds=30)))
    media = Media.objects.get()
    assert (media.content_type, media.width, media.height) == ("video/mp4", 1280, 720)
    assert media.duration == 30 and media.file.name.endswith(".mp4")
    assert all(list(v.media.all()) == [media] for v in Variant.objects.all())
    page = alice_client.get(f"{URL}{Post.objects.get().pk}/").content.decode()
    assert "Description of the video" in page and "30 s" in page


def test_each_network_checks_the_video_when_scheduling(alice_client, workspace, settings):
    tube = channel_account(workspace)
    tok = Account.objects.create(workspace=workspace, network="tiktok", handle="@harbor")
    sky = Account.objects.create(workspace=workspace, network="bluesky", handle="harbor.bsky")
    alice_client.post(URL, form(tube, action="schedule", at=future()))
    assert "A post on YouTube needs a video; add one." in alice_client.get(URL).content.decode()
    long = form(tok, sky, action="schedule", at=future(), image=video_upload(seconds=900))
    alice_client.post(URL, long)
    page = alice_client.get(URL).content.decode()
    assert "Video 1 lasts 900 s; TikTok takes at most 600 s. Trim it." in page
    assert "Video 1 lasts 900 s; Bluesky takes at most 180 s. Trim it." in page
    assert not Post.objects.exists() and not Media.objects.exists()
    settings.HARKEN_MAX_VIDEO_UPLOAD = 1000
    alice_client.post(URL, form(tube, image=video_upload()))
    assert "clip.bin is larger than 0 MB." in alice_client.get(URL).content.decode()


def test_a_video_and_images_do_not_go_together(alice_client, workspace):
    tube = channel_account(workspace)
    alice_client.post(URL, form(tube, image=video_upload()))
    post, video = Post.objects.get(), Media.objects.get()
    data = form(tube, image=image("JPEG"), image_alt="A ring.", action="schedule", at=future())
    data[f"media_{tube.pk}"] = [str(video.pk)]
    alice_client.post(f"{URL}{post.pk}/", data)
    page = alice_client.get(f"{URL}{post.pk}/").content.decode()
    assert "A YouTube post carries a video or images, not both; remove one." in page
    assert "Harken cannot post images to YouTube yet; remove them." in page


def test_composed_video_goes_to_youtube_with_its_title_and_privacy(
    alice_client,
    workspace,
    youtube,  # noqa: F811
):
    tube = channel_account(workspace)
    session = youtube.url(f"{UPLOAD}/videos?uploadType=resumable&upload_id=xa298sd_f")
    youtube.route(
        f"{UPLOAD}/videos",
        Reply(200, "", {"Location": session}),
        body("videos_insert_response.json"),
    )
    data = form(
        tube,
        action="schedule",
        at=future(),
        text="Our winter collection, filmed in the shop window.",
        image=video_upload(seconds=20),
        image_alt="Rings turning on a velvet stand.",
        **{f"title_{tube.pk}": "Winter collection 2026", f"privacy_{tube.pk}": "unlisted"},
    )
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    assert variant.post_options["title"] == "Winter collection 2026"
    report = do_publish_due(variant.scheduled_at + timedelta(seconds=1))
    assert report.published == [variant.pk]
    start, put = youtube.hits(f"{UPLOAD}/videos")
    meta = json.loads(start.body)
    assert meta["snippet"]["title"] == "Winter collection 2026"
    assert meta["snippet"]["description"] == "Our winter collection, filmed in the shop window."
    assert meta["status"]["privacyStatus"] == "unlisted"
    assert start.headers["x-upload-content-type"] == "video/mp4"
    assert put.body == Media.objects.get().file.open("rb").read() == mp4(seconds=20)
    variant.refresh_from_db()
    assert variant.external_id == "D-lhorsDlUQ"
    assert variant.url == "https://www.youtube.com/watch?v=D-lhorsDlUQ"


def test_a_youtube_title_too_long_cannot_be_scheduled(alice_client, workspace):
    tube = channel_account(workspace)
    data = form(
        tube,
        action="schedule",
        at=future(),
        image=video_upload(),
        **{f"title_{tube.pk}": "t" * 101},
    )
    alice_client.post(URL, data)
    page = alice_client.get(URL).content.decode()
    assert "The YouTube video title has 101 characters; YouTube allows 100." in page
    assert not Post.objects.exists()


def test_the_approvers_preview_plays_the_video(alice_client, workspace):
    tube = channel_account(workspace)
    alice_client.post(URL, form(tube, image=video_upload(), image_alt="Rings turning."))
    post, video = Post.objects.get(), Media.objects.get()
    body = alice_client.get(f"/calendar/approvals/posts/{post.pk}/").content.decode()
    assert f'<video src="/calendar/compose/media/{video.pk}/" controls' in body
    assert 'aria-label="Rings turning."' in body and "<img" not in body.split("variant-media")[1]
