"""X direct messages against a local X (tests/lib/localserver.py). The mentions are the
page X really sent in tweepy's recording; the DM traffic is not recorded anywhere, so
``/2/dm_events``, ``POST /2/dm_conversations/with/:participant_id/messages`` and the
403 "Client Forbidden" (``reason: client-not-enrolled``) problem are answered in the
shapes X's API v2 reference documents (docs.x.com: Direct Messages lookup and manage)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from harken.core.models import Member
from harken.inbox import actions, media
from harken.inbox.models import Conversation, Message
from harken.inbox.states import State
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from harken.networks.base import ConnectorError
from harken.networks.models import Account, XUsage
from harken.networks.x.connector import X
from tests.lib.localserver import Reply
from tests.networks.x_local import recorded_body

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback")]

ME = "783214"  # @Twitter, whose mentions tweepy recorded
CUSTOMER = "1585094756197953537"
FRIEND = "1352398726131593216"
CONFIG = {
    "bearer_token": "user-token",
    "user_id": ME,
    "handle": "Twitter",
    "scope": "tweet.read tweet.write users.read offline.access dm.read dm.write",
}
JSON = {"Content-Type": "application/json"}
MENTIONS = f"/2/users/{ME}/mentions"
EVENTS = "/2/dm_events"
ONE_TO_ONE = f"{ME}-{CUSTOMER}"
FORBIDDEN = {
    "client_id": "26839447",
    "detail": "When authenticating requests to the Twitter API v2 endpoints, you must use keys "
    "and tokens from a Twitter developer App that is attached to a Project. You can create a "
    "project via the developer portal.",
    "registration_url": "https://developer.twitter.com/en/docs/projects/overview",
    "title": "Client Forbidden",
    "required_enrollment": "Appropriate Level of API Access",
    "reason": "client-not-enrolled",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
}


def _event(eid: str, sender: str, text: str, at: str, conversation: str = ONE_TO_ONE) -> dict:
    return {
        "id": eid,
        "text": text,
        "event_type": "MessageCreate",
        "dm_conversation_id": conversation,
        "created_at": at,
        "sender_id": sender,
    }


USERS = [
    {
        "id": CUSTOMER,
        "name": "Ada",
        "username": "ada_rings",
        "public_metrics": {"followers_count": 12},
    },
    {"id": FRIEND, "name": "Bo", "username": "bo", "public_metrics": {"followers_count": 3}},
    {"id": ME, "name": "Twitter", "username": "Twitter", "public_metrics": {"followers_count": 1}},
]
NEWEST = {  # the first page, newest first, with an older page behind it
    "data": [
        _event("1582838223418425346", ME, "Which size is it?", "2022-10-19T21:00:00.000Z"),
        _event("1582838223418425345", CUSTOMER, "My ring is too big", "2022-10-19T20:58:00.000Z"),
        {
            "id": "1582838223418425344",
            "event_type": "ParticipantsJoin",
            "dm_conversation_id": "group-1",
            "created_at": "2022-10-19T20:50:00.000Z",
            "participant_ids": [FRIEND],
        },
    ],
    "includes": {"users": USERS},
    "meta": {"result_count": 3, "next_token": "page-2"},
}
OLDER = {
    "data": [
        _event(
            "1582838223418425300", FRIEND, "Open on Sunday?", "2022-10-19T18:00:00.000Z", "group-1"
        )
    ],
    "includes": {"users": USERS},
    "meta": {"result_count": 1},
}


@pytest.fixture
def x(settings, server, workspace):
    settings.X_API_URL = server.base
    server.route(MENTIONS, Reply(200, recorded_body("test_client_get_users_mentions.yaml"), JSON))
    return X(dict(CONFIG), workspace=workspace)


def _pages(server, newest: dict = NEWEST) -> None:
    """``/2/dm_events``: ``newest``, then the older page (a route's replies play in order)."""
    first = Reply(200, json.dumps(newest), JSON)
    second = Reply(200, json.dumps(OLDER), JSON)
    server.route(EVENTS, first, second)


def test_dm_events_are_read_as_private_messages_beside_the_mentions(x, server):
    _pages(server)
    page = x.fetch(None)
    messages = [i for i in page.items if i.kind == "message"]
    assert len(page.items) == 10 + 2  # the recorded mentions, and the newest page's two messages
    question, answer = messages
    assert question.external_id == f"dm:{ONE_TO_ONE}/1582838223418425345"
    assert question.text == "My ring is too big" and question.author_handle == "ada_rings"
    assert question.author_id == CUSTOMER and question.author_followers == 12
    assert question.in_reply_to == question.conversation_id == f"dm:{ONE_TO_ONE}"
    assert answer.is_own and not question.is_own
    assert question.url == f"https://x.com/messages/{ONE_TO_ONE}"
    (asked,) = server.hits(EVENTS)
    query = parse_qs(urlsplit(asked.path).query)
    assert query["event_types"] == ["MessageCreate"]
    assert query["expansions"] == ["sender_id,attachments.media_keys"]
    assert query["media.fields"] == ["url,type,preview_image_url"]
    assert asked.headers["authorization"] == "Bearer user-token"
    assert json.loads(page.cursor)["dm"] == "1582838223418425346"
    # Each event read is counted on the workspace's X bill, like a post.
    usage = XUsage.objects.get(workspace=x.workspace_id)
    assert usage.posts_read == 10 + 3


def test_the_next_poll_walks_back_to_the_cursor_and_reads_only_newer_events(x, server):
    _pages(server)
    cursor = x.fetch(None).cursor
    newer = {
        "data": [
            _event("1582838223418425400", CUSTOMER, "Size 6 please", "2022-10-19T22:00:00.000Z"),
            *NEWEST["data"],
        ],
        "includes": {"users": USERS},
        "meta": {"result_count": 4, "next_token": "page-2"},
    }
    server.requests.clear()
    _pages(server, newer)
    page = x.fetch(cursor)
    messages = [i.external_id for i in page.items if i.kind == "message"]
    assert messages == [f"dm:{ONE_TO_ONE}/1582838223418425400"]
    assert len(server.hits(EVENTS)) == 1  # the page reached the cursor: no older page asked
    assert json.loads(page.cursor)["dm"] == "1582838223418425400"


def test_a_quiet_cursor_walks_back_through_older_pages(x, server):
    _pages(server)
    page = x.fetch(json.dumps({"since": "1", "dm": "1582838223418425200"}))
    ids = [i.external_id.rsplit("/", 1)[1] for i in page.items if i.kind == "message"]
    assert ids == ["1582838223418425300", "1582838223418425345", "1582838223418425346"]
    second = server.hits(EVENTS)[1]
    assert parse_qs(urlsplit(second.path).query)["pagination_token"] == ["page-2"]


def test_a_message_is_answered_privately_to_the_other_person(x, server):
    answer = {"data": {"dm_conversation_id": ONE_TO_ONE, "dm_event_id": "1582838223418425999"}}
    path = f"/2/dm_conversations/with/{CUSTOMER}/messages"
    server.route(path, Reply(201, json.dumps(answer), JSON))
    published = x.reply(f"dm:{ONE_TO_ONE}/1582838223418425345", "Size 6 it is!")
    assert published.external_id == f"dm:{ONE_TO_ONE}/1582838223418425999"
    assert published.url == f"https://x.com/messages/{ONE_TO_ONE}"
    (sent,) = server.hits(path)
    assert sent.method == "POST" and json.loads(sent.body) == {"text": "Size 6 it is!"}
    assert not server.hits("/2/tweets")  # never a public post


def test_a_group_message_is_answered_in_the_group(x, server):
    answer = {"data": {"dm_conversation_id": "group-1", "dm_event_id": "1582838223418426000"}}
    server.route("/2/dm_conversations/group-1/messages", Reply(201, json.dumps(answer), JSON))
    published = x.reply("dm:group-1/1582838223418425300", "Yes, ten to four.")
    assert published.external_id == "dm:group-1/1582838223418426000"


def test_a_plan_without_dms_is_said_plainly_and_mentions_still_read(x, server):
    server.route(EVENTS, Reply(403, json.dumps(FORBIDDEN), JSON))
    page = x.fetch(None)
    assert len(page.items) == 10 and all(i.kind != "message" for i in page.items)
    ((what, why),) = page.skipped
    assert what == "direct messages"
    assert why.startswith("Your X plan does not include direct messages")
    assert "attached to a Project" in why  # X's own words are kept
    assert x.config_changed and x.config["messages_refused"]["why"] == why
    # Not a crash, not "reconnect needed", and not asked again at every poll.
    again = X(x.config, workspace=x.workspace_id).fetch(page.cursor)
    assert again.skipped == [] and len(server.hits(EVENTS)) == 1


def test_a_reply_the_plan_refuses_is_rejected_not_a_reconnect(x, server):
    server.route(
        f"/2/dm_conversations/with/{CUSTOMER}/messages", Reply(403, json.dumps(FORBIDDEN), JSON)
    )
    with pytest.raises(
        ConnectorError, match="Your X plan does not include direct messages"
    ) as caught:
        x.reply(f"dm:{ONE_TO_ONE}/1582838223418425345", "Hello")
    assert caught.value.rejected and not caught.value.permanent


def test_a_person_who_takes_no_messages_rejects_the_reply_in_xs_words(x, server):
    refused = {
        "title": "Forbidden",
        "detail": "You are not permitted to send this Direct Message.",
        "type": "about:blank",
        "status": 403,
    }
    server.route(
        f"/2/dm_conversations/with/{CUSTOMER}/messages", Reply(403, json.dumps(refused), JSON)
    )
    with pytest.raises(ConnectorError, match="not permitted to send") as caught:
        x.reply(f"dm:{ONE_TO_ONE}/1582838223418425345", "Hello")
    assert caught.value.rejected


def test_a_token_granted_without_dm_scopes_is_not_asked_and_says_reconnect(x, server):
    _pages(server)
    x.config["scope"] = "tweet.read tweet.write users.read offline.access"
    page = x.fetch(None)
    assert not server.hits(EVENTS)
    ((_, why),) = page.skipped
    assert "connect it again" in why


def test_a_token_of_unknown_scope_reads_no_dms(x, server):
    _pages(server)
    x.config.pop("scope")
    page = x.fetch(None)
    assert not server.hits(EVENTS) and page.skipped == [] and len(page.items) == 10


def test_each_dm_conversation_is_one_private_conversation_in_the_inbox(x, server, workspace):
    _pages(server)
    items = x.fetch(json.dumps({"since": "1", "dm": "1"})).items
    source = Source.objects.create(
        workspace=workspace, name="X", kind=Source.Kind.SEARCH, network="x"
    )
    ingest(source, items)
    question = Mention.objects.get(external_id=f"dm:{ONE_TO_ONE}/1582838223418425345")
    answer = Mention.objects.get(external_id=f"dm:{ONE_TO_ONE}/1582838223418425346")
    group = Mention.objects.get(external_id="dm:group-1/1582838223418425300")
    assert question.kind == "message" and question.conversation_id == answer.conversation_id
    assert group.conversation_id != question.conversation_id
    roots = set(
        Conversation.objects.filter(
            pk__in=[question.conversation_id, group.conversation_id]
        ).values_list("root_external_id", flat=True)
    )
    assert roots == {f"dm:{ONE_TO_ONE}", "dm:group-1"}


def test_the_inbox_answers_a_dm_conversation_privately(x, server, workspace, bob):
    """The whole path: read, threaded, answered from the inbox through the connector."""
    _pages(server)
    items = x.fetch(json.dumps({"since": "1", "dm": "1"})).items
    source = Source.objects.create(
        workspace=workspace, name="X", kind=Source.Kind.SEARCH, network="x"
    )
    ingest(source, items)
    Account.objects.create(workspace=workspace, network="x", handle="Twitter", config=dict(CONFIG))
    answer = {"data": {"dm_conversation_id": ONE_TO_ONE, "dm_event_id": "1582838223418425999"}}
    path = f"/2/dm_conversations/with/{CUSTOMER}/messages"
    server.route(path, Reply(201, json.dumps(answer), JSON))
    question = Mention.objects.get(external_id=f"dm:{ONE_TO_ONE}/1582838223418425345")
    responder = Member.objects.select_related("workspace", "user").get(
        user=bob, workspace=workspace
    )
    message = actions.do_reply(question.conversation, responder, "Size 6 it is!")
    assert message.state == State.SENT, message.error
    assert message.in_reply_to == question.external_id
    assert message.external_id == f"dm:{ONE_TO_ONE}/1582838223418425999"
    (sent,) = server.hits(path)
    assert json.loads(sent.body) == {"text": "Size 6 it is!"}
    assert not server.hits("/2/tweets")


def test_a_dm_rate_limit_keeps_the_mentions_already_paid_for(x, server, workspace):
    """X's 429 (documented ``Retry-After``): the DMs wait, the mentions read are kept."""
    limited = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank"}
    server.route(EVENTS, Reply(429, json.dumps(limited), {**JSON, "Retry-After": "900"}))
    page = x.fetch(None)
    assert len(page.items) == 10 and all(i.kind != "message" for i in page.items)
    ((what, why),) = page.skipped
    assert what == "direct messages" and "rate limit" in why
    assert len(server.hits(EVENTS)) == 1  # not slept through: asked again next poll
    assert "dm" not in (page.cursor or "")  # from the same place next time
    assert "messages_refused" not in x.config  # not a refusal: no day-long pause
    usage = XUsage.objects.get(workspace=workspace)
    assert usage.reserved == 0 and usage.posts_read == 10  # the DM reservation released


LOST = f"/2/dm_conversations/{ONE_TO_ONE}/dm_events"
CLAIMED = datetime(2022, 10, 19, 20, 59, tzinfo=UTC)  # when the reply was claimed


def _conversation(*events: dict, next_token: str = "") -> Reply:
    """``GET /2/dm_conversations/:id/dm_events``, newest first (documented shape)."""
    meta = {"result_count": len(events), **({"next_token": next_token} if next_token else {})}
    body = {"data": list(events), "includes": {"users": USERS}, "meta": meta}
    return Reply(200, json.dumps(body), JSON)


def test_a_dm_cut_short_by_a_crash_is_found_among_the_conversations_events(x, server):
    """X keeps our link as t.co: the text matches with its links as marks."""
    sent = _event(
        "1582838223418425400", ME, "Sizes: https://t.co/Ab12 ok?", "2022-10-19T21:00:30.000Z"
    )
    question = _event("1582838223418425345", CUSTOMER, "My ring?", "2022-10-19T20:58:00.000Z")
    server.route(LOST, _conversation(sent, question))
    found = x.find_reply(
        f"dm:{ONE_TO_ONE}/1582838223418425345", "Sizes: https://rings.example/sizes ok?", CLAIMED
    )
    assert found is not None and found.external_id == f"dm:{ONE_TO_ONE}/1582838223418425400"
    assert found.url == f"https://x.com/messages/{ONE_TO_ONE}"
    (asked,) = server.hits(LOST)
    assert asked.headers["authorization"] == "Bearer user-token"
    assert XUsage.objects.get(workspace=x.workspace_id).posts_read >= 2  # paid like a read


def test_a_dm_not_sent_before_the_crash_is_not_found(x, server):
    """Only our own message after the claim counts: the same words from the customer, or
    ours from before the claim, do not; the walk stops at the claim's time."""
    theirs = _event("1582838223418425401", CUSTOMER, "Size 6 it is!", "2022-10-19T21:01:00.000Z")
    before = _event("1582838223418425346", ME, "Size 6 it is!", "2022-10-19T20:58:30.000Z")
    server.route(LOST, _conversation(theirs, before, next_token="page-2"))
    assert x.find_reply(f"dm:{ONE_TO_ONE}/1", "Size 6 it is!", CLAIMED) is None
    assert len(server.hits(LOST)) == 1  # older pages were there before the claim
    assert type(x).finds_replies
    with pytest.raises(NotImplementedError):
        x.find_reply("1582838223418425345", "A public reply", CLAIMED)


def test_a_dms_photo_is_stored_under_its_text_for_the_inbox(x, server):
    """A ``MessageCreate`` with ``attachments.media_keys`` and the expanded ``media`` (the
    shapes X's API v2 reference documents for dm_events): the photo's ``url``, a video's
    still, under the text X sent (which ends in its own t.co link)."""
    photo = _event(
        "1582838223418425500", CUSTOMER, "This one https://t.co/Ph0to", "2022-10-19T22:00:00.000Z"
    )
    photo["attachments"] = {"media_keys": ["3_1582838223402946560", "7_1582838223402946561"]}
    files = [
        {
            "media_key": "3_1582838223402946560",
            "type": "photo",
            "url": "https://ton.twitter.com/1.1/ton/data/dm/1582838223418425500/"
            "1582838223402946560/Xq3kFz8a.jpg",
        },
        {
            "media_key": "7_1582838223402946561",
            "type": "video",
            "preview_image_url": "https://pbs.twimg.com/dm_video_preview/1582838223402946561/"
            "img/Vq9.jpg",
        },
    ]
    body = {
        "data": [photo],
        "includes": {"users": USERS, "media": files},
        "meta": {"result_count": 1},
    }
    server.route(EVENTS, Reply(200, json.dumps(body), JSON))
    (item,) = [i for i in x.fetch(None).items if i.kind == "message"]
    assert item.text == "\n\n".join(
        ["This one https://t.co/Ph0to", "\n".join([files[0]["url"], files[1]["preview_image_url"]])]
    )
    # What the inbox makes of it: the still a thumbnail; the photo, which X serves only to
    # a signed-in request, a link.
    assert media.image_urls(item.text, item.url) == [files[1]["preview_image_url"]]
    assert files[0]["url"] in [f.url for f in media.files(item.text, item.url)]


def _interrupted_dm(x, server, workspace, bob, text: str):
    """A DM answer the inbox claimed at ``CLAIMED`` and never recorded (the worker died)."""
    _pages(server)
    source = Source.objects.create(
        workspace=workspace, name="X", kind=Source.Kind.SEARCH, network="x"
    )
    ingest(source, x.fetch(json.dumps({"since": "1", "dm": "1"})).items)
    account = Account.objects.create(
        workspace=workspace, network="x", handle="Twitter", config=dict(CONFIG)
    )
    question = Mention.objects.get(external_id=f"dm:{ONE_TO_ONE}/1582838223418425345")
    return Message.objects.create(
        workspace=workspace,
        conversation=question.conversation,
        text=text,
        state=State.SENDING,
        in_reply_to=question.external_id,
        account=account,
        author=bob,
        claimed_at=CLAIMED,
    )


def test_the_sweep_records_an_interrupted_dm_that_x_has_without_sending_it_again(
    x, server, workspace, bob
):
    message = _interrupted_dm(x, server, workspace, bob, "Size 6 it is!")
    ours = _event("1582838223418425400", ME, "Size 6 it is!", "2022-10-19T21:00:30.000Z")
    server.route(LOST, _conversation(ours))
    send = f"/2/dm_conversations/with/{CUSTOMER}/messages"

    assert actions.do_reconcile_interrupted() == {"resent": 0, "found": 1, "unknown": 0}
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.external_id == f"dm:{ONE_TO_ONE}/1582838223418425400"
    assert server.hits(send) == []


def test_the_sweep_sends_an_interrupted_dm_that_x_does_not_have(x, server, workspace, bob):
    message = _interrupted_dm(x, server, workspace, bob, "Size 6 it is!")
    server.route(LOST, _conversation())
    answer = {"data": {"dm_conversation_id": ONE_TO_ONE, "dm_event_id": "1582838223418425999"}}
    send = f"/2/dm_conversations/with/{CUSTOMER}/messages"
    server.route(send, Reply(201, json.dumps(answer), JSON))

    assert actions.do_reconcile_interrupted() == {"resent": 1, "found": 0, "unknown": 0}
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.external_id == f"dm:{ONE_TO_ONE}/1582838223418425999"
    assert len(server.hits(send)) == 1
