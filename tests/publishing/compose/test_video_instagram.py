"""A video composed for Instagram goes out as a reel through the engine and the Instagram
connector, against the local Graph API of the connector's tests: the reel container
(``media_type=REELS`` with the video's signed address, which Instagram fetches with no
login), the recorded container status, then ``media_publish``. Container creation and
``media_publish`` were never recorded: their answers are Meta's documented ``{"id": ...}``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.networks.instagram.connector import Instagram
from harken.networks.models import Account
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import meta, path, query  # noqa: F401 - the fixture
from tests.networks.instagram.test_connector import IG, TOKEN, ig
from tests.publishing.compose.test_views import URL, form, future
from tests.publishing.compose.videos import mp4, video_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def insta(workspace, meta, monkeypatch):  # noqa: F811
    monkeypatch.setattr(Instagram, "status_wait", 0.0)
    return Account.objects.create(
        workspace=workspace,
        network="instagram",
        handle="ikroskun",
        external_id=IG,
        config={"ig_user_id": IG, "username": "ikroskun", "page_id": "1", "page_token": TOKEN},
    )


def test_a_composed_video_is_published_as_a_reel(alice_client, client, settings, meta, insta):  # noqa: F811
    meta.route(path(IG, "content_publishing_limit"), ig("ig_content_publishing_limit.json"))
    meta.route(path(IG, "media"), Reply(200, '{"id": "reel1"}'))
    meta.route(
        path("reel1"),
        Reply(200, '{"status_code": "IN_PROGRESS", "id": "reel1"}'),
        ig("ig_container_status.json"),
    )
    meta.route(path(IG, "media_publish"), Reply(200, '{"id": "m1"}'))
    meta.route(
        path("m1"), Reply(200, '{"permalink": "https://www.instagram.com/reel/x/", "id": "m1"}')
    )
    data = form(
        insta,
        action="schedule",
        at=future(),
        text="Ring polishing, start to finish #jewelry",
        image=video_upload(seconds=30, size=(1080, 1920)),
    )
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    assert do_publish_due(variant.scheduled_at + timedelta(seconds=1)).published == [variant.pk]
    (made,) = (query(seen) for seen in meta.hits(path(IG, "media")))
    assert (made["media_type"], made["caption"]) == (
        "REELS",
        "Ring polishing, start to finish #jewelry",
    )
    assert "image_url" not in made
    fetched = client.get(made["video_url"].removeprefix(settings.BASE_URL))  # no login
    assert fetched["Content-Type"] == "video/mp4"
    assert b"".join(fetched.streaming_content) == mp4(seconds=30, size=(1080, 1920))
    assert query(meta.hits(path(IG, "media_publish"))[0])["creation_id"] == "reel1"
    variant.refresh_from_db()
    assert variant.url == "https://www.instagram.com/reel/x/"


def test_a_reel_longer_than_instagram_takes_cannot_be_scheduled(alice_client, insta):
    alice_client.post(
        URL, form(insta, action="schedule", at=future(), image=video_upload(seconds=1200))
    )
    page = alice_client.get(URL).content.decode()
    assert "Video 1 lasts 1200 s; Instagram takes at most 900 s. Trim it." in page
    assert not Variant.objects.exists()
