"""Bluesky chat (direct messages) against a local XRPC server answering the documented
``chat.bsky.convo`` lexicon shapes (convoView, messageView, deletedMessageView; listConvos,
getMessages, sendMessage), parsed by the atproto SDK's own models generated from those
lexicons. No recorded chat traffic exists, and the local Bluesky network
(~/.cache/atproto-localnet) has no chat service, so this is a local server, not a
recording. The profiles and the mentions are the recorded ones ``test_bluesky`` serves."""

from __future__ import annotations

import base64
import json
import threading
from datetime import timedelta

import pytest

from harken.inbox.models import Conversation
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from harken.networks.base import ConnectorError
from harken.networks.bluesky import chat as chat_module
from harken.networks.bluesky.connector import Bluesky
from tests.networks.test_bluesky import DID, HANDLE, XrpcServer, _fixtures, _load

CUSTOMER = _load("get_follows.json")["follows"][0]  # why.bsky.team, a real profile
OTHER = _load("get_follows.json")["follows"][1]
ME = {"did": DID, "handle": HANDLE, "displayName": "Harbor Street"}
PROXY = "did:web:api.bsky.chat#bsky_chat"


def _message(convo: str, mid: str, sender: str, text: str, sent: str) -> dict:
    return {
        "$type": "chat.bsky.convo.defs#messageView",
        "id": mid,
        "rev": f"rev{mid}",
        "text": text,
        "sender": {"did": sender},
        "sentAt": sent,
    }


def _privileged(jwt: str, scope: str) -> str:
    """``jwt`` (``test_bluesky``'s unsigned session token) with another ``scope``."""
    head, payload, signature = jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = scope
    encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{encoded}.{signature}"


def _profile(view: dict) -> dict:
    return {key: view[key] for key in ("did", "handle", "displayName") if key in view}


class ChatServer(XrpcServer):
    """The PDS of ``test_bluesky`` that also forwards chat: two convos, newest first."""

    def __init__(self) -> None:
        super().__init__()
        self.data["notifications"] = []
        self.messages = {
            "convo-ring": [  # newest first, as getMessages answers
                _message("convo-ring", "m3", DID, "Sorry! Which size?", "2026-11-20T09:05:00Z"),
                _message(
                    "convo-ring",
                    "m2",
                    CUSTOMER["did"],
                    "My ring is too big",
                    "2026-11-20T09:01:00Z",
                ),
                {
                    "$type": "chat.bsky.convo.defs#deletedMessageView",
                    "id": "m1",
                    "rev": "revm1",
                    "sender": {"did": CUSTOMER["did"]},
                    "sentAt": "2026-11-20T09:00:00Z",
                },
            ],
            "convo-hours": [
                _message(
                    "convo-hours", "h1", OTHER["did"], "Open on Sunday?", "2026-11-19T15:00:00Z"
                ),
            ],
        }
        self.members = {"convo-ring": CUSTOMER, "convo-hours": OTHER}
        self.scope = "com.atproto.appPassPrivileged"
        self.order: list[str] = []

    def answer(self, nsid: str, query: dict, body: dict) -> dict:
        if nsid in ("com.atproto.server.createSession", "com.atproto.server.refreshSession"):
            session = super().answer(nsid, query, body)
            # An app password made with "Allow access to your direct messages".
            return {**session, "accessJwt": _privileged(session["accessJwt"], self.scope)}
        if nsid == "chat.bsky.convo.listConvos":
            convos = [
                {
                    "id": convo,
                    "rev": messages[0]["rev"],
                    "members": [_profile(ME), _profile(self.members[convo])],
                    "lastMessage": messages[0],
                    "muted": False,
                    "unreadCount": 1,
                }
                for convo, messages in self.messages.items()
            ]
            if self.order:  # a reaction or a read moved a convo up without a message
                return {"convos": sorted(convos, key=lambda c: self.order.index(c["id"]))}
            return {
                "convos": sorted(convos, key=lambda c: c["lastMessage"]["sentAt"], reverse=True)
            }
        if nsid == "chat.bsky.convo.getMessages":
            messages = self.messages[query["convoId"][0]]
            return {"messages": messages[: int(query.get("limit", ["50"])[0])]}
        if nsid == "chat.bsky.convo.sendMessage":
            sent = _message(
                body["convoId"], "m9", DID, body["message"]["text"], "2026-11-20T09:30:00Z"
            )
            self.messages[body["convoId"]].insert(0, sent)
            return sent
        return super().answer(nsid, query, body)

    def headers_of(self, nsid: str) -> list[dict]:
        return [headers for path, _, _, headers in self.requests if path == nsid]


