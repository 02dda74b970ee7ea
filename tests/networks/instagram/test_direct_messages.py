"""Instagram direct messages, read and answered through the linked Page's Conversations
API (``platform=instagram``), against the local Graph API. The media and comments are the
recorded ones (test_connector.py); no Instagram conversation or send was ever recorded, so
``/{page}/conversations`` and ``POST /{page}/messages`` and the 24-hour refusal (code 10,
subcode 2534022) answer in the shapes Meta's Instagram Messaging documentation gives."""

from __future__ import annotations

import json

import pytest

from harken.networks.base import ConnectorError
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import error, path, query
from tests.networks.instagram.test_connector import IG, account, media  # noqa: F401

JSON = {"Content-Type": "application/json"}
LINKED_PAGE = "1"  # the linked Page of ``account()``
PERSON = "6203914349668290"  # an Instagram-scoped id
THEM = {"username": "ada.rings", "id": PERSON}
US = {"username": "ikroskun", "id": IG}
CONVERSATIONS = {
    "data": [
        {
            "id": "aWdfZAG06MTpJR01lc3NhZA2VUaHJlYWQ6",
            "updated_time": "2026-11-20T09:05:00+0000",
            "participants": {"data": [US, THEM]},
            "messages": {
                "data": [
                    {
                        "id": "aWdfZAG06MTpJR01lc3NhZA2VJRDoy",
                        "created_time": "2026-11-20T09:05:00+0000",
                        "message": "Which size?",
                        "from": US,
                    },
                    {
                        "id": "aWdfZAG06MTpJR01lc3NhZA2VJRDox",
                        "created_time": "2026-11-20T09:01:00+0000",
                        "message": "Do you ship to Oslo?",
                        "from": THEM,
                    },
                ]
            },
        }
    ]
}


@pytest.fixture
def dms(media):  # noqa: F811 - the imported fixture, used
    media.route(path(LINKED_PAGE, "conversations"), Reply(200, json.dumps(CONVERSATIONS), JSON))
    return media


def test_direct_messages_are_read_through_the_linked_page(dms):
    got = account(messaging=True).fetch(None)
    messages = [i for i in got.items if i.kind == "message"]
    assert [i.text for i in messages] == ["Do you ship to Oslo?", "Which size?"]
    question, answer = messages
    assert question.external_id == f"dm:{PERSON}/aWdfZAG06MTpJR01lc3NhZA2VJRDox"
    assert question.author_handle == "ada.rings" and not question.is_own and answer.is_own
    assert question.conversation_id == "dm:aWdfZAG06MTpJR01lc3NhZA2VUaHJlYWQ6"
    assert query(dms.hits(path(LINKED_PAGE, "conversations"))[0])["platform"] == "instagram"
    # The messages keep their own time in the cursor, beside the comments'.
    assert got.cursor == "2020-06-01T10:56:52+00:00|dm:2026-11-20T09:05:00+00:00"


def test_a_direct_message_is_answered_privately(dms):
    dms.route(
        path(LINKED_PAGE, "messages"),
        Reply(200, json.dumps({"recipient_id": PERSON, "message_id": "aWdfZAG06My"}), JSON),
    )
    published = account(messaging=True).reply(f"dm:{PERSON}/aWdfZAG06MTpJR01lc3NhZA2VJRDox", "Yes!")
    assert published.external_id == f"dm:{PERSON}/aWdfZAG06My"
    form = query(dms.hits(path(LINKED_PAGE, "messages"))[0])
    assert json.loads(form["recipient"]) == {"id": PERSON}
    assert json.loads(form["message"]) == {"text": "Yes!"} and "messaging_type" not in form
    assert not dms.hits(path(PERSON, "replies"))  # never a public comment


def test_past_instagrams_window_the_answer_is_refused_in_plain_words(dms):
    dms.route(
        path(LINKED_PAGE, "messages"),
        error(10, "(#10) This message is sent outside of allowed window.", subcode=2534022),
    )
    with pytest.raises(ConnectorError, match="Instagram lets a business answer") as caught:
        account(messaging=True).reply(f"dm:{PERSON}/x", "Hello")
    assert caught.value.rejected and not caught.value.permanent


def test_without_instagram_manage_messages_comments_are_still_read(dms):
    dms.route(
        path(LINKED_PAGE, "conversations"),
        error(10, "(#10) Requires instagram_manage_messages permission", status=403),
    )
    got = account(messaging=True).fetch(None)
    assert any(i.kind == "comment" for i in got.items)
    assert any("allow instagram_manage_messages" in why for _, why in got.skipped)


def test_a_direct_messages_photo_is_stored_under_its_text_for_the_inbox(media):  # noqa: F811
    """An Instagram message's ``attachments`` in the shape the Instagram Messaging
    documentation gives (``image_data.url``, a signed lookaside address)."""
    photo = "https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17960&signature=Ab_9"
    changed = json.loads(json.dumps(CONVERSATIONS))
    question = changed["data"][0]["messages"]["data"][1]
    question["attachments"] = {"data": [{"image_data": {"url": photo, "width": 1080}}]}
    media.route(path(LINKED_PAGE, "conversations"), Reply(200, json.dumps(changed), JSON))
    got = account(messaging=True).fetch(None)
    (item,) = [i for i in got.items if i.text.startswith("Do you ship")]
    assert item.text == f"Do you ship to Oslo?\n\n{photo}"
