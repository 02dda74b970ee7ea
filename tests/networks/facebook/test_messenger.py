"""A Page's Messenger conversations, read and answered, against the local Graph API. The
feed is the recorded one (page_local.py); the recorded Graph traffic holds no
conversations or sends, so ``/{page}/conversations``, ``POST /{page}/messages`` and the
"outside of allowed window" refusal (code 10, subcode 2018278) are answered in the shapes
Meta's Conversations API, Send API and error reference document."""

from __future__ import annotations

import json

import pytest

from harken.core.models import Member
from harken.inbox import actions, media
from harken.inbox.models import Conversation
from harken.inbox.states import State
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from harken.networks.base import ConnectorError
from harken.networks.facebook.connector import Facebook
from harken.networks.models import Account
from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import error, path, query
from tests.networks.facebook.page_local import PAGE, TOKEN
from tests.networks.facebook.test_webhook import IG as WEBHOOK_IG
from tests.networks.facebook.test_webhook import PAGE as WEBHOOK_PAGE
from tests.networks.facebook.test_webhook import deliver, due, hooks, later, signed  # noqa: F401

JSON = {"Content-Type": "application/json"}
NEWEST_COMMENT = "2014-08-20T05:57:48+00:00"  # of the recorded feed
PERSON = "24023862123456789"  # a Page-scoped id
ADA = {"name": "Ada Lovelace", "email": f"{PERSON}@facebook.com", "id": PERSON}
US = {"name": "Facebook for Developers", "email": f"{PAGE}@facebook.com", "id": PAGE}
CONVERSATIONS = {
    "data": [
        {
            "id": "t_10161234567890",
            "updated_time": "2026-11-20T09:05:00+0000",
            "link": f"/{PAGE}/inbox/10161234567890/",
            "participants": {"data": [ADA, US]},
            "messages": {
                "data": [  # newest first
                    {
                        "id": "m_AbC2",
                        "created_time": "2026-11-20T09:05:00+0000",
                        "message": "Which size?",
                        "from": US,
                    },
                    {
                        "id": "m_AbC1",
                        "created_time": "2026-11-20T09:01:00+0000",
                        "message": "My ring is too big",
                        "from": ADA,
                    },
                ],
                "paging": {"cursors": {"before": "QVFI", "after": "QVFJ"}},
            },
        }
    ],
    "paging": {"cursors": {"before": "QVFIa", "after": "QVFIb"}},
}


def page(**config) -> Facebook:
    return Facebook({"page_id": PAGE, "page_token": TOKEN, "messaging": True, **config})


@pytest.fixture
def inbox(feed):
    feed.route(path(PAGE, "conversations"), Reply(200, json.dumps(CONVERSATIONS), JSON))
    return feed


def test_messenger_conversations_are_read_as_private_messages(inbox):
    got = page().fetch(None)
    messages = [i for i in got.items if i.kind == "message"]
    assert len(got.items) == 4 + 2  # the recorded comments, and the two messages
    question, answer = messages
    assert question.external_id == f"dm:{PERSON}/m_AbC1"
    assert question.text == "My ring is too big" and question.author_id == PERSON
    assert question.author_name == "Ada Lovelace" and not question.is_own
    assert question.in_reply_to == question.conversation_id == "dm:t_10161234567890"
    assert answer.is_own and answer.conversation_id == question.conversation_id
    assert question.url == f"https://www.facebook.com/{PAGE}/inbox/10161234567890/"
    (asked,) = inbox.hits(path(PAGE, "conversations"))
    sent = query(asked)
    assert sent["platform"] == "messenger" and "messages.limit(25)" in sent["fields"]
    # The comments' newest time, then the messages' own (a cursor of two times).
    assert got.cursor == f"{NEWEST_COMMENT}|dm:2026-11-20T09:05:00+00:00"


