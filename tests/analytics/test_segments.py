"""The segment filter: the figures of one imported segment's people, counted from their
own mentions with the rollups' cells; the pickers keep it, and the figures that are not
split say so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from harken.analytics import panels
from harken.analytics.figures.rows import tallies
from harken.analytics.periods import Period, Scope
from harken.analytics.rollups import roll_all
from harken.analytics.segments import Segment, offered, parse
from harken.contacts.models import Contact, Identity
from harken.listening.models import Author
from tests.analytics.conftest import add_mention

pytestmark = pytest.mark.django_db
HOSTILE = "<b>north</b>"


def _person(workspace, handle: str, segments: dict, status=Contact.Status.CUSTOMER) -> Contact:
    contact = Contact.objects.create(
        workspace=workspace, name=handle, status=status, segments=segments
    )
    author = Author.objects.get(workspace=workspace, handle=handle)
    Identity.objects.create(
        workspace=workspace, contact=contact, network="mastodon", handle=handle, author=author
    )
    return contact


@pytest.fixture
def people(workspace, brand):
    now = timezone.now()
    for n in range(3):
        add_mention(
            workspace,
            now - dt.timedelta(days=n),
            handle="maya",
            topics=(brand,),
            phrases=("gift wrap",),
        )
    for n in range(2):
        add_mention(
            workspace,
            now - dt.timedelta(days=n),
            handle="sam",
            sentiment="negative",
            phrases=("late order",),
        )
    for n in range(4):
        add_mention(workspace, now - dt.timedelta(hours=n), handle="zed", sentiment="neutral")
    _person(workspace, "maya", {"region": HOSTILE, "age band": "25-34"})
    _person(
        workspace, "sam", {"region": "South", "age band": "65+"}, status=Contact.Status.NON_CUSTOMER
    )
    roll_all(workspace)
    return workspace


def _scope(workspace, segment: Segment | None) -> Scope:
    today = timezone.now().date()
    return Scope(
        workspace,
        Period(today - dt.timedelta(days=27), today + dt.timedelta(days=1)),
        segment=segment,
    )


def test_a_segments_figures_count_only_its_peoples_mentions(people):
    everyone = panels.mentions(_scope(people, None))
    north = panels.mentions(_scope(people, Segment("region", HOSTILE)))
    south = panels.sentiment(_scope(people, Segment("region", "South")))
    assert everyone.sub == "9 mentions" and north.sub == "3 mentions"
    assert sum(row[3] for row in south.chart.rows) == 2  # both of Sam's were negative
    assert sum(row[1] for row in south.chart.rows) == 0
    old = panels.mentions(_scope(people, Segment("age band", "65+")))
    assert old.sub == "2 mentions"
    assert panels.mentions(_scope(people, Segment("customer status", "Customer"))).sub == (
        "3 mentions"
    )


def test_a_segment_sums_as_the_rollups_do(people):
    """Everyone linked (Maya and Sam) counted from the cube equals the rollups minus Zed."""
    scope = _scope(people, None)
    rolled = {
        r.key: r.count for r in tallies(people, scope.period, "phrase", by=("key",), segment=None)
    }
    both = [
        {
            r.key: r.count
            for r in tallies(
                people, scope.period, "phrase", by=("key",), segment=Segment("region", v)
            )
        }
        for v in (HOSTILE, "South")
    ]
    assert rolled == {**both[0], **both[1]} == {"gift wrap": 3, "late order": 2}


def test_a_dimension_typed_as_sql_is_only_a_name(people):
    scope = _scope(people, Segment("region') OR 1=1 --", "x"))
    assert panels.mentions(scope).sub == "0 mentions"
    assert parse("region") is None and parse("=x") is None
    assert parse("age band=65+") == Segment("age band", "65+")


def test_the_picker_offers_the_segments_and_keeps_the_choice(alice_client, people):
    assert ("region", [HOSTILE, "South"]) in offered(people)
    html = alice_client.get("/analytics/?segment=region%3DSouth&range=28").content.decode()
    assert 'value="region=South" selected' in html
    assert "&lt;b&gt;north&lt;/b&gt;" in html and "<b>north</b>" not in html
    assert "everyone: not split by segment" in html  # response times are everyone's
    assert "segment=region%3DSouth" in html  # the area tabs keep it


def test_the_journey_follows_a_segment_as_far_as_its_people_can_be_told_apart(workspace, people):
    """The age band 25-34 holds maya (five mentions, two replies to our post) and lee
    (never heard from). Followers, likes, clicks and pledges name nobody: the panel says
    so rather than showing everyone's under the segment's name."""
    from harken.networks.models import Account
    from harken.publishing.models import Post, Variant
    from harken.publishing.states import State

    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    Variant.objects.create(
        workspace=workspace,
        post=Post.objects.create(workspace=workspace),
        account=account,
        text="New rings",
        state=State.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=3),
        external_id="our-post",
    )
    for _ in range(2):
        add_mention(workspace, timezone.now(), handle="maya", in_reply_to="our-post")
    add_mention(workspace, timezone.now(), handle="sam", in_reply_to="our-post")  # 65+
    Contact.objects.create(workspace=workspace, name="lee", segments={"age band": "25-34"})
    roll_all(workspace)
    panel = panels.journey(_scope(workspace, Segment("age band", "25-34")))
    # People, not mentions: maya's five mentions (two replies) are one person each time.
    assert [row[:2] for row in panel.chart.rows] == [
        ["People in the segment", 2],
        ["Mentioned us", 1],
        ["Replied to our posts", 1],
    ]
    assert "clicks and pledges name no person" in panel.sub
    everyone = panels.journey(_scope(workspace, None))
    assert [row[0] for row in everyone.chart.rows][0] == "Followers"
