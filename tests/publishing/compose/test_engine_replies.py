"""Threads, first comments and images through the engine and the real Mastodon connector,
against a local Mastodon server built on recorded traffic: every reply once, in order,
under its own idempotency key, after a transient failure and after a crash."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from harken.networks.models import Account
from harken.publishing.compose.threads import part_key
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import Media
from harken.publishing.states import State
from tests.publishing.compose.mastodon_replies import RepliesServer
from tests.publishing.conftest import NOW, make_variant, mastodon_config

pytestmark = pytest.mark.django_db

SENTENCES = " ".join(
    f"Part {n} of the story of our winter collection, told slowly for the reader."
    for n in range(14)
)


@pytest.fixture
def server(loopback, monkeypatch):
    monkeypatch.setattr("harken.lib.retry.backoff_delay", lambda attempt, base=0.5, cap=60.0: 0.0)
    with RepliesServer() as running:
        yield running


@pytest.fixture
def account(workspace, server) -> Account:
    return Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="@harbor@127.0.0.1",
        config=mastodon_config(server.base),
    )


def local(external_id: str) -> str:
    return external_id.rsplit("/", 1)[-1]


def test_a_thread_and_first_comment_go_out_once_in_order(server, account):
    variant = make_variant(
        account, SENTENCES, thread=True, numbered=True, first_comment="Shop the window: link below."
    )
    assert do_publish_due(NOW).published == [variant.pk]
    variant.refresh_from_db()
    main, *rest = server.statuses
    texts = [s["content"] for s in server.statuses]
    assert len(server.statuses) == 4 and len(variant.parts) == 3
    assert texts[0].endswith(" 1/3</p>") and texts[2].endswith(" 3/3</p>")
    assert local(variant.external_id) == main["id"]
    # Part 2 answers the main post, part 3 answers part 2, the comment answers the main post.
    assert [s["in_reply_to_id"] for s in rest] == [main["id"], rest[0]["id"], main["id"]]
    assert rest[2]["content"] == "<p>Shop the window: link below.</p>"
    keys = [p["key"] for p in server.posts]
    assert keys == [str(variant.idempotency_key)] + [
        part_key(variant.idempotency_key, n) for n in (1, 2, 3)
    ]
    assert len(set(keys)) == 4


def test_a_reply_that_fails_for_a_while_resumes_after_what_went_out(server, account):
    variant = make_variant(account, SENTENCES, thread=True)
    # The main post and part 2 go out; part 3 meets three 503s (the connector's tries).
    original = server.make_status
    made = []

    def make_then_break(text, key, at=None):
        status = original(text, key, at)
        made.append(status)
        if len(made) == 2:
            server.fail(503, {"error": "Service Unavailable"}, times=3)
        return status

    server.make_status = make_then_break
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.retrying == [variant.pk] and variant.state == State.SCHEDULED
    assert variant.external_id and len(variant.parts) == 1

    assert do_publish_due(variant.next_attempt_at).published == [variant.pk]
    variant.refresh_from_db()
    assert variant.state == State.PUBLISHED and len(variant.parts) == 2
    assert len(server.statuses) == 3  # the main post and each reply, once


def test_a_crash_after_a_reply_went_out_does_not_post_it_again(server, account):
    variant = make_variant(account, SENTENCES, thread=True)
    do_publish_due(NOW)  # publish fully once to learn the parts' texts…
    variant.refresh_from_db()
    texts = [s["content"] for s in server.statuses]
    # …then replay the moment of a crash: the main post recorded, part 2 sent but not
    # recorded (the worker died before saving its id), the lease run out.
    server.statuses[:] = server.statuses[:2]
    server.by_key.clear()
    server.posts.clear()
    variant.state, variant.parts = State.PUBLISHING, []
    variant.claimed_at = NOW
    variant.save()
    report = do_publish_due(NOW + LEASE + timedelta(seconds=1))
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk] and report.published == [variant.pk]
    assert [s["content"] for s in server.statuses] == texts
    assert len(server.posts) == 1  # only part 3 was sent again
    assert variant.parts[0] == f"127.0.0.1:{server.server_address[1]}/{server.statuses[1]['id']}"


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 160, 40)).save(out, "PNG")
    return out.getvalue()


def test_an_image_goes_up_with_its_alt_text_and_is_attached(server, account, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    image = Media.objects.create(
        workspace=account.workspace,
        file=SimpleUploadedFile("ring.png", png()),
        content_type="image/png",
        size=len(png()),
        width=40,
        height=30,
        alt_text="A gold ring on blue velvet.",
    )
    variant = make_variant(account)
    variant.media.add(image)
    assert do_publish_due(NOW).published == [variant.pk]
    (upload,) = server.uploads
    assert upload["description"] == "A gold ring on blue velvet." and upload["file"] == png()
    assert server.statuses[0]["media_ids"] == [upload["id"]]
