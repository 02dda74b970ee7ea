"""Reddit private messages: read from PRAW's recording of one message (replayed at the HTTP
boundary, see ``tests.networks.test_reddit.with_messages``), and answered privately
against a local Reddit that answers ``/api/comment`` in the documented shape of a
message reply (a ``t4`` thing under ``json.data.things``; no recording of one exists)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from harken.networks.base import ConnectorError
from harken.networks.reddit.connector import Reddit
from tests.lib.localserver import Reply
from tests.networks.recorded import betamax_to_vcr, recorded, replay
from tests.networks.test_reddit import CONFIG, INBOX, with_messages
from tests.networks.test_reddit_oauth import JSON, TOKEN_PATH, recorded_token


def test_a_private_message_is_read_as_its_own_private_thread(tmp_path):
    sources = [recorded("reddit-praw", f"{name}.json") for name in INBOX]
    target = with_messages(betamax_to_vcr(sources, tmp_path / "inbox.json"))
    with replay(target, serializer="json") as (sent, _):
        page = Reddit(CONFIG).fetch(None)
    assert "/message/messages/" in sent.paths()
    (message,) = [item for item in page.items if item.kind == "message"]
    assert message.external_id == "t4_30rhflk"
    assert message.text == "Test\n\nTest"  # the subject, then the body
    assert message.author_handle == "Lil_SpazTest"
    assert message.author_id == "t2_75u2lqkb"
    assert message.created == datetime.fromtimestamp(1750350342.0, UTC)
    assert message.in_reply_to == "" and message.conversation_id == "t4_30rhflk"
    assert message.url == "https://www.reddit.com/message/messages/30rhflk"


def test_a_message_is_answered_by_a_private_reply(monkeypatch, settings, loopback, server):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "reddit-client")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "reddit-secret")
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = server.base
    answer = {"id": "30rzzzz", "name": "t4_30rzzzz", "parent_id": "t4_30rhflk"}
    answer |= {"author": "harbor_jewelers", "dest": "Lil_SpazTest", "subreddit": None}
    answer |= {"body": "Thanks!", "replies": "", "created_utc": 1750350400.0}
    things = {"json": {"errors": [], "data": {"things": [{"kind": "t4", "data": answer}]}}}
    server.route(TOKEN_PATH, Reply(200, recorded_token(), headers=JSON))
    server.route("/api/comment/", Reply(200, json.dumps(things), headers=JSON))
    published = Reddit({"refresh_token": "placeholder"}).reply("t4_30rhflk", "Thanks!")
    assert published.external_id == "t4_30rzzzz"
    assert published.url == "https://www.reddit.com/message/messages/30rzzzz"
    (sent,) = server.hits("/api/comment/")
    assert "thing_id=t4_30rhflk" in sent.body.decode() and "text=Thanks%21" in sent.body.decode()


def test_a_message_reply_that_reddit_refuses_keeps_reddits_words(
    monkeypatch, settings, loopback, server
):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "reddit-client")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "reddit-secret")
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = server.base
    refused = {"json": {"errors": [["NOT_WHITELISTED_BY_USER_MESSAGE", "can't send", "to"]]}}
    server.route(TOKEN_PATH, Reply(200, recorded_token(), headers=JSON))
    server.route("/api/comment/", Reply(200, json.dumps(refused), headers=JSON))
    with pytest.raises(ConnectorError, match="can't send") as caught:
        Reddit({"refresh_token": "placeholder"}).reply("t4_30rhflk", "Thanks!")
    assert not caught.value.permanent