def test_the_next_poll_stops_at_conversations_read_before(inbox):
    got = page().fetch("2026-11-20T09:03:00+00:00")
    assert [i.external_id for i in got.items] == [f"dm:{PERSON}/m_AbC2"]
    assert not page().fetch("2026-11-21T00:00:00+00:00").items


def test_an_account_connected_before_messaging_is_not_asked(inbox):
    page(messaging=False).fetch(None)
    assert not inbox.hits(path(PAGE, "conversations"))


def test_a_message_is_answered_privately_as_a_response(inbox):
    sent_back = {"recipient_id": PERSON, "message_id": "m_AbC3"}
    inbox.route(path(PAGE, "messages"), Reply(200, json.dumps(sent_back), JSON))
    published = page().reply(f"dm:{PERSON}/m_AbC1", "Size 6 it is!")
    assert published.external_id == f"dm:{PERSON}/m_AbC3"
    (sent,) = inbox.hits(path(PAGE, "messages"))
    form = query(sent)
    assert json.loads(form["recipient"]) == {"id": PERSON}
    assert json.loads(form["message"]) == {"text": "Size 6 it is!"}
    assert form["messaging_type"] == "RESPONSE" and form["access_token"] == TOKEN


def test_past_the_24_hour_window_the_answer_is_refused_in_plain_words(inbox):
    words = "(#10) This message is sent outside of allowed window."
    inbox.route(path(PAGE, "messages"), error(10, words, subcode=2018278))
    with pytest.raises(ConnectorError, match="within 24 hours") as caught:
        page().reply(f"dm:{PERSON}/m_AbC1", "Hello again")
    assert caught.value.rejected and not caught.value.permanent
    assert "outside of allowed window" in caught.value.message  # Meta's own words kept


def test_a_page_token_without_pages_messaging_still_reads_comments(inbox):
    words = "(#200) Requires pages_messaging permission to manage the object"
    inbox.route(path(PAGE, "conversations"), error(200, words, status=403))
    connector = page()
    got = connector.fetch(None)
    assert len(got.items) == 4 and all(i.kind != "message" for i in got.items)
    ((what, why),) = got.skipped[-1:]
    assert what == "private messages" and "allow pages_messaging" in why
    assert connector.config_changed and connector.config["messages_refused"]["why"] == why
    again = Facebook(connector.config).fetch(None)
    assert len(inbox.hits(path(PAGE, "conversations"))) == 1
    assert all(reason != why for _, reason in again.skipped)


@pytest.mark.django_db
def test_a_conversation_is_one_private_conversation_in_the_inbox(inbox, workspace):
    items = page().fetch(None).items
    source = Source.objects.create(
        workspace=workspace, name="Page", kind=Source.Kind.SEARCH, network="facebook"
    )
    ingest(source, items)
    question = Mention.objects.get(external_id=f"dm:{PERSON}/m_AbC1")
    answer = Mention.objects.get(external_id=f"dm:{PERSON}/m_AbC2")
    assert question.kind == "message" and question.conversation_id == answer.conversation_id
    conversation = Conversation.objects.get(pk=question.conversation_id)
    assert conversation.root_external_id == "dm:t_10161234567890"
    comment = Mention.objects.filter(workspace=workspace, kind="comment").first()
    assert comment is not None and comment.conversation_id != question.conversation_id


@pytest.mark.django_db
def test_past_the_window_the_inbox_keeps_the_failure_and_the_page_stays_connected(
    inbox, workspace, bob
):
    source = Source.objects.create(
        workspace=workspace, name="Page", kind=Source.Kind.SEARCH, network="facebook"
    )
    ingest(source, page().fetch(None).items)
    account = Account.objects.create(
        workspace=workspace,
        network="facebook",
        handle="Facebook for Developers",
        config={"page_id": PAGE, "page_token": TOKEN, "messaging": True},
    )
    words = "(#10) This message is sent outside of allowed window."
    inbox.route(path(PAGE, "messages"), error(10, words, subcode=2018278))
    question = Mention.objects.get(external_id=f"dm:{PERSON}/m_AbC1")
    responder = Member.objects.select_related("workspace", "user").get(
        user=bob, workspace=workspace
    )
    message = actions.do_reply(question.conversation, responder, "Sorry for the wait!")
    assert message.state == State.FAILED
    assert "within 24 hours" in message.error and "outside of allowed window" in message.error
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE and account.last_error == ""
    assert not inbox.hits(path(f"{PERSON}", "comments"))  # never a public comment


