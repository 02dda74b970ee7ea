"""The Reddit connector against traffic recorded from reddit.com by PRAW's test suite.

PRAW's cassettes are betamax JSON; they are rewritten as vcrpy cassettes in a temporary
folder and replayed at the HTTP boundary.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from harken.networks.base import ConnectorError
from harken.networks.reddit.connector import Reddit
from tests.networks.recorded import betamax_to_vcr, recorded, replay

CONFIG = {
    "client_id": "placeholder-id",
    "client_secret": "placeholder-secret",
    "refresh_token": "placeholder",
}


INBOX = (
    "TestInbox.test_mentions",
    "TestInbox.test_comment_replies",
    "TestInbox.test_submission_replies",
)


@pytest.fixture
def cassette(tmp_path):
    def convert(*names: str):
        sources = [recorded("reddit-praw", f"{name}.json") for name in names]
        target = betamax_to_vcr(sources, tmp_path / f"{names[0]}.json")
        if set(names) & set(INBOX):  # an account's fetch reads its private messages too
            with_messages(target)
        return target

    return convert


def with_messages(target: Path) -> Path:
    """Add the private-message listing to a converted cassette: PRAW's recording of one
    message (``/message/messages/30rhflk/``, a Listing of that t4) answers the inbox's
    ``/message/messages/`` listing, which has the same shape and no recording of its own."""
    source = recorded("reddit-praw", "TestInbox.test_message.json")
    (token, listing) = json.loads(betamax_to_vcr(source, target.with_suffix(".m")).read_text())[
        "interactions"
    ]
    listing["request"]["uri"] = "https://oauth.reddit.com/message/messages/?limit=100&raw_json=1"
    data = json.loads(target.read_text())
    data["interactions"].append(listing)
    target.write_text(json.dumps(data))
    return target


def test_the_inbox_is_mentions_and_replies_oldest_first(cassette):
    with replay(cassette(*INBOX), serializer="json") as (sent, _):
        page = Reddit(CONFIG).fetch(None)
    assert sent.paths()[0] == "/api/v1/access_token"
    assert {"/message/mentions", "/message/comments/", "/message/selfreply/"} <= set(sent.paths())
    assert sent.query(1)["limit"] == ["100"]
    # 16 mentions, 64 replies to our comments, 64 to our posts, one private message; PRAW's
    # request for a second page gets the same recorded page again, nothing counted twice.
    assert len(page.items) == 16 + 64 + 64 + 1
    assert len({i.external_id for i in page.items}) == len(page.items)
    assert [i.created for i in page.items] == sorted(i.created for i in page.items)
    kinds = {i.raw["type"]: i.kind for i in page.items}
    assert kinds == {
        "username_mention": "comment",
        "comment_reply": "reply",
        "post_reply": "reply",
        "unknown": "message",  # the private message's own type
    }
    assert page.cursor == "1750351619.0|t1_mynqwvd"


def test_a_mention_keeps_its_author_thread_and_link(cassette):
    with replay(cassette(*INBOX), serializer="json"):
        page = Reddit(CONFIG).fetch(None)
    mention = next(i for i in page.items if i.external_id == "t1_ekftbox")
    assert mention.author_handle == "2Botter2Loop"
    assert mention.author_id == "t2_3efd9zdo"
    assert mention.in_reply_to == "t3_bb24k7"
    assert mention.conversation_id == "t3_bb24k7"
    assert mention.url == (
        "https://www.reddit.com/r/RemovedByBotter/comments/bb24k7/"
        "just_a_normal_girl_going_for_her_10th_class_exam/ekftbox/"
    )
    assert mention.text.startswith("Hello /u/<USERNAME>,")


def test_a_reply_to_our_comment_points_at_it(cassette):
    with replay(cassette(*INBOX), serializer="json"):
        page = Reddit(CONFIG).fetch(None)
    reply = next(i for i in page.items if i.external_id == "t1_mynqwvd")
    assert (reply.kind, reply.text, reply.author_handle) == ("reply", "Comment Body", "Lil_SpazBot")
    assert reply.in_reply_to == "t1_myngt77"
    assert reply.conversation_id == "t3_1j7g9uj"


def test_it_authenticates_with_the_refresh_token(cassette):
    with replay(cassette(*INBOX), serializer="json") as (sent, _):
        Reddit(CONFIG).fetch(None)
    token_request = parse_qs(
        sent[0].body.decode() if isinstance(sent[0].body, bytes) else sent[0].body
    )
    assert token_request == {"grant_type": ["refresh_token"], "refresh_token": ["placeholder"]}


def test_a_cursor_returns_only_newer_items(cassette):
    # The fourth-newest reply to our comments: the three after it are new, it is not,
    # and every recorded mention and reply to our posts is older.
    with replay(cassette(*INBOX), serializer="json"):
        page = Reddit(CONFIG).fetch("1750351600.0|t1_mynquj1")
    assert [i.external_id for i in page.items] == ["t1_mynqvbt", "t1_mynqw2i", "t1_mynqwvd"]
    assert page.cursor == "1750351619.0|t1_mynqwvd"


def test_nothing_new_keeps_the_cursor(cassette):
    with replay(cassette(*INBOX), serializer="json"):
        page = Reddit(CONFIG).fetch("1750351619.0|t1_mynqwvd")
    assert page.items == []
    assert page.cursor == "1750351619.0|t1_mynqwvd"


def test_a_search_reads_reddit_newest_first(cassette):
    with replay(cassette("TestSubreddit.test_search"), serializer="json") as (sent, _):
        page = Reddit(CONFIG, query="praw oauth search").fetch(None)
    assert sent.paths()[-1] == "/r/all/search/"
    query = sent.query(1)
    assert query["q"] == ["praw oauth search"] and query["sort"] == ["new"]
    assert {i.kind for i in page.items} == {"post"}
    post = next(i for i in page.items if i.external_id == "t3_3gpbiu")
    assert post.text.startswith("[PRAW][OAuth2Util] Problem using get_ban")
    assert post.conversation_id == "t3_3gpbiu"
    assert post.url.startswith("https://www.reddit.com/r/")


def test_a_subreddit_query_searches_that_subreddit(cassette):
    with replay(
        cassette("TestSubreddit.test_search"), serializer="json", match_on=("method", "host")
    ) as (sent, _):
        Reddit(CONFIG, query="subreddit:redditdev praw oauth").fetch(None)
    assert sent.paths()[-1] == "/r/redditdev/search/"
    assert sent.query(1)["q"] == ["praw oauth"]
    assert sent.query(1)["restrict_sr"] == ["True"]


def test_a_subreddit_alone_reads_its_new_comments(cassette):
    with replay(
        cassette("TestInbox.test_mentions"), serializer="json", match_on=("method", "host")
    ) as (sent, _):
        Reddit(CONFIG, query="subreddit:redditdev").fetch(None)
    assert sent.paths()[-1] == "/r/redditdev/comments/"


def test_reply_to_a_comment(cassette):
    with replay(cassette("TestComment.test_reply"), serializer="json") as (sent, _):
        published = Reddit(CONFIG).reply("t1_d1616q2", "Comment reply")
    assert published.external_id == "t1_d1680wu"
    assert published.url == "https://www.reddit.com/comments/4b1tfm/_/d1680wu/"
    body = parse_qs(sent[-1].body.decode() if isinstance(sent[-1].body, bytes) else sent[-1].body)
    assert body["thing_id"] == ["t1_d1616q2"] and body["text"] == ["Comment reply"]


def test_reply_to_a_post(cassette):
    with replay(cassette("TestSubmission.test_reply"), serializer="json") as (sent, _):
        published = Reddit(CONFIG).reply("t3_4b1tfm", "Test reply")
    assert published.external_id.startswith("t1_")
    body = parse_qs(sent[-1].body.decode() if isinstance(sent[-1].body, bytes) else sent[-1].body)
    assert body["thing_id"] == ["t3_4b1tfm"]


def test_a_reply_to_something_else_is_refused_before_any_request():
    with pytest.raises(ConnectorError, match="only reply to a comment, a post or a message"):
        Reddit(CONFIG).reply("t5_2qh1i", "hello")


def test_a_forbidden_answer_is_permanent_and_keeps_reddits_words(cassette):
    # Reddit's real 403 for a token that may not read the inbox, served for any GET.
    with (
        replay(
            cassette("TestInbox.test_message__unauthorized"),
            serializer="json",
            match_on=("method", "host"),
        ) as (sent, _),
        pytest.raises(ConnectorError) as caught,
    ):
        Reddit(CONFIG).fetch(None)
    assert caught.value.permanent is True
    assert "Forbidden" in caught.value.message
    assert sent.paths() == ["/api/v1/access_token", "/message/mentions"]  # not retried


def test_without_a_user_token_searches_run_app_only(cassette, monkeypatch):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "installation-id")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "installation-secret")
    with replay(cassette("TestSubreddit.test_search"), serializer="json") as (sent, _):
        page = Reddit({}, query="praw oauth search").fetch(None)
    assert parse_qs(sent[0].body.decode() if isinstance(sent[0].body, bytes) else sent[0].body) == {
        "grant_type": ["client_credentials"]
    }
    assert page.items


def test_without_a_user_token_the_inbox_needs_an_account(monkeypatch):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "installation-id")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "installation-secret")
    with pytest.raises(ConnectorError, match="needs a connected account") as caught:
        Reddit({}).fetch(None)
    assert caught.value.permanent is True


def test_the_registry_serves_this_connector():
    from harken.networks.registry import connector_class

    assert connector_class("reddit") is Reddit


def test_without_app_keys_it_says_what_to_set(monkeypatch):
    monkeypatch.delenv("HARKEN_REDDIT_CLIENT_ID", raising=False)
    with pytest.raises(ConnectorError, match="HARKEN_REDDIT_CLIENT_ID") as caught:
        Reddit({}, query="rings")
    assert caught.value.permanent is True
