"""A video composed for a Facebook Page goes out through the engine and the Facebook
connector to the local Graph API: ``/{page}/videos`` with the video's signed address as
``file_url`` (Meta fetches it with no login) and the text as its description. Meta's
answer to a video upload was never recorded: it is the documented ``{"id": ...}``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harken.networks.connecting import save_connected
from harken.networks.models import Account
from harken.publishing.engine import do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import meta, path, query  # noqa: F401 - the fixture
from tests.publishing.compose.test_queue_and_media import image
from tests.publishing.compose.test_views import URL, form, future
from tests.publishing.compose.videos import mp4, video_upload

pytestmark = pytest.mark.django_db
PAGE = "4"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def page(workspace, alice, meta) -> Account:  # noqa: F811
    config = {"page_id": PAGE, "page_token": "page-token", "name": "Harbor Street Jewelers"}
    return save_connected(workspace, alice, "facebook", PAGE, "Harbor Street Jewelers", config)


def test_a_composed_video_is_posted_to_the_page(alice_client, client, settings, meta, page):  # noqa: F811
    meta.route(path(PAGE, "videos"), Reply(200, '{"id": "10153231379946729"}'))
    data = form(
        page,
        action="schedule",
        at=future(),
        text="Ring polishing, start to finish.",
        image=video_upload(seconds=40),
    )
    alice_client.post(URL, data)
    variant = Variant.objects.get()
    assert variant.state == State.SCHEDULED, alice_client.get(URL).content.decode()
    assert do_publish_due(variant.scheduled_at + timedelta(seconds=1)).published == [variant.pk]
    (sent,) = (query(seen) for seen in meta.hits(path(PAGE, "videos")))
    assert sent["description"] == "Ring polishing, start to finish."
    fetched = client.get(sent["file_url"].removeprefix(settings.BASE_URL))
    assert b"".join(fetched.streaming_content) == mp4(seconds=40)
    assert meta.hits(path(PAGE, "feed")) == meta.hits(path(PAGE, "photos")) == []
    variant.refresh_from_db()
    assert variant.url == "https://www.facebook.com/watch/?v=10153231379946729"


def test_a_video_with_photos_cannot_be_scheduled(alice_client, page):
    alice_client.post(URL, form(page, image=video_upload()))
    variant = Variant.objects.get()
    data = form(page, action="schedule", at=future(), image=image("JPEG"), image_alt="A ring.")
    data[f"media_{page.pk}"] = [str(variant.media.get().pk)]
    alice_client.post(f"{URL}{variant.post_id}/", data)
    page_html = alice_client.get(f"{URL}{variant.post_id}/").content.decode()
    assert "A Facebook Page post carries a video or images, not both; remove one." in page_html
