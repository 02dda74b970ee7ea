"""A Reddit variant left in publishing by a crash is settled from the account's own recent
submissions before any retry: found by its title in its subreddit after the claim, it is
published with Reddit's id and address; not found, it is sent. A local Reddit answers
``/user/<name>/submitted`` in the documented Listing shape (no recording of one exists)
and ``/api/submit`` as PRAW's recording of a text post did."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from harken.networks.models import Account
from harken.publishing.engine import LEASE, do_publish_due
from harken.publishing.models import Variant
from harken.publishing.states import State
from tests.lib.localserver import Reply
from tests.networks.test_reddit_oauth import JSON, TOKEN_PATH, recorded_token
from tests.publishing.conftest import NOW, make_variant

pytestmark = pytest.mark.django_db

CLAIMED = NOW - LEASE - timedelta(minutes=1)
SUBMITTED = "/user/harborjewel/submitted"
TITLE = "Winter window"


@pytest.fixture
def reddit(monkeypatch, settings, loopback, server):
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_ID", "reddit-client")
    monkeypatch.setenv("HARKEN_REDDIT_CLIENT_SECRET", "reddit-secret")
    settings.REDDIT_URL = settings.REDDIT_OAUTH_URL = server.base
    server.route(TOKEN_PATH, Reply(200, recorded_token(), headers=JSON))
    return server


@pytest.fixture
def account(workspace) -> Account:
    config = {"refresh_token": "placeholder", "username": "harborjewel"}
    return Account.objects.create(
        workspace=workspace, network="reddit", handle="u/harborjewel", config=config
    )


def _submission(id_: str, title: str, subreddit: str, minutes_after_claim: float) -> dict:
    created = (CLAIMED + timedelta(minutes=minutes_after_claim)).timestamp()
    data = {"id": id_, "name": f"t3_{id_}", "title": title, "subreddit": subreddit}
    data |= {"subreddit_name_prefixed": f"r/{subreddit}", "author": "harborjewel"}
    data |= {"selftext": "Our winter window is open.", "created_utc": created}
    data |= {"permalink": f"/r/{subreddit}/comments/{id_}/winter_window/"}
    return {"kind": "t3", "data": data}


def _listing(*children: dict) -> str:
    return json.dumps({"kind": "Listing", "data": {"after": None, "children": list(children)}})


def _stuck(account: Account) -> Variant:
    variant = make_variant(account, "Our winter window is open.", state=State.PUBLISHING)
    Variant.objects.filter(pk=variant.pk).update(
        claimed_at=CLAIMED, post_options={"title": TITLE, "subreddit": "r/jewelry"}
    )
    return variant


def test_a_post_reddit_has_is_settled_with_its_id_and_not_sent_again(reddit, account):
    variant = _stuck(account)
    reddit.route(
        SUBMITTED,
        Reply(
            200,
            _listing(
                _submission("new1", "Something else", "jewelry", 3),  # another title
                _submission("other", TITLE, "rings", 2),  # the same title elsewhere
                _submission("ours", TITLE, "Jewelry", 1),  # Reddit's own capitals
                _submission("old", TITLE, "jewelry", -10),  # before the claim: last week's
            ),
            headers=JSON,
        ),
    )
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk] and report.published == [variant.pk]
    assert variant.state == State.PUBLISHED
    assert variant.external_id == "t3_ours"
    assert variant.url == "https://www.reddit.com/r/Jewelry/comments/ours/winter_window/"
    assert reddit.hits("/api/submit/") == []  # no second post
    (asked,) = reddit.hits(SUBMITTED)
    assert "sort=new" in asked.path


def test_a_post_reddit_lacks_is_sent_after_the_lookup(reddit, account):
    variant = _stuck(account)
    reddit.route(SUBMITTED, Reply(200, _listing(_submission("old", TITLE, "jewelry", -10))))
    answer = {"url": "https://www.reddit.com/r/jewelry/comments/4bbe4b/winter_window/"}
    answer |= {"id": "4bbe4b", "name": "t3_4bbe4b"}
    body = json.dumps({"json": {"errors": [], "data": answer}})
    reddit.route("/api/submit/", Reply(200, body, headers=JSON))
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.reconciled == [] and report.published == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_4bbe4b")
    assert len(reddit.hits("/api/submit/")) == 1
    order = [seen.path.split("?")[0] for seen in reddit.requests]
    assert order.index(SUBMITTED) < order.index("/api/submit/")  # looked up before the retry


def test_a_first_comment_cut_short_is_found_among_the_accounts_comments(reddit, account):
    """The post went out and was recorded; the crash came during its first comment: the
    comment is looked up by its text among the account's newest comments, not posted
    again."""
    variant = _stuck(account)
    Variant.objects.filter(pk=variant.pk).update(
        external_id="t3_ours", first_comment="Open until 8 tonight."
    )
    created = (CLAIMED + timedelta(minutes=1)).timestamp()
    comment = {"id": "c1", "name": "t1_c1", "link_id": "t3_ours", "parent_id": "t3_ours"}
    comment |= {"body": "Open until 8 tonight.", "created_utc": created, "author": "harborjewel"}
    comment |= {"subreddit": "jewelry", "permalink": "/r/jewelry/comments/ours/_/c1/"}
    reddit.route(
        "/user/harborjewel/comments", Reply(200, _listing({"kind": "t1", "data": comment}))
    )
    report = do_publish_due(NOW)
    variant.refresh_from_db()
    assert report.reconciled == [variant.pk]
    assert (variant.state, variant.parts) == (State.PUBLISHED, ["t1_c1"])
    assert reddit.hits("/api/comment/") == [] and reddit.hits(SUBMITTED) == []


def test_a_submit_that_failed_after_reddit_took_it_is_looked_up_before_the_retry(reddit, account):
    """Reddit answered the submit with a 5xx although it had made the post (a timeout or a
    gateway error can come after the write): the retry asks the account's submissions
    first and records the post it finds, instead of posting it a second time."""
    variant = make_variant(account, "Our winter window is open.")
    Variant.objects.filter(pk=variant.pk).update(
        post_options={"title": TITLE, "subreddit": "r/jewelry"}
    )
    reddit.route("/api/submit/", Reply(502, "Bad Gateway"))
    first = do_publish_due(NOW)
    variant.refresh_from_db()
    assert first.retrying == [variant.pk] and variant.state == State.SCHEDULED, variant.error
    assert len(reddit.hits("/api/submit/")) == 1  # sent once: not repeated on a 502

    # It was there all along: Reddit lists it among the account's submissions.
    reddit.route(SUBMITTED, Reply(200, _listing(_submission("ours", TITLE, "jewelry", 6))))
    later = do_publish_due(NOW + timedelta(minutes=5))
    variant.refresh_from_db()
    assert later.reconciled == [variant.pk] and later.published == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_ours")
    assert len(reddit.hits("/api/submit/")) == 1  # not posted again


def test_a_retry_reddit_has_nothing_of_is_sent(reddit, account):
    variant = make_variant(account, "Our winter window is open.")
    Variant.objects.filter(pk=variant.pk).update(
        post_options={"title": TITLE, "subreddit": "r/jewelry"}
    )
    answer = {"url": "https://www.reddit.com/r/jewelry/comments/4bbe4b/winter_window/"}
    answer |= {"id": "4bbe4b", "name": "t3_4bbe4b"}
    body = json.dumps({"json": {"errors": [], "data": answer}})
    reddit.route("/api/submit/", Reply(503, "Unavailable"), Reply(200, body, headers=JSON))
    reddit.route(SUBMITTED, Reply(200, _listing(_submission("old", TITLE, "jewelry", -10))))
    do_publish_due(NOW)
    later = do_publish_due(NOW + timedelta(minutes=5))
    variant.refresh_from_db()
    assert later.reconciled == [] and later.published == [variant.pk]
    assert (variant.state, variant.external_id) == (State.PUBLISHED, "t3_4bbe4b")
    order = [seen.path.split("?")[0] for seen in reddit.requests]
    first_submit = order.index("/api/submit/")
    second_submit = order.index("/api/submit/", first_submit + 1)
    assert first_submit < order.index(SUBMITTED) < second_submit  # asked before resending
