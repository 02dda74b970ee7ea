"""A video composed for Mastodon goes out through the engine and the real connector:
uploaded to the media API, waited for while the server processes it, then attached to
the status. The local Mastodon answers uploads with the attachment Mastodon.py's own
tests recorded (recorded-api/mastodon/test_media_post_file.yaml) made a video still
processing: ``url`` null with 202, then ``GET /api/v1/media/:id`` 206 until it is done and
200 with its address, as Mastodon's API documents for asynchronous media."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from harken.networks.mastodon.connector import Mastodon
from harken.networks.models import Account
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.publishing.compose.mastodon_replies import RepliesHandler, RepliesServer
from tests.publishing.compose.test_views import URL, form, future
from tests.publishing.compose.videos import mp4, video_upload
from tests.publishing.conftest import mastodon_config

pytestmark = pytest.mark.django_db


class VideoHandler(RepliesHandler):
    server: VideoServer

    def _send(self, status: int, body: object) -> None:
        path = urlsplit(self.path).path
        if self.command == "POST" and path.endswith("/media") and isinstance(body, dict):
            body = {**body, "type": "video", "url": None, "preview_url": None}
            self.server.processing[body["id"]] = self.server.polls_needed
            status = 202
        super()._send(status, body)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if not path.startswith("/api/v1/media/"):
            return super().do_GET()
        media_id = path.rsplit("/", 1)[-1]
        server = self.server
        with server.lock:
            server.media_gets.append(media_id)
            left = server.processing.get(media_id, 0)
            server.processing[media_id] = left - 1
        done = left <= 1
        url = f"{server.base}/system/media_attachments/{media_id}/original/clip.mp4"
        body = {**server.media_template, "id": media_id, "type": "video", "url": url}
        return super()._send(200, body) if done else super()._send(206, {**body, "url": None})


class VideoServer(RepliesServer):
    def __init__(self, polls_needed: int = 2) -> None:
        super().__init__()
        self.RequestHandlerClass = VideoHandler
        self.polls_needed = polls_needed
        self.processing: dict[str, int] = {}
        self.media_gets: list[str] = []


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def masto(loopback, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    monkeypatch.setattr(Mastodon, "media_poll_interval", 0.0)
    with VideoServer() as running:
        yield running


@pytest.fixture
def account(workspace, masto) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@127.0.0.1",
        config=mastodon_config(masto.base),
    )


def compose_video(alice_client, account) -> Variant:
    data = form(
        account,
        action="schedule",
        at=future(),
        image=video_upload(seconds=15),
        image_alt="Rings turning on a velvet stand.",
    )
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    return variant


def test_a_video_is_uploaded_waited_for_and_attached(alice_client, masto, account):
    variant = compose_video(alice_client, account)
    assert do_publish_due(variant.scheduled_at + timedelta(seconds=1)).published == [variant.pk]
    (upload,) = masto.uploads
    assert upload["file"] == mp4(seconds=15)
    assert upload["description"] == "Rings turning on a velvet stand."
    assert masto.media_gets == [upload["id"], upload["id"]]  # 206, then 200
    (status,) = masto.statuses
    assert status["media_ids"] == [upload["id"]]


def test_a_video_still_processing_retries_later_without_a_status(
    alice_client, masto, account, monkeypatch
):
    monkeypatch.setattr(Mastodon, "media_poll_attempts", 1)
    masto.polls_needed = 5
    variant = compose_video(alice_client, account)
    report = do_publish_due(variant.scheduled_at + timedelta(seconds=1))
    assert report.retrying == [variant.pk] and not masto.statuses
    variant.refresh_from_db()
    assert variant.state == State.SCHEDULED
    assert "is still processing the video; Harken tries again later." in variant.error
