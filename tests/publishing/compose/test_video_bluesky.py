"""A video composed for Bluesky goes out through the engine and the real connector, the
way Bluesky's own apps send one: a service token from the PDS (``getServiceAuth``, bound
to ``uploadBlob``, audience the PDS's did:web), the bytes to the video service
(``uploadVideo``), its job asked about (``getJobStatus``) until the blob is ready, then a
post whose ``app.bsky.embed.video`` carries the blob, the alt text and the aspect ratio.
The local PDS in ``bluesky_pds.py`` is the video service too, in the lexicons' shapes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from harken.networks.bluesky.connector import Bluesky
from harken.networks.models import Account
from harken.networks.registry import connector_for
from harken.publishing.engine import attachments, do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.bluesky_pds import DID
from tests.publishing.compose.test_views import URL, form, future
from tests.publishing.compose.videos import mp4, video_upload

pytestmark = pytest.mark.django_db

ALT = "Rings turning on a velvet stand."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def video_service(pds, settings, monkeypatch):
    settings.BLUESKY_VIDEO_URL = pds.url
    monkeypatch.setattr(Bluesky, "video_poll_interval", 0.0)
    return pds


def compose_video(alice_client, account: Account, **video) -> Variant:
    data = form(account, action="schedule", at=future(), image=video_upload(**video), image_alt=ALT)
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    return variant


def test_the_composer_takes_an_mp4_for_bluesky_and_refuses_one_too_long(
    alice_client, bluesky_account
):
    variant = compose_video(alice_client, bluesky_account, seconds=15)
    assert [m.content_type for m in variant.media.all()] == ["video/mp4"]
    Variant.objects.all().delete()
    alice_client.post(
        URL, form(bluesky_account, action="schedule", at=future(), image=video_upload(seconds=200))
    )
    page = alice_client.get(URL).content.decode()
    assert "Video 1 lasts 200 s; Bluesky takes at most 180 s. Trim it." in page
    assert not Variant.objects.exists()


def test_a_video_is_processed_by_the_video_service_then_embedded(
    alice_client, bluesky_account, video_service
):
    variant = compose_video(alice_client, bluesky_account, seconds=15, size=(1080, 1920))
    before = int(time.time())
    assert do_publish_due(variant.scheduled_at + timedelta(seconds=1)).published == [variant.pk]

    (auth,) = video_service.service_auths
    port = video_service.server_address[1]
    assert auth["aud"] == f"did:web:127.0.0.1%3A{port}"
    assert auth["lxm"] == "com.atproto.repo.uploadBlob"
    assert before + 25 * 60 <= int(auth["exp"]) <= int(time.time()) + 31 * 60
    (upload,) = video_service.video_uploads
    assert upload["data"] == mp4(seconds=15, size=(1080, 1920))
    assert upload["query"]["did"] == DID and upload["query"]["name"].endswith(".mp4")
    assert upload["headers"]["content-type"] == "video/mp4"
    assert upload["headers"]["authorization"].startswith("Bearer service.")

    (created,) = video_service.creates
    embed = created["record"]["embed"]
    (job,) = video_service.jobs.values()
    assert embed["$type"] == "app.bsky.embed.video"
    assert embed["video"] == job["blob"] and embed["video"]["mimeType"] == "video/mp4"
    assert embed["alt"] == ALT
    assert (embed["aspectRatio"]["width"], embed["aspectRatio"]["height"]) == (1080, 1920)
    variant.refresh_from_db()
    assert variant.external_id == video_service.records[created["rkey"]]["uri"]


def test_a_failed_job_fails_the_variant_in_the_services_words(
    alice_client, bluesky_account, video_service
):
    video_service.video_failure = ("Unsupported video", "Video codec is not supported")
    variant = compose_video(alice_client, bluesky_account)
    report = do_publish_due(variant.scheduled_at + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.published == [] and variant.state == State.FAILED
    assert "Video codec is not supported" in variant.error
    assert video_service.creates == []


def test_a_job_still_processing_retries_later_without_a_post(
    alice_client, bluesky_account, video_service, monkeypatch
):
    monkeypatch.setattr(Bluesky, "video_poll_attempts", 1)
    video_service.video_polls = 5
    variant = compose_video(alice_client, bluesky_account)
    report = do_publish_due(variant.scheduled_at + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.retrying == [variant.pk] and video_service.creates == []
    assert "still processing the video; Harken tries again later." in variant.error


def test_a_video_already_uploaded_is_reused_from_its_job(
    alice_client, bluesky_account, video_service
):
    variant = compose_video(alice_client, bluesky_account)
    options = attachments(variant)
    made = connector_for(bluesky_account)
    first = made.publish("First", idempotency_key="first-key", **options)
    again = made.publish("Again", idempotency_key="again-key", **options)
    assert first != again
    assert len(video_service.video_uploads) == 2 and len(video_service.jobs) == 1
    blobs = [sent["record"]["embed"]["video"] for sent in video_service.creates]
    (job,) = video_service.jobs.values()
    assert blobs == [job["blob"], job["blob"]]


def test_a_refused_upload_fails_the_variant_in_the_services_words(
    alice_client, bluesky_account, video_service
):
    video_service.fail(
        "app.bsky.video.uploadVideo",
        400,
        {"error": "InvalidRequest", "message": "Video is too long"},
    )
    variant = compose_video(alice_client, bluesky_account)
    do_publish_due(variant.scheduled_at + timedelta(seconds=1))
    variant.refresh_from_db()
    assert variant.state == State.FAILED and "Video is too long" in variant.error
    assert video_service.creates == []