@pytest.fixture
def chat(loopback):
    server = ChatServer()
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def config(chat) -> dict:
    return {
        "handle": HANDLE,
        "app_password": "xxxx-xxxx-xxxx-xxxx",
        "service": chat.url,
        "did": DID,
    }


def test_each_convo_is_read_as_private_messages_through_the_chat_proxy(chat, config):
    page = Bluesky(config).fetch(None)
    items = page.items
    assert [i.external_id for i in items] == [
        "chat:convo-hours/h1",
        "chat:convo-ring/m2",
        "chat:convo-ring/m3",
    ]  # oldest first; the deleted message has no text and is left out
    hours, question, answer = items
    assert {i.kind for i in items} == {"message"}
    assert question.text == "My ring is too big"
    assert question.author_id == CUSTOMER["did"] and question.author_handle == CUSTOMER["handle"]
    assert question.in_reply_to == question.conversation_id == "chat:convo-ring"
    assert answer.conversation_id == "chat:convo-ring" and answer.is_own and not question.is_own
    assert hours.conversation_id == "chat:convo-hours"
    assert question.url == "https://bsky.app/messages/convo-ring"
    # Every chat call carries the proxy header; the PDS's own calls do not.
    chat_calls = chat.headers_of("chat.bsky.convo.listConvos") + chat.headers_of(
        "chat.bsky.convo.getMessages"
    )
    assert chat_calls and all(h.get("atproto-proxy") == PROXY for h in chat_calls)
    (notes,) = chat.headers_of("app.bsky.notification.listNotifications")
    assert "atproto-proxy" not in notes
    assert page.cursor.endswith(" chat:2026-11-20T09:05:00+00:00")


def test_the_next_poll_reads_only_newer_messages_and_stops_at_quiet_convos(chat, config):
    connector = Bluesky(config)
    cursor = connector.fetch(None).cursor
    chat.messages["convo-ring"].insert(
        0, _message("convo-ring", "m4", CUSTOMER["did"], "Size 6 please", "2026-11-20T10:00:00Z")
    )
    chat.requests.clear()
    page = connector.fetch(cursor)
    assert [i.external_id for i in page.items] == ["chat:convo-ring/m4"]
    # The quiet convo's last message is older than the cursor: its messages are not asked.
    asked = [q["convoId"] for q in chat.calls("chat.bsky.convo.getMessages")]
    assert asked == [["convo-ring"]]
    assert Bluesky(config).fetch(page.cursor).items == []


def test_a_quiet_convo_moved_up_by_a_reaction_does_not_hide_a_busy_one(chat, config):
    connector = Bluesky(config)
    cursor = connector.fetch(None).cursor
    chat.messages["convo-ring"].insert(
        0, _message("convo-ring", "m4", CUSTOMER["did"], "Size 6 please", "2026-11-20T10:00:00Z")
    )
    chat.order = ["convo-hours", "convo-ring"]
    page = connector.fetch(cursor)
    assert [i.external_id for i in page.items] == ["chat:convo-ring/m4"]
    assert chat.calls("chat.bsky.convo.listConvos")[0]["limit"] == ["25"]  # the first poll


def test_a_message_is_answered_privately_in_its_convo(chat, config):
    published = Bluesky(config).reply("chat:convo-ring/m2", "Size 6 it is!")
    assert published.external_id == "chat:convo-ring/m9"
    assert published.url == "https://bsky.app/messages/convo-ring"
    (sent,) = [body for path, _, body, _ in chat.requests if path == "chat.bsky.convo.sendMessage"]
    assert sent["convoId"] == "convo-ring" and sent["message"]["text"] == "Size 6 it is!"
    assert chat.headers_of("chat.bsky.convo.sendMessage")[0]["atproto-proxy"] == PROXY
    assert not chat.calls("com.atproto.repo.createRecord")  # never a public post


def test_a_keyed_retry_finds_the_message_already_sent(chat, config, monkeypatch):
    # The local server's clock is fixed in 2026-11: look back far enough to see it.
    monkeypatch.setattr(chat_module, "SAME_REPLY_WITHIN", timedelta(days=36500))
    first = Bluesky(config).reply("chat:convo-ring/m2", "Size 6 it is!", idempotency_key="k1")
    again = Bluesky(config).reply("chat:convo-ring/m2", "Size 6 it is!", idempotency_key="k1")
    assert again == first
    assert len(chat.calls("chat.bsky.convo.sendMessage")) == 1