def test_a_message_longer_than_messenger_takes_is_refused_before_sending(inbox):
    with pytest.raises(ConnectorError, match="at most 2,000 characters") as caught:
        page().reply(f"dm:{PERSON}/m_AbC1", "x" * 2001)
    assert caught.value.rejected and not inbox.hits(path(PAGE, "messages"))


def _messaging_notice(object_type: str, owner: str) -> bytes:
    """A Messenger Platform ``messages`` webhook event (documented shape: the entry names
    the Page, or the Instagram account, and carries ``messaging``, not ``changes``)."""
    event = {
        "sender": {"id": PERSON},
        "recipient": {"id": owner},
        "timestamp": 1765000000000,
        "message": {"mid": "m_AbC9", "text": "Are you open today?"},
    }
    entry = {"id": owner, "time": 1765000000000, "messaging": [event]}
    return json.dumps({"object": object_type, "entry": [entry]}).encode()


@pytest.mark.usefixtures("hooks", "later")
@pytest.mark.parametrize(
    ("network", "object_type", "owner"),
    [("facebook", "page", WEBHOOK_PAGE), ("instagram", "instagram", WEBHOOK_IG)],
)
def test_a_message_notification_makes_the_account_due_now(network, object_type, owner):
    body = _messaging_notice(object_type, owner)
    assert deliver(body, signed(body), network).status_code == 200
    others = {"facebook": "instagram", "instagram": "facebook"}
    assert due(network) and not due(others[network])


def test_a_busy_conversation_is_read_back_to_the_cursor_page_by_page(inbox):
    """More messages since the last poll than come with the conversation: the older ones
    are read from ``/{conversation}/messages`` (documented shape), back to the cursor."""
    busy = json.loads(json.dumps(CONVERSATIONS))
    nested = busy["data"][0]["messages"]
    nested["paging"]["next"] = (
        "https://graph.facebook.com/v23.0/t_10161234567890/messages?after=QVFJ"
    )
    older = {
        "data": [
            {
                "id": "m_AbB9",
                "created_time": "2026-11-20T08:59:00+0000",
                "message": "Hi",
                "from": ADA,
            },
            {
                "id": "m_AbB8",
                "created_time": "2026-11-19T08:00:00+0000",
                "message": "Old",
                "from": ADA,
            },
        ]
    }
    inbox.route(path(PAGE, "conversations"), Reply(200, json.dumps(busy), JSON))
    inbox.route(path("t_10161234567890", "messages"), Reply(200, json.dumps(older), JSON))
    got = page().fetch("2026-11-20T08:00:00+00:00")
    ids = [i.external_id.rsplit("/", 1)[1] for i in got.items if i.kind == "message"]
    assert ids == ["m_AbB9", "m_AbC1", "m_AbC2"]  # not the one before the cursor
    (asked,) = inbox.hits(path("t_10161234567890", "messages"))
    assert query(asked)["after"] == "QVFJ"
    # A first poll reads only what came with the conversation.
    inbox.requests.clear()
    page().fetch(None)
    assert not inbox.hits(path("t_10161234567890", "messages"))


def test_messages_newer_than_the_comments_do_not_move_the_comments_time(inbox):
    """Messages from 2026 beside comments from 2014: the next poll still reads from the
    newest comment's second (a comment Meta lists late is not skipped), and the messages
    from their own."""
    cursor = f"{NEWEST_COMMENT}|dm:2026-11-20T09:05:00+00:00"  # as the first poll left it
    got = page().fetch(cursor)
    comments = [i.text for i in got.items if i.kind != "message"]
    messages = [i.external_id for i in got.items if i.kind == "message"]
    assert comments == ["完成さしてからだせや！！"]  # the cursor's own second, read again
    assert messages == [f"dm:{PERSON}/m_AbC2"]  # the messages' own second
    assert got.cursor == cursor


