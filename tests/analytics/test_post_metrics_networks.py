"""Each connector's ``post_metrics`` against the networks' recorded answers, and the
daily task that keeps them, end to end through a recorded Mastodon status."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from harken.analytics.models import PostMetric
from harken.analytics.post_metrics import counts_of, snapshot_posts
from harken.networks.base import ConnectorError
from harken.networks.bluesky.connector import Bluesky
from harken.networks.models import Account
from harken.networks.reddit.connector import Reddit
from harken.networks.x.connector import X
from harken.publishing.models import Post, Variant
from harken.publishing.states import State
from tests.networks.recorded import betamax_to_vcr, recorded, replay
from tests.networks.test_bluesky import DID, config, pds  # noqa: F401 (fixtures)
from tests.networks.test_mastodon import INSTANCE, ME, cassette, interactions
from tests.networks.test_mastodon import connector as mastodon
from tests.networks.test_x import CONFIG as X_CONFIG

pytestmark = pytest.mark.usefixtures("loopback")
STATUS = "117020583245459824"


def _status_read() -> Path:
    """Mastodon's recorded answer for the status (after one reply to it), served as
    ``GET /api/v1/statuses/:id`` answers: the same status entity."""
    deleted = interactions("test_status_reply.yaml", "DELETE", f"/api/v1/statuses/{STATUS}")
    read = {**deleted[0], "request": {**deleted[0]["request"], "method": "GET"}}
    return cassette(None, [read])


def test_mastodon_counts_come_from_the_status():
    with replay(_status_read()) as (sent, _):
        found = mastodon().post_metrics(f"localhost:3000/{STATUS}")
    assert sent.paths() == [f"/api/v1/statuses/{STATUS}"]
    assert found == {"favourites": 0, "reblogs": 0, "quotes": 0, "replies": 1}


def test_bluesky_counts_come_from_the_post_view(pds, config):  # noqa: F811
    post = pds.data["posts"][0]
    post.update(likeCount=7, repostCount=2, replyCount=1, quoteCount=1)
    found = Bluesky(config).post_metrics(post["uri"])
    assert found == {"likes": 7, "reposts": 2, "quotes": 1, "replies": 1}
    assert counts_of(found).engagement == 11
    with pytest.raises(ConnectorError):
        Bluesky(config).post_metrics(f"at://{DID}/app.bsky.feed.post/3gone")


def test_x_counts_come_from_public_metrics(db, workspace, tmp_path):
    """X's recorded ``GET /2/tweets/:id`` answer, with the ``public_metrics`` object X
    documents for ``tweet.fields=public_metrics`` (tweepy's recording did not ask)."""
    source = yaml.safe_load(recorded("x-tweepy", "test_client_get_tweet.yaml").read_text())
    interaction = source["interactions"][0]
    body = {
        "data": {
            "id": "1293593516040269825",
            "text": "It’s finally here!",
            "public_metrics": {
                "retweet_count": 3,
                "reply_count": 2,
                "like_count": 40,
                "quote_count": 1,
                "impression_count": 900,
            },
        }
    }
    interaction["response"] = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"content-type": ["application/json; charset=utf-8"]},
        "body": {"string": json.dumps(body)},
    }
    path = tmp_path / "tweet.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "interactions": [interaction]}))
    with replay(path) as (sent, _):
        found = X(X_CONFIG, workspace=workspace).post_metrics("1293593516040269825")
    assert "public_metrics" in sent.query(0)["tweet.fields"][0]
    counts = counts_of(found)
    assert (counts.likes, counts.comments, counts.shares, counts.impressions) == (40, 2, 4, 900)
    assert counts_of(found).engagement == 46


def test_reddit_counts_come_from_the_things_info():
    """PRAW's recorded search listing served as ``/api/info`` (the same Listing of t3
    things), so the counts are Reddit's own for that submission."""
    source = recorded("reddit-praw", "TestSubreddit.test_search.json")
    folder = Path(tempfile.mkdtemp(prefix="harken-reddit-"))
    target = betamax_to_vcr(source, folder / "info.json")
    data = json.loads(target.read_text())
    listing = json.loads(data["interactions"][1]["response"]["body"]["string"])
    first = listing["data"]["children"][0]["data"]
    listing["data"]["children"] = listing["data"]["children"][:1]
    data["interactions"][1]["response"]["body"]["string"] = json.dumps(listing)
    data["interactions"][1]["request"]["uri"] = "https://oauth.reddit.com/api/info/"
    target.write_text(json.dumps(data))
    reddit = Reddit({"client_id": "id", "client_secret": "secret", "refresh_token": "token"})
    with replay(target, serializer="json") as (sent, _):
        found = reddit.post_metrics(first["name"])
    assert sent.paths()[-1] == "/api/info/"
    assert found == {"score": first["score"], "comments": first["num_comments"]}


@pytest.mark.django_db
def test_the_daily_task_keeps_each_recent_posts_counts(workspace):
    account = Account.objects.create(
        workspace=workspace,
        network="mastodon",
        handle="shop@localhost:3000",
        config={"instance": INSTANCE, "access_token": "t", "account_id": ME, "version": "4.6.4"},
    )
    now = timezone.now()

    def variant(external_id: str, days_ago: int) -> Variant:
        post = Post.objects.create(workspace=workspace, text="ring")
        return Variant.objects.create(
            workspace=workspace,
            post=post,
            account=account,
            text="ring",
            state=State.PUBLISHED,
            external_id=external_id,
            published_at=now - dt.timedelta(days=days_ago),
        )

    recent = variant(f"localhost:3000/{STATUS}", 2)
    variant("localhost:3000/1", 90)  # followed no longer: never asked for
    with replay(_status_read()) as (sent, _):
        assert snapshot_posts() == 1
        assert snapshot_posts() == 1  # the same day again: one row, the newest counts
    assert len(sent) == 2
    row = PostMetric.objects.get(variant=recent)
    assert (row.comments, row.network, row.latest, row.account_id) == (
        1,
        "mastodon",
        True,
        account.pk,
    )
