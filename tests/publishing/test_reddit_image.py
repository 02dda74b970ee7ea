"""Reddit image posts, end to end through the tick: an upload lease from Reddit
(``/api/media/asset.json``), the image posted as a form to the storage the lease names,
``/api/submit`` with ``kind=image`` and the image's address, then the new post's id found
among the account's newest submissions (Reddit answers an image post without one).

A local Reddit answers in the documented shapes: the lease as PRAW reads it (``args``:
the storage's protocol-relative ``action`` and the form's ``fields``; ``asset``), the
storage as S3 answers a form upload (201 and a ``PostResponse``, or an XML ``Error``),
the submit with ``user_submitted_page`` and ``websocket_url`` and no post id, and
``/user/<name>/submitted`` as a Listing."""

from __future__ import annotations

import io
import json
import time
from datetime import timedelta
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from harken.networks.base import ConnectorError, MediaFile
from harken.networks.models import Account
from harken.networks.reddit.connector import Reddit
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import Media, Variant
from harken.publishing.states import State
from harken.publishing.validation import check_variant
from tests.lib.localserver import Reply
from tests.networks.test_reddit_oauth import JSON, TOKEN_PATH, recorded_token
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

LEASE_PATH = "/api/media/asset.json"
STORAGE = "/reddit-uploaded-media"
KEY = "rte_images/k3y9x2"
SUBMITTED = "/user/harborjewel/submitted"
TITLE = "The winter window, in one ring"
XML = {"Content-Type": "application/xml"}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 160, 40)).save(out, "PNG")
    return out.getvalue()


def _lease(server) -> str:
    # The action is protocol-relative, as Reddit's ("//reddit-uploaded-media.s3-…").
    host = server.base.removeprefix("http:")
    fields = [
        ("acl", "public-read"),
        ("key", KEY),
        ("X-Amz-Credential", "placeholder/20261206/us-west-2/s3/aws4_request"),
        ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
        ("X-Amz-Date", "20261206T120000Z"),
        ("success_action_status", "201"),
        ("content-type", "image/png"),
        ("x-amz-storage-class", "STANDARD"),
        ("x-amz-meta-ext", "png"),
        ("policy", "cGxhY2Vob2xkZXI="),
        ("X-Amz-Signature", "placeholder"),
    ]
    return json.dumps(
        {
            "args": {
                "action": f"{host}{STORAGE}",
                "fields": [{"name": name, "value": value} for name, value in fields],
            },
            "asset": {
                "asset_id": "k3y9x2",
                "processing_state": "incomplete",
                "payload": {"filepath": "image.png"},
                "websocket_url": "wss://ws-0f3c.wss.redditmedia.com/rte_images/k3y9x2?m=x",
            },
        }
    )


def _stored(server) -> str:
    location = f"https://reddit-uploaded-media.s3-accelerate.amazonaws.com/{KEY}"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
        f"<Location>{location}</Location><Bucket>reddit-uploaded-media</Bucket>"
        f'<Key>{KEY}</Key><ETag>"0f3c"</ETag></PostResponse>'
    )


SUBMIT_ANSWER = json.dumps(
    {
        "json": {
            "errors": [],
            "data": {
                "user_submitted_page": "https://www.reddit.com/user/harborjewel/submitted/",
                "websocket_url": "wss://ws-0a1b.wss.redditmedia.com/rte_images/k3y9x2?m=y",
            },
        }
    }
)


def _listing(*children: dict) -> str:
    return json.dumps({"kind": "Listing", "data": {"after": None, "children": list(children)}})


def _submission(id_: str, title: str, subreddit: str = "jewelry") -> dict:
    data = {"id": id_, "name": f"t3_{id_}", "title": title, "subreddit": subreddit}
    data |= {"author": "harborjewel", "created_utc": time.time(), "post_hint": "image"}
    data |= {"permalink": f"/r/{subreddit}/comments/{id_}/the_winter_window/"}
    return {"kind": "t3", "data": data}


@pytest.fixture
def reddit(monkeypatch, settings, loopback, server, tmp_path):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "reddit-client")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "reddit-secret")
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = server.base
    settings.MEDIA_ROOT = tmp_path
    server.route(TOKEN_PATH, Reply(200, recorded_token(), headers=JSON))
    server.route(LEASE_PATH, Reply(200, _lease(server), headers=JSON))
    server.route(STORAGE, Reply(201, _stored(server), headers=XML))
    server.route("/api/submit/", Reply(200, SUBMIT_ANSWER, headers=JSON))
    return server


@pytest.fixture
def account(workspace) -> Account:
    config = {"refresh_token": "placeholder", "username": "harborjewel"}
    return Account.objects.create(
        workspace=workspace, network="reddit", handle="u/harborjewel", config=config
    )


def _image(account: Account, content_type: str = "image/png") -> Media:
    data = png()
    return Media.objects.create(
        workspace=account.workspace,
        file=SimpleUploadedFile("ring.png", data),
        content_type=content_type,
        size=len(data),
        width=40,
        height=30,
        alt_text="A gold ring on blue velvet.",
    )


def _image_variant(account: Account, text: str = "Open until 8 tonight.") -> Variant:
    variant = make_variant(account, text)
    Variant.objects.filter(pk=variant.pk).update(
        post_options={"title": TITLE, "subreddit": "r/jewelry"}
    )
    variant.media.add(_image(account))
    return variant