def test_a_message_chat_refuses_is_rejected_in_blueskys_words(chat, config):
    refusal = {"error": "InvalidRequest", "message": "recipient has disabled incoming messages"}
    chat.fail("chat.bsky.convo.sendMessage", 400, refusal)
    with pytest.raises(ConnectorError, match="disabled incoming messages") as caught:
        Bluesky(config).reply("chat:convo-hours/h1", "We open at ten.")
    assert caught.value.rejected and not caught.value.permanent


def test_a_login_without_chat_access_still_reads_mentions_and_says_why(chat, config):
    chat.data["notifications"] = _fixtures()["notifications"]
    chat.fail(
        "chat.bsky.convo.listConvos",
        400,
        {"error": "InvalidToken", "message": "Bad token method"},
        times=2,
    )
    connector = Bluesky(config)
    page = connector.fetch(None)
    assert page.items and all(i.kind != "message" for i in page.items)
    ((what, why),) = page.skipped
    assert what == "direct messages" and "Allow access to your direct messages" in why
    assert "Bad token method" in why
    assert connector.config_changed and connector.config["messages_refused"]["why"] == why
    # Chat is not asked again at every poll once it said no.
    asked = len(chat.calls("chat.bsky.convo.listConvos"))
    again = Bluesky(connector.config).fetch(page.cursor)
    assert again.skipped == [] and len(chat.calls("chat.bsky.convo.listConvos")) == asked


def test_an_app_password_without_chat_access_is_not_sent_to_chat(chat, config):
    chat.scope = "com.atproto.appPass"  # made without "Allow access to your direct messages"
    chat.data["notifications"] = _fixtures()["notifications"]
    page = Bluesky(config).fetch(None)
    assert page.items and all(i.kind != "message" for i in page.items)
    assert not chat.calls("chat.bsky.convo.listConvos") and page.skipped == []


@pytest.mark.django_db
def test_each_convo_is_one_private_conversation_in_the_inbox(chat, config, workspace):
    items = Bluesky(config).fetch(None).items
    source = Source.objects.create(
        workspace=workspace, name="Bluesky", kind=Source.Kind.SEARCH, network="bluesky"
    )
    ingest(source, items)
    ring = Mention.objects.get(workspace=workspace, external_id="chat:convo-ring/m2")
    ours = Mention.objects.get(workspace=workspace, external_id="chat:convo-ring/m3")
    hours = Mention.objects.get(workspace=workspace, external_id="chat:convo-hours/h1")
    assert ring.kind == "message" and ring.conversation_id == ours.conversation_id
    assert hours.conversation_id != ring.conversation_id
    assert Conversation.objects.filter(workspace=workspace).count() == 2
    assert Conversation.objects.get(pk=ring.conversation_id).root_external_id == "chat:convo-ring"


def test_a_chat_rate_limit_keeps_the_mentions_and_the_chat_cursor(chat, config):
    chat.data["notifications"] = _fixtures()["notifications"]
    cursor = Bluesky(config).fetch(None).cursor
    limited = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
    chat.fail("chat.bsky.convo.listConvos", 429, limited, {"retry-after": "900"})
    page = Bluesky(config).fetch(cursor)
    ((what, why),) = page.skipped
    assert what == "direct messages" and "rate limit" in why.lower()
    assert page.cursor == cursor  # chat is read from the same place next time


def test_a_shared_post_is_stored_under_the_messages_text_for_the_inbox(chat, config):
    """Chat carries no images of its own; a message may share a post (``embed``, an
    ``app.bsky.embed.record#view`` per the lexicon). The shared post is the recorded one
    (thread_view_post_with_embed_media.json), shown as its bsky.app address."""
    post = _load("thread_view_post_with_embed_media.json")["thread"]["post"]
    shared = _message("convo-ring", "m4", CUSTOMER["did"], "This one?", "2026-11-20T09:06:00Z")
    shared["embed"] = {
        "$type": "app.bsky.embed.record#view",
        "record": {
            "$type": "app.bsky.embed.record#viewRecord",
            "uri": post["uri"],
            "cid": post["cid"],
            "author": post["author"],
            "value": post["record"],
            "indexedAt": post["indexedAt"],
        },
    }
    chat.messages["convo-ring"].insert(0, shared)
    (item,) = [i for i in Bluesky(config).fetch(None).items if i.external_id.endswith("/m4")]
    address = "https://bsky.app/profile/test.marshal.dev/post/3kaheyt6vpc22"
    assert item.text == f"This one?\n\n{address}"
