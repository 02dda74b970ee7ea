"""The recorded Facebook for Developers Page (../shared/data/recorded-api/facebook-graph/)
served by the local Graph API: its feed, and its posts' comments."""

from __future__ import annotations

import json

import pytest

from tests.lib.localserver import Reply
from tests.networks.facebook.graph_local import EMPTY, body, path, recorded

PAGE = "19292868552"  # the Facebook for Developers Page of the recorded feed
TOKEN = "page-token"  # noqa: S105
#: The feed's first two posts: the first's comments carry their authors, the second's not.
WITH_AUTHORS = "19292868552_10158349356748553"
WITHOUT_AUTHORS = "19292868552_10158347294088553"


def feed_posts() -> list[dict]:
    """The recorded feed's posts, both pages (skips the test when the data is absent)."""
    pages = ("page_feed_p1.json", "page_feed_p2.json")
    return [post for name in pages for post in json.loads(recorded(name))["data"]]


@pytest.fixture
def feed(meta):
    """The recorded feed (two pages); the first post's comments carry their authors,
    the second's were read without a Page token (no ``from``); the rest have none."""
    meta.route(path(PAGE, "feed"), body("page_feed_p1.json"), body("page_feed_p2.json"))
    for post in feed_posts():
        meta.route(path(post["id"], "comments"), Reply(200, EMPTY))
    meta.route(path(WITH_AUTHORS, "comments"), body("post_comments_with_from_summary.json"))
    meta.route(
        path(WITHOUT_AUTHORS, "comments"),
        body("post_comments_p1.json"),
        body("post_comments_p2.json"),
    )
    meta.route(path(PAGE, "tagged"), Reply(200, EMPTY))  # documented shape: no tags
    return meta