def _form_parts(seen) -> list[tuple[str, str | None, bytes]]:
    """A multipart form's parts in order: (field name, file name, content)."""
    head = f"Content-Type: {seen.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + seen.body)
    return [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    ]


def test_an_image_post_uploads_then_submits_the_images_address_and_finds_its_id(reddit, account):
    reddit.route(
        SUBMITTED,
        Reply(200, _listing(), headers=JSON),  # Reddit is still processing the image
        Reply(200, _listing(_submission("ours", TITLE), _submission("x", "Another")), JSON),
    )
    variant = _image_variant(account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.published == [variant.pk], variant.error
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_ours")
    assert variant.url == "https://www.reddit.com/r/jewelry/comments/ours/the_winter_window/"

    (lease,) = reddit.hits(LEASE_PATH)
    asked = parse_qs(lease.body.decode())
    assert (asked["filepath"], asked["mimetype"]) == (["image.png"], ["image/png"])
    (upload,) = reddit.hits(STORAGE)
    parts = _form_parts(upload)
    lease_fields = [field["name"] for field in json.loads(_lease(reddit))["args"]["fields"]]
    # The lease's fields, in its order, then the file last, as S3 requires.
    assert [name for name, _, _ in parts] == [*lease_fields, "file"]
    assert dict((name, body) for name, _, body in parts)["key"] == KEY.encode()
    assert parts[-1][2] == png()
    assert "authorization" not in upload.headers  # Reddit's token stays with Reddit

    (submit,) = reddit.hits("/api/submit/")
    form = parse_qs(submit.body.decode())
    assert form["kind"] == ["image"] and form["url"] == [f"{reddit.base}{STORAGE}/{KEY}"]
    assert (form["sr"], form["title"], form["text"]) == (["jewelry"], [TITLE], [variant.text])
    assert len(reddit.hits(SUBMITTED)) == 2  # asked again until Reddit listed it


def test_a_refused_upload_fails_the_variant_in_the_storages_words_and_posts_nothing(
    reddit, account
):
    refusal = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>EntityTooLarge</Code>'
        "<Message>Your proposed upload exceeds the maximum allowed size</Message>"
        "<ProposedSize>20971521</ProposedSize><MaxSizeAllowed>20971520</MaxSizeAllowed>"
        "<RequestId>0F3C</RequestId></Error>"
    )
    reddit.route(STORAGE, Reply(400, refusal, headers=XML))
    variant = _image_variant(account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    account.refresh_from_db()
    assert report.failed == [variant.pk]
    assert variant.state == State.FAILED
    assert variant.error == (
        "Reddit's image storage refused the upload: Your proposed upload exceeds the "
        "maximum allowed size (EntityTooLarge, HTTP 400)."
    )
    assert reddit.hits("/api/submit/") == []  # nothing half-posted
    assert account.status == Account.Status.ACTIVE  # the image's fault, not the account's


def test_a_storage_outage_is_retried_later_not_failed(reddit, account):
    reddit.route(STORAGE, Reply(503, "<Error><Code>SlowDown</Code></Error>", headers=XML))
    variant = _image_variant(account)
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.retrying == [variant.pk]
    assert variant.state == State.SCHEDULED and variant.next_attempt_at > NOW
    assert len(reddit.hits(STORAGE)) > 1 and reddit.hits("/api/submit/") == []


def test_an_image_post_reddit_has_not_listed_yet_is_settled_after_the_lease_not_sent_twice(
    reddit, account, monkeypatch
):
    monkeypatch.setattr(Reddit, "listed_waits", (0.01, 0.01))
    reddit.route(SUBMITTED, Reply(200, _listing(), headers=JSON))
    variant = _image_variant(account)
    do_publish_due(NOW)
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHING and not variant.external_id  # unknown yet

    reddit.route(SUBMITTED, Reply(200, _listing(_submission("ours", TITLE)), headers=JSON))
    report = do_publish_due(NOW + LEASE + timedelta(minutes=1))
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_ours")
    assert len(reddit.hits("/api/submit/")) == 1 and len(reddit.hits(LEASE_PATH)) == 1


def test_a_link_post_with_an_image_is_refused_before_any_request(reddit):
    image = MediaFile(png(), "image/png", "A ring.")
    with pytest.raises(ConnectorError, match="link post cannot carry an image") as caught:
        Reddit({"refresh_token": "x"}).publish(
            "https://harbor.example/winter",
            title=TITLE,
            subreddit="jewelry",
            kind="link",
            media=[image],
        )
    assert caught.value.rejected and reddit.requests == []


def test_the_composer_takes_one_jpeg_png_or_gif_image_on_reddit(reddit, account):
    variant = _image_variant(account)
    assert "media" not in {p.rule for p in check_variant(variant)}
    variant.media.add(_image(account))
    found = [p.message for p in check_variant(variant) if p.rule == "media"]
    assert found == ["Reddit takes at most 1 image; remove 1."]
    variant.media.clear()
    variant.media.add(_image(account, "image/webp"))
    found = [p.message for p in check_variant(variant) if p.rule == "media"]
    assert found == ["Reddit does not take image/webp images (image 1)."]
