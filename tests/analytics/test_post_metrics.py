"""Per-post metrics: the networks' counts read into Harken's four, kept daily, and the
engagement figures (per post, per network, rate, top posts, best times) on hand-built
posts whose right answers are worked out below."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from harken.analytics import load, panels
from harken.analytics.figures import audience
from harken.analytics.models import AccountSnapshot, PostMetric, Tally
from harken.analytics.periods import Period, Scope
from harken.analytics.post_metrics import Counts, counts_of, record
from harken.analytics.reports import figure_lines
from harken.networks.models import Account
from harken.publishing.models import Post, Variant
from harken.publishing.states import State
from tests.analytics.conftest import add_mention

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
HOSTILE = "<img src=x onerror=alert(1)> Our new rings"


def test_each_networks_names_are_read_into_the_four_counts():
    mastodon = counts_of({"favourites": 4, "reblogs": 2, "quotes": 1, "replies": 3})
    assert (mastodon.likes, mastodon.comments, mastodon.shares) == (4, 3, 3)
    assert mastodon.impressions is None and mastodon.engagement == 10
    facebook = counts_of(
        {"reactions": 7, "comments": 1, "shares": 2, "post_media_view": 400, "insights_error": ""}
    )
    assert (facebook.likes, facebook.shares, facebook.impressions) == (7, 2, 400)
    # Reddit's score can fall below zero: that is no engagement, never negative engagement.
    assert counts_of({"score": -3, "comments": 2}).engagement == 2
    assert counts_of({"likes": None, "views": "12"}) == Counts()


def test_hand_built_posts_give_the_worked_out_figures():
    at = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)
    posts = [
        audience.PostFigures(1, "mastodon", at, 10, 2, 3, followers=1000),
        audience.PostFigures(2, "mastodon", at, 5, 0, 0, followers=1000),
        audience.PostFigures(3, "x", at, 20, 5, 5, impressions=1000, followers=50_000),
        audience.PostFigures(4, "bluesky", at, comments=2, counted=False),
    ]
    assert posts[2].rate == 3.0  # impressions come first where the network counts them
    assert posts[3].rate is None
    networks = {n.label: n for n in audience.by_network(posts)}
    assert [n.label for n in audience.by_network(posts)] == ["x", "mastodon", "bluesky"]
    assert (networks["mastodon"].per_post, networks["mastodon"].rate) == (10.0, 1.0)
    total = audience.engagement(posts)
    assert total.engagement == 52
    # 50 engagements over 3,000 impressions and followers; post 4 has no base.
    assert round(total.rate or 0, 3) == 1.667
    assert [p.variant for p in audience.top_posts(posts, limit=3)] == [3, 1, 2]


def _before_today(weekday: int, weeks: int = 0) -> dt.date:
    today = timezone.now().astimezone(NEW_YORK).date()
    back = (today.weekday() - weekday) % 7 or 7
    return today - dt.timedelta(days=back + 7 * weeks)


def _variant(workspace, account, day: dt.date, hour: int, minute: int, text: str = "post"):
    post = Post.objects.create(workspace=workspace, text=text)
    return Variant.objects.create(
        workspace=workspace,
        post=post,
        account=account,
        text=text,
        state=State.PUBLISHED,
        external_id=f"ext-{post.pk}",
        url="javascript:alert(1)" if "img" in text else f"https://example.org/{post.pk}",
        published_at=dt.datetime.combine(day, dt.time(hour, minute), NEW_YORK),
    )


@pytest.fixture
def posted(new_york):
    workspace = new_york
    mastodon, x, bluesky = (
        Account.objects.create(workspace=workspace, network=n, handle=f"shop-{n}")
        for n in ("mastodon", "x", "bluesky")
    )
    AccountSnapshot.objects.create(
        workspace=workspace, account=mastodon, day=_before_today(0, 5), followers=1000
    )
    thursday, earlier_thursday, monday = _before_today(3), _before_today(3, 1), _before_today(0)
    one = _variant(workspace, mastodon, thursday, 18, 30, HOSTILE)
    two = _variant(workspace, mastodon, earlier_thursday, 18, 10)
    three = _variant(workspace, x, monday, 9, 0, "Gift wrap is free this week")
    four = _variant(workspace, bluesky, monday, 9, 40)
    today = timezone.now().astimezone(NEW_YORK).date()
    record(two, Counts(likes=1), today - dt.timedelta(days=1))  # an older count, not read
    record(one, Counts(likes=10, comments=2, shares=3), today)
    record(two, Counts(likes=5), today)
    record(three, Counts(likes=20, comments=5, shares=5, impressions=1000), today)
    # Bluesky gave no counts: the two replies Harken heard stand in as comments.
    Tally.objects.create(
        workspace=workspace,
        day=today,
        network="bluesky",
        dimension="post",
        key=str(four.pk),
        count=2,
    )
    return workspace, (one, two, three, four)


def _scope(workspace) -> Scope:
    today = timezone.now().astimezone(NEW_YORK).date()
    return Scope(workspace, Period(today - dt.timedelta(days=27), today))


def test_the_newest_count_of_each_post_is_the_one_read(posted):
    workspace, (_, two, _, _) = posted
    rows = PostMetric.objects.filter(variant=two).order_by("day")
    assert [(r.likes, r.latest) for r in rows] == [(1, False), (5, True)]


def test_stored_counts_give_the_engagement_figures(posted):
    workspace, (one, two, three, four) = posted
    scope = _scope(workspace)
    found = {p.variant: p for p in load.post_figures(scope, scope.period)}
    assert [found[v.pk].engagement for v in (one, two, three, four)] == [15, 5, 30, 2]
    assert found[one.pk].rate == 1.5 and found[three.pk].rate == 3.0
    assert not found[four.pk].counted
    panel = panels.engagement(scope)
    assert panel.extra["total"].engagement == 52
    assert [row[0] for row in panel.chart.rows] == ["X", "Mastodon", "Bluesky"]
    top = panels.top_posts(scope)
    assert [p.variant for p, *_ in top.extra["posts"]] == [three.pk, one.pk, two.pk, four.pk]
    # A link the network gave that is no web address is not linked.
    assert [url for _, _, url, _ in top.extra["posts"]][1] == ""


def test_the_best_time_rests_on_real_engagement_and_says_how_many_posts(posted):
    workspace, _ = posted
    panel = panels.best_times(_scope(workspace))
    best = panel.extra["best"]
    # Thursday 18h: two posts, 15 + 5 engagements. Monday 9h has 32 on two posts (16 a
    # post) and wins: Bluesky's two heard replies count there as its engagement.
    assert (best.weekday, best.hour, best.posts, best.engagement) == (0, 9, 2, 32)
    assert ["Thu", "18h", 10.0, 2] in panel.chart.rows
    assert ["Mon", "9h", 16.0, 2] in panel.chart.rows


def test_the_audience_page_shows_engagement_and_escapes_post_text(alice_client, posted):
    add_mention(posted[0], timezone.now())  # a workspace that has heard something
    html = alice_client.get("/analytics/audience/").content.decode()
    assert 'id="panel-engagement"' in html and 'id="panel-top-posts"' in html
    assert "52 engagements" in html
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert "javascript:alert" not in html


def test_reach_and_impressions_are_summed_where_the_network_gives_them():
    at = dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC)
    posts = [
        audience.PostFigures(1, "facebook", at, 7, 1, 2, impressions=400, reach=250),
        audience.PostFigures(2, "facebook", at, 3, impressions=600, reach=None),
        audience.PostFigures(3, "mastodon", at, 4, followers=1000),
    ]
    networks = {n.label: n for n in audience.by_network(posts)}
    assert (networks["facebook"].impressions, networks["facebook"].reach) == (1000, 250)
    # Mastodon counts neither: unknown, never a zero.
    assert (networks["mastodon"].impressions, networks["mastodon"].reach) == (None, None)
    assert audience.engagement(posts).reach == 250


def test_reach_is_shown_per_post_and_per_network_and_a_dash_where_none(alice_client, posted):
    workspace, (one, two, three, four) = posted
    today = timezone.now().astimezone(NEW_YORK).date()
    record(three, Counts(likes=20, comments=5, shares=5, impressions=1000, reach=640), today)
    scope = _scope(workspace)
    assert {p.variant: p.reach for p in load.post_figures(scope, scope.period)}[three.pk] == 640
    panel = panels.engagement(scope)
    columns = panel.chart.columns
    rows = {row[0]: dict(zip(columns, row, strict=True)) for row in panel.chart.rows}
    assert (rows["X"]["Impressions"], rows["X"]["Reach"]) == (1000, 640)
    assert (rows["Mastodon"]["Impressions"], rows["Mastodon"]["Reach"]) == (None, None)
    top = panels.top_posts(scope)
    posts = {row[0]: dict(zip(top.chart.columns, row, strict=True)) for row in top.chart.rows}
    assert posts["Gift wrap is free this week"]["Reach"] == 640
    # The report (e-mail and PDF) says it in words, naming only networks that count it.
    said = " ".join(figure_lines.lines(panel) + figure_lines.lines(top))
    assert "X 640 reached, 1,000 impressions" in said and "Mastodon 0" not in said
    csv = alice_client.get("/analytics/csv/engagement/").content.decode()
    assert "Reach" in csv.splitlines()[0]
    add_mention(workspace, timezone.now())
    html = alice_client.get("/analytics/audience/").content.decode()
    assert "640 reached" in html
