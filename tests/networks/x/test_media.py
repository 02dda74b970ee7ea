"""Images in X posts against a local X. The post's answer is X's own, from tweepy's
recording (recorded-api/x-tweepy/test_client_create_and_delete_tweet.yaml); no media
upload was recorded, so ``POST /2/media/upload`` and ``POST /2/media/metadata`` answer
in the shapes docs.x.com documents for X API v2's media endpoints (``data.id`` and
``media_key``; the metadata call's ``alt_text``)."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.policy import default

import pytest

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.x.connector import X
from tests.lib.localserver import Reply
from tests.networks.test_x import CONFIG, USER_CONFIG
from tests.networks.x_local import recorded_body

JSON = {"Content-Type": "application/json"}
MEDIA_ID = "1880028106020515840"
UPLOADED = {
    "data": {
        "id": MEDIA_ID,
        "media_key": f"3_{MEDIA_ID}",
        "size": 11065,
        "expires_after_secs": 86400,
        "image": {"image_type": "image/jpeg", "w": 64, "h": 48},
    }
}

pytestmark = pytest.mark.usefixtures("loopback")


@pytest.fixture
def local_x(settings, server):
    settings.X_API_URL = server.base
    server.route("/2/media/upload", Reply(200, json.dumps(UPLOADED), JSON))
    server.route("/2/media/metadata", Reply(200, json.dumps({"data": {"id": MEDIA_ID}}), JSON))
    create = recorded_body("test_client_create_and_delete_tweet.yaml")
    server.route("/2/tweets", Reply(201, create, JSON))
    return server


def _form(seen) -> dict[str, object]:
    message = message_from_bytes(
        f"Content-Type: {seen.headers['content-type']}\r\n\r\n".encode() + seen.body,
        policy=default,
    )
    return {
        part.get_param("name", header="content-disposition"): part for part in message.iter_parts()
    }


def test_an_image_is_uploaded_described_and_attached(local_x, workspace):
    ring = MediaFile(b"\xff\xd8ring", "image/jpeg", "A garnet ring on slate.")
    made = X(dict(CONFIG), workspace=workspace).publish("Winter window", media=[ring])
    (upload,) = local_x.hits("/2/media/upload")
    assert upload.headers["authorization"] == "Bearer placeholder"
    parts = _form(upload)
    assert parts["media"].get_content() == b"\xff\xd8ring"
    assert parts["media_category"].get_content().strip() == "tweet_image"
    (metadata,) = local_x.hits("/2/media/metadata")
    assert json.loads(metadata.body) == {
        "id": MEDIA_ID,
        "metadata": {"alt_text": {"text": "A garnet ring on slate."}},
    }
    (tweet,) = local_x.hits("/2/tweets")
    assert json.loads(tweet.body) == {"text": "Winter window", "media": {"media_ids": [MEDIA_ID]}}
    assert made.external_id == "1456012973835788293"


def test_oauth1_accounts_sign_the_upload_and_an_image_without_alt_text_skips_metadata(
    local_x, workspace
):
    X(dict(USER_CONFIG), workspace=workspace).publish(
        "Winter window", media=[MediaFile(b"\x89PNG", "image/png", "")]
    )
    (upload,) = local_x.hits("/2/media/upload")
    assert upload.headers["authorization"].startswith("OAuth ")
    assert local_x.hits("/2/media/metadata") == []


def test_a_token_without_media_write_is_refused_and_nothing_is_posted(local_x, workspace):
    local_x.route(
        "/2/media/upload",
        Reply(
            403,
            json.dumps(
                {"title": "Forbidden", "detail": "Missing scope media.write", "status": 403}
            ),
            JSON,
        ),
    )
    with pytest.raises(ConnectorError):
        X(dict(CONFIG), workspace=workspace).publish(
            "Winter window", media=[MediaFile(b"x", "image/jpeg", "A ring.")]
        )
    assert local_x.hits("/2/tweets") == []
