"""Panels with no figure module of their own, on hand-built rows whose answer is known:
intents over time, the journey from followers to pledges, campaigns against their cap."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from harken.analytics import panels
from harken.analytics.models import AccountSnapshot, PostMetric
from harken.analytics.periods import scope_from, today_in
from harken.analytics.reports.figure_lines import lines
from harken.analytics.rollups import roll_all
from harken.networks.models import Account
from harken.publishing.models import Campaign, Click, Link, Post, Variant
from harken.publishing.states import State
from tests.analytics.conftest import add_mention

pytestmark = pytest.mark.django_db


def test_intents_over_time_count_each_intent_on_its_day(workspace):
    now = timezone.now()
    for ago, intents in ((1, ("complaint",)), (1, ("complaint", "question")), (2, ("praise",))):
        add_mention(workspace, now - dt.timedelta(days=ago), intents=intents)
    add_mention(workspace, now - dt.timedelta(days=1), intents=("other",))  # not drawn
    add_mention(workspace, now - dt.timedelta(days=9), intents=("complaint",))  # the week before
    roll_all(workspace)
    panel = panels.intents(scope_from(workspace, QueryDict("range=7")))
    chart = panel.chart
    assert chart.columns == ["", "Complaint", "Praise", "Question"]
    assert [sum(row[n] for row in chart.rows) for n in (1, 2, 3)] == [2, 1, 1]
    yesterday = [row for row in chart.rows if row[1]][0]
    assert yesterday[1:] == [2, 0, 1]
    assert panel.sub == "Complaint 2 (before 1) · Praise 1 (before 0) · Question 1 (before 0)"
    # A complaint is red and praise green, whichever ranks first.
    svg = str(chart.svg)
    assert 'stroke="#b42318" stroke-width="2" stroke-linejoin="round"><title>Complaint' in svg
    assert 'stroke="#05703f" stroke-width="2" stroke-linejoin="round"><title>Praise' in svg


@pytest.fixture
def campaign(workspace):
    """An account of 1,000 followers, one post that drew 30 engagements, and a campaign
    link clicked by 3 people (2 of them pledged) and by a link-preview bot."""
    today = today_in(workspace)
    now = timezone.now()
    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    AccountSnapshot.objects.create(workspace=workspace, account=account, day=today, followers=1000)
    variant = Variant.objects.create(
        workspace=workspace,
        post=Post.objects.create(workspace=workspace),
        account=account,
        text="Rings for a reason",
        state=State.PUBLISHED,
        published_at=now - dt.timedelta(hours=5),
    )
    PostMetric.objects.create(
        workspace=workspace,
        variant=variant,
        account=account,
        network="mastodon",
        published=variant.published_at,
        day=today,
        likes=20,
        comments=6,
        shares=4,
    )
    found = Campaign.objects.create(
        workspace=workspace,
        name="Rings <b>for</b> a Reason",
        slug="rings",
        pledge_cents=100,
        cap_cents=1000,
        pledged_cents=200,
    )
    link = Link.objects.create(
        workspace=workspace, destination="https://shop.example/", variant=variant, campaign=found
    )
    for n, (bot, pledged) in enumerate(
        ((False, True), (False, True), (False, False), (True, False))
    ):
        at = now - dt.timedelta(hours=1)
        Click.objects.create(
            workspace=workspace,
            link=link,
            at=at,
            day=at.date(),
            ip_hash=f"p{n}",
            is_bot=bot,
            unique_of_day=not bot,
            pledged=pledged,
        )
    return found


def test_the_journey_runs_from_followers_to_pledges(workspace, campaign):
    scope = scope_from(workspace, QueryDict("range=7"))
    chart = panels.journey(scope).chart
    assert chart.rows == [["Followers", 1000], ["Engaged", 30], ["Clicked", 3], ["Pledged", 2]]


def test_a_campaigns_pledges_are_read_against_its_cap(workspace, campaign):
    panel = panels.clicks(scope_from(workspace, QueryDict("range=7")))
    assert panel.sub.startswith("3 clicks; 3.0 a published post")
    assert lines(panel) == [
        "Rings <b>for</b> a Reason: 2.00 of 10.00 USD pledged (20 % of the cap)."
    ]


def test_the_content_mix_is_compared_with_the_period_before(workspace):
    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    now = timezone.now()
    for category, ago in (("offer", 1), ("educational", 2), ("educational", 3), ("offer", 9)):
        Variant.objects.create(
            workspace=workspace,
            post=Post.objects.create(workspace=workspace, category=category),
            account=account,
            text="x",
            state=State.PUBLISHED,
            published_at=now - dt.timedelta(days=ago),
        )
    chart = panels.content_mix(scope_from(workspace, QueryDict("range=7"))).chart
    assert chart.columns == ["Category", "Posts", "Before"]
    assert chart.rows == [["Educational", 2, 0], ["Offer", 1, 1]]
