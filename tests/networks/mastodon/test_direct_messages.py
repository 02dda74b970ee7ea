"""Mastodon direct conversations against recorded real traffic (Mastodon.py's
``test_conversations`` and ``test_status_post[None-direct]`` cassettes, replayed at the
HTTP boundary): reading them into the account's fetch, and answering one privately."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harken.inbox import media
from tests.networks.recorded import recorded, replay
from tests.networks.test_mastodon import cassette, connector, instance_info, interactions

pytestmark = pytest.mark.usefixtures("loopback")

SENDER = "117020566092212359"  # mastodonpy_test_2, who wrote the recorded direct message
DIRECT = "117020593780198542"  # its status id
EMPTY_NOTIFICATIONS = {
    "request": {
        "method": "GET",
        "uri": "http://localhost:3000/api/v1/notifications",
        "body": None,
        "headers": {},
    },
    "response": {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json; charset=utf-8"]},
        "body": {"string": "[]"},
    },
}


def conversations() -> list[dict]:
    return interactions("test_conversations.yaml", "GET", "/api/v1/conversations/")[:1]


def test_a_direct_conversation_is_read_as_a_private_message():
    with replay(cassette(None, [EMPTY_NOTIFICATIONS], conversations())) as (sent, _):
        page = connector().fetch(None)
    # Two conversations, oldest first; the second answers an earlier direct status.
    earlier, item = page.items
    assert earlier.kind == "message"
    assert earlier.in_reply_to == "localhost:3000/117020588315335369"
    assert sent.paths() == ["/api/v1/notifications", "/api/v1/conversations/"]
    assert item.kind == "message"
    assert item.external_id == f"localhost:3000/{DIRECT}"
    assert item.text == "@admin ilu bby ;3"
    assert item.author_id == f"localhost:3000/{SENDER}"
    assert item.created == datetime(2026, 8, 1, 13, 55, 56, 462000, tzinfo=UTC)
    assert not item.is_own  # written to the account ("admin"), not by it
    assert json.loads(page.cursor) == {"direct": DIRECT}


def test_our_own_direct_message_is_ours():
    with replay(cassette(None, [EMPTY_NOTIFICATIONS], conversations())):
        items = connector(account_id=SENDER).fetch(None).items
    assert [(item.is_own, item.kind) for item in items] == [(True, "message")] * 2


def test_the_next_fetch_asks_for_conversations_newer_than_the_last_message_read():
    with replay(cassette(None, [EMPTY_NOTIFICATIONS], conversations())) as (sent, _):
        connector().fetch(json.dumps({"newest": "21", "direct": "117020593780198000"}))
    assert sent.query(1)["min_id"] == ["117020593780198000"]


def test_a_search_does_not_read_the_accounts_direct_messages():
    with replay(recorded("mastodon", "test_hashtag_tl.yaml")) as (sent, _):
        connector(query="#hoot").fetch(None)
    assert "/api/v1/conversations/" not in sent.paths()


def test_a_direct_message_is_answered_privately_to_its_author():
    """The parent is the recorded direct status (as the server serves it); the answer is
    the recorded direct post: visibility direct, in reply to the parent, naming its author."""
    last = json.loads(conversations()[0]["response"]["body"]["string"])[0]["last_status"]
    parent = {
        "request": {
            "method": "GET",
            "uri": f"http://localhost:3000/api/v1/statuses/{DIRECT}",
            "body": None,
            "headers": {},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": ["application/json; charset=utf-8"]},
            "body": {"string": json.dumps(last)},
        },
    }
    posted = interactions("test_status_post[None-direct].yaml", "POST", "/api/v1/statuses")
    with replay(cassette(None, [parent], instance_info(), posted)) as (sent, _):
        published = connector().reply(f"localhost:3000/{DIRECT}", "Toot!", idempotency_key="dm-1")
    assert published.external_id == "localhost:3000/117020585877056474"
    body = sent[-1].body.decode() if isinstance(sent[-1].body, bytes) else sent[-1].body
    assert "visibility=direct" in body and f"in_reply_to_id={DIRECT}" in body
    assert "status=%40mastodonpy_test_2+Toot%21" in body


def _with_recorded_media() -> list[dict]:
    """The recorded direct conversation, its last status carrying the image attachment
    the recorded ``test_status_delete_media`` status carries (no direct status with media
    was recorded; both halves are the server's own answers)."""
    posted = next(
        i
        for i in interactions("test_status_delete_media.yaml", "POST", "/api/v1/statuses")
        if '"media_attachments":[{' in i["response"]["body"]["string"]
    )
    media = json.loads(posted["response"]["body"]["string"])["media_attachments"]
    (conversation,) = conversations()
    rows = json.loads(conversation["response"]["body"]["string"])
    rows[0]["last_status"]["media_attachments"] = media
    conversation = json.loads(json.dumps(conversation))
    conversation["response"]["body"]["string"] = json.dumps(rows)
    return [conversation]


def test_a_direct_messages_image_is_stored_under_its_text_for_the_inbox():
    with replay(cassette(None, [EMPTY_NOTIFICATIONS], _with_recorded_media())):
        item = connector().fetch(None).items[-1]
    image = (
        "http://localhost:3000/system/media_attachments/files/117/020/606/032/533/890/original/"
        "5acd59c19f4b7d96.jpg"
    )
    assert item.external_id == f"localhost:3000/{DIRECT}"
    assert item.text == f"@admin ilu bby ;3\n\n{image}"
    assert media.image_urls(item.text, item.url) == [image]  # what the inbox shows


def test_a_public_statuses_media_is_not_added_to_its_text():
    status = json.loads(_with_recorded_media()[0]["response"]["body"]["string"])[0]
    public = {**status["last_status"], "visibility": "public"}
    assert connector().normalize(public).text == "@admin ilu bby ;3"
