"""A video composed for TikTok goes out through the engine and the TikTok connector to
the local TikTok of the connector's own tests (nothing of TikTok was recorded: the
answers follow the Content Posting API's documented shapes): the privacy the composer's
field asks for, the video's bytes uploaded whole, the status polled until published."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks.tiktok.test_tiktok import (  # noqa: F401 - fixtures
    CREATOR,
    INIT,
    STATUS,
    creator,
    documented,
    tiktok,
    upload_answers,
)
from tests.publishing.compose.test_views import URL, form, future
from tests.publishing.compose.videos import mp4, video_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_composed_video_is_posted_to_tiktok_as_asked(alice_client, tiktok, creator):  # noqa: F811
    tiktok.route(
        CREATOR,
        documented({"privacy_level_options": ["PUBLIC_TO_EVERYONE", "SELF_ONLY"]}),
    )
    tiktok.route(
        INIT,
        documented({"publish_id": "v_pub_file~v2-1.7301", "upload_url": tiktok.url("/upload/")}),
    )
    upload_answers(tiktok, Reply(201))
    tiktok.route(
        STATUS,
        documented({"status": "PUBLISH_COMPLETE", "publicaly_available_post_id": [7301234567890]}),
    )
    data = form(
        creator,
        action="schedule",
        at=future(),
        text="Ring polishing, start to finish #jewelry",
        image=video_upload(seconds=45),
        **{f"privacy_{creator.pk}": "SELF_ONLY", f"mode_{creator.pk}": "direct"},
    )
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    assert do_publish_due(variant.scheduled_at + timedelta(seconds=1)).published == [variant.pk]
    sent = json.loads(tiktok.hits(INIT)[0].body)
    assert sent["post_info"] == {
        "title": "Ring polishing, start to finish #jewelry",
        "privacy_level": "SELF_ONLY",
    }
    assert sent["source_info"]["video_size"] == len(mp4(seconds=45))
    (put,) = tiktok.hits("/upload/")
    assert put.body == mp4(seconds=45) and put.headers["content-type"] == "video/mp4"
    variant.refresh_from_db()
    assert variant.url == "https://www.tiktok.com/@harborstreet/video/7301234567890"


def test_a_tiktok_privacy_it_does_not_know_cannot_be_scheduled(alice_client, creator):  # noqa: F811
    data = form(
        creator,
        action="schedule",
        at=future(),
        image=video_upload(),
        **{f"privacy_{creator.pk}": "EVERYONE"},
    )
    alice_client.post(URL, data)
    page = alice_client.get(URL).content.decode()
    assert "The TikTok who may watch &#x27;EVERYONE&#x27; is not PUBLIC_TO_EVERYONE," in page
    assert not Variant.objects.exists()