def test_messages_refused_for_a_day_are_read_back_to_their_own_time_once_allowed(inbox):
    """A message written while messages were refused, older than the comments read since,
    is read once they are allowed (one shared time would have skipped it)."""
    words = "(#200) Requires pages_messaging permission to manage the object"
    inbox.route(path(PAGE, "conversations"), error(200, words, status=403))
    refused = page().fetch("2014-08-01T00:00:00+00:00")
    assert refused.cursor == f"{NEWEST_COMMENT}|dm:2014-08-01T00:00:00+00:00"
    meanwhile = json.loads(json.dumps(CONVERSATIONS))
    meanwhile["data"][0]["updated_time"] = "2014-08-10T12:00:00+0000"
    meanwhile["data"][0]["messages"]["data"] = [
        {
            "id": "m_Aa01",
            "created_time": "2014-08-10T12:00:00+0000",
            "message": "Are you open on Sunday?",
            "from": ADA,
        }
    ]
    inbox.route(path(PAGE, "conversations"), Reply(200, json.dumps(meanwhile), JSON))
    allowed = page().fetch(refused.cursor)  # a day later, the permission granted
    messages = [i.text for i in allowed.items if i.kind == "message"]
    assert messages == ["Are you open on Sunday?"]
    assert allowed.cursor == f"{NEWEST_COMMENT}|dm:2014-08-10T12:00:00+00:00"


def test_an_account_without_messages_keeps_a_cursor_of_one_time(inbox):
    assert page(messaging=False).fetch(None).cursor == NEWEST_COMMENT


PHOTO = "https://scontent.xx.fbcdn.net/v/t1.15752-9/468911202_1.jpg?_nc_cat=1&oh=00_AYB&oe=675A1B2C"
INVOICE = "https://cdn.fbsbx.com/v/t59.2708-21/468922_invoice.pdf?_nc_cat=2&oh=00_AYC&oe=675A"


def with_attachments(conversations: dict) -> dict:
    """The customer's message with a photo and a PDF, in the shape the Conversations API
    documents for a message's ``attachments`` (``image_data.url``, ``file_url``)."""
    changed = json.loads(json.dumps(conversations))
    message = changed["data"][0]["messages"]["data"][1]
    message["attachments"] = {
        "data": [
            {
                "id": "1120304",
                "mime_type": "image/jpeg",
                "name": "image-468911202.jpg",
                "size": 84211,
                "image_data": {"width": 960, "height": 1280, "url": PHOTO, "preview_url": PHOTO},
            },
            {
                "id": "1120305",
                "mime_type": "application/pdf",
                "name": "invoice.pdf",
                "size": 20480,
                "file_url": INVOICE,
            },
        ],
        "paging": {"cursors": {"before": "QVFIc", "after": "QVFId"}},
    }
    return changed


def test_a_messages_photo_and_file_are_stored_under_its_text_for_the_inbox(inbox):
    inbox.route(
        path(PAGE, "conversations"), Reply(200, json.dumps(with_attachments(CONVERSATIONS)), JSON)
    )
    got = page().fetch(None)
    question = next(i for i in got.items if i.external_id == f"dm:{PERSON}/m_AbC1")
    assert question.text == f"My ring is too big\n\n{PHOTO}\n{INVOICE}"
    assert media.image_urls(question.text, question.url) == [PHOTO]  # a thumbnail
    assert [f.url for f in media.files(question.text, question.url)] == [INVOICE]  # a link
    (asked,) = inbox.hits(path(PAGE, "conversations"))
    assert "attachments" in query(asked)["fields"]
