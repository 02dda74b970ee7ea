"""Panels with no figure module of their own, on hand-built rows whose answer is known:
intents over time, the journey from followers to pledges, campaigns against their cap."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.utils import timezone

from harken.analytics import load, panels
from harken.analytics.models import AccountSnapshot, PostMetric
from harken.analytics.periods import scope_from, today_in
from harken.analytics.reports.figure_lines import lines
from harken.analytics.rollups import roll_all
from harken.listening.models import Source, Topic
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
    assert chart.rows == [
        ["Followers", 1000, 0],
        ["Engaged", 30, 0],
        ["Clicked", 3, 0],
        ["Pledged", 2, 0],
    ]


def test_a_campaigns_pledges_are_read_against_its_cap(workspace, campaign):
    panel = panels.clicks(scope_from(workspace, QueryDict("range=7")))
    assert panel.sub.startswith("3 clicks; 3.0 a published post")
    assert lines(panel) == [
        "Rings <b>for</b> a Reason: 2.00 of 10.00 USD pledged (20 % of the cap)."
    ]


def test_click_through_divides_people_s_clicks_by_what_the_linked_posts_reached(
    workspace, campaign
):
    """The campaign's post reached its 1,000 followers and drew 3 people's clicks (the
    bot's is not one); a second post with 2,000 impressions drew 9; a third carried no
    link and dilutes nothing: (3 + 9) / (1,000 + 2,000) = 0.4 %."""
    account = Account.objects.get(workspace=workspace, handle="@us")
    now = timezone.now()
    linked, unlinked = (
        Variant.objects.create(
            workspace=workspace,
            post=Post.objects.create(workspace=workspace),
            account=account,
            text=text,
            state=State.PUBLISHED,
            published_at=now - dt.timedelta(hours=3),
        )
        for text in ("New hoops", "Store hours")
    )
    for variant in (linked, unlinked):
        PostMetric.objects.create(
            workspace=workspace,
            variant=variant,
            account=account,
            network="mastodon",
            published=variant.published_at,
            day=today_in(workspace),
            likes=5,
            impressions=2000,
        )
    link = Link.objects.create(
        workspace=workspace, destination="https://shop.example/h", variant=linked
    )
    for n in range(9):
        Click.objects.create(
            workspace=workspace, link=link, at=now, day=now.date(), ip_hash=f"h{n}"
        )
    panel = panels.clicks(scope_from(workspace, QueryDict("range=7")))
    assert panel.sub == (
        "12 clicks; 4.0 a published post · click-through 0.4 % on the 2 posts with a tracked link"
    )


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


def _published(workspace, account, ago_days: float, engaged: int = 0) -> Variant:
    at = timezone.now() - dt.timedelta(days=ago_days)
    variant = Variant.objects.create(
        workspace=workspace,
        post=Post.objects.create(workspace=workspace),
        account=account,
        text=f"post {ago_days}",
        state=State.PUBLISHED,
        published_at=at,
    )
    if engaged:
        PostMetric.objects.create(
            workspace=workspace,
            variant=variant,
            account=account,
            network=account.network,
            published=at,
            day=today_in(workspace),
            likes=engaged,
        )
    return variant


def test_the_journey_and_the_followers_gained_are_compared_with_the_period_before(
    workspace, campaign
):
    """This week (range=7): 1,000 followers, 30 engaged, 3 clicked, 2 pledged (the
    fixture). The week before: 900 followers (850 at its start), one post of 12
    engagements, one click that pledged nothing."""
    today = today_in(workspace)
    account = Account.objects.get(workspace=workspace, handle="@us")
    for ago, followers in ((13, 850), (7, 900)):
        AccountSnapshot.objects.create(
            workspace=workspace,
            account=account,
            day=today - dt.timedelta(days=ago),
            followers=followers,
        )
    _published(workspace, account, 9, engaged=12)
    at = timezone.now() - dt.timedelta(days=9)
    Click.objects.create(
        workspace=workspace,
        link=Link.objects.get(campaign=campaign),
        at=at,
        day=at.date(),
        ip_hash="old",
        unique_of_day=True,
    )
    scope = scope_from(workspace, QueryDict("range=7"))
    journey = panels.journey(scope)
    assert journey.chart.columns == ["Stage", "Count", "Before"]
    assert journey.chart.rows == [
        ["Followers", 1000, 900],
        ["Engaged", 30, 12],
        ["Clicked", 3, 1],
        ["Pledged", 2, 0],
    ]
    assert "before: 1 clicked" in journey.sub
    followers = panels.followers(scope)
    # 900 held at the start, 1,000 at the end; the week before went 850 → 900.
    assert followers.sub.startswith("+100 followers in the period (before: +50)")
    assert "+100 followers in the period (before: +50)" in " ".join(lines(followers))


def test_talk_to_listen_is_compared_with_the_period_before(workspace):
    from harken.inbox.models import Conversation

    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    for ago in (1, 9, 10):
        _published(workspace, account, ago)
    now = timezone.now()
    for n, ago in enumerate((2, 9)):
        began = now - dt.timedelta(days=ago)
        Conversation.objects.create(
            workspace=workspace,
            network="mastodon",
            root_external_id=f"r{n}",
            first_message_at=began,
            first_response_at=began + dt.timedelta(minutes=9),
        )
    for ago in (1, 2, 8):
        add_mention(workspace, now - dt.timedelta(days=ago))
    roll_all(workspace)
    panel = panels.talk_to_listen(scope_from(workspace, QueryDict("range=7")))
    assert panel.chart.columns == ["", "Count", "Before"]
    assert panel.chart.rows == [
        ["Posts published", 1, 2],
        ["Answered", 1, 1],
        ["Mentions heard", 2, 1],
    ]
    assert panel.extra["before"].ratio == 2.0
    assert "(before: 2.00)" in " ".join(lines(panel))


def test_influence_and_top_posts_are_compared_with_the_period_before(workspace):
    now = timezone.now()
    for ago, handle in ((1, "maya"), (9, "maya"), (10, "maya"), (2, "bob"), (2, "bob")):
        add_mention(workspace, now - dt.timedelta(days=ago), handle=handle, followers=100)
    roll_all(workspace)
    scope = scope_from(workspace, QueryDict("range=7"))
    chart = panels.influence(scope).chart
    assert chart.columns[:6] == [
        "Author",
        "Reach",
        "Mentions",
        "Positive",
        "Negative",
        "Reach before",
    ]
    assert [row[:2] + row[5:6] for row in chart.rows] == [["@bob", 200, 0], ["@maya", 100, 200]]
    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    _published(workspace, account, 1, engaged=5)
    _published(workspace, account, 9, engaged=12)
    _published(workspace, account, 10, engaged=3)
    top = panels.top_posts(scope)
    assert top.sub.endswith("the period before's best drew 12")


def test_clicks_fall_on_the_workspace_s_own_days(workspace):
    """23:30 and 00:30 in New York are two days, whatever UTC says; bots are not people."""
    workspace.time_zone = "America/New_York"
    workspace.save()
    zone = ZoneInfo("America/New_York")
    today = today_in(workspace)
    day = today - dt.timedelta(days=3)
    link = Link.objects.create(workspace=workspace, destination="https://shop.example/")
    times = [
        (dt.datetime.combine(day, dt.time(0, 5), zone), False),
        (dt.datetime.combine(day, dt.time(23, 30), zone), False),  # 04:30 UTC the next day
        (dt.datetime.combine(day, dt.time(23, 59, 59), zone), False),
        (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 30), zone), False),
        (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 31), zone), True),
    ]
    for n, (at, bot) in enumerate(times):
        utc = at.astimezone(dt.UTC)
        Click.objects.create(
            workspace=workspace, link=link, at=utc, day=utc.date(), ip_hash=f"c{n}", is_bot=bot
        )
    scope = scope_from(workspace, QueryDict("range=7"))
    per_day = dict(zip(scope.period.days, load.clicks_per_day(scope, scope.period), strict=True))
    assert per_day[day] == 3
    assert per_day[day + dt.timedelta(days=1)] == 1
    assert sum(per_day.values()) == 4


@pytest.fixture
def two_topics(workspace, brand, rival):
    """This week: the brand's gift wrap (Maya, 100 followers; Tom, 900), the rival's late
    orders and its own gift wrap (Zed, 5,000 followers, the newest)."""
    now = timezone.now()
    for hours, handle, followers in ((30, "maya", 100), (29, "tom", 900)):
        add_mention(
            workspace,
            now - dt.timedelta(hours=hours),
            handle=handle,
            followers=followers,
            topics=(brand,),
            phrases=("gift wrap",),
            text=f"{handle} loves the gift wrap",
        )
    for hours, phrases in ((28, ("late order",)), (27, ("late order",)), (2, ("gift wrap",))):
        add_mention(
            workspace,
            now - dt.timedelta(hours=hours),
            handle="zed",
            followers=5000,
            sentiment="negative",
            topics=(rival,),
            phrases=phrases,
            text=f"zed on {phrases[0]}",
        )
    roll_all(workspace)
    return workspace


def test_drivers_and_their_examples_follow_a_chosen_topic(two_topics, brand):
    everyone = panels.drivers(scope_from(two_topics, QueryDict("range=7")))
    assert [d.phrase for d in everyone.extra["drivers"]] == ["gift wrap", "late order"]
    assert [d.now for d in everyone.extra["drivers"]] == [3, 2]
    assert [m.text for m in everyone.extra["examples"]["gift wrap"]] == ["zed on gift wrap"]
    ours = panels.drivers(scope_from(two_topics, QueryDict(f"range=7&topic={brand.pk}")))
    assert [(d.phrase, d.now) for d in ours.extra["drivers"]] == [("gift wrap", 2)]
    assert [m.text for m in ours.extra["examples"]["gift wrap"]] == ["tom loves the gift wrap"]


def test_influence_follows_a_chosen_topic(two_topics, brand, rival):
    everyone = panels.influence(scope_from(two_topics, QueryDict("range=7")))
    assert [row[:3] for row in everyone.chart.rows] == [
        ["@zed", 15000, 3],
        ["@tom", 900, 1],
        ["@maya", 100, 1],
    ]
    ours = panels.influence(scope_from(two_topics, QueryDict(f"range=7&topic={brand.pk}")))
    assert [row[:3] for row in ours.chart.rows] == [["@tom", 900, 1], ["@maya", 100, 1]]
    theirs = panels.influence(scope_from(two_topics, QueryDict(f"range=7&topic={rival.pk}")))
    assert [row[:5] for row in theirs.chart.rows] == [["@zed", 15000, 3, 0, 3]]


@pytest.fixture
def answered(workspace, brand, rival):
    """Three conversations of yesterday: about the brand through our account, answered
    in 10 minutes; about the rival from a search, answered in 30; about both through our
    account, not answered yet."""
    from harken.inbox.models import Conversation
    from harken.listening.models import Source

    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    ours = Source.objects.create(
        workspace=workspace, name="@us", kind="account", network="mastodon", account=account
    )
    search = Source.objects.create(
        workspace=workspace, name="rings", kind="search", network="mastodon"
    )
    began = timezone.now() - dt.timedelta(days=1)
    for n, (topics, source, minutes) in enumerate(
        (((brand,), ours, 10), ((rival,), search, 30), ((brand, rival), ours, None))
    ):
        conversation = Conversation.objects.create(
            workspace=workspace,
            network="mastodon",
            root_external_id=f"r{n}",
            first_message_at=began,
            first_response_at=began + dt.timedelta(minutes=minutes) if minutes else None,
        )
        add_mention(
            workspace,
            began,
            handle=f"p{n}",
            conversation=conversation,
            topics=topics,
            source=source,
        )
    roll_all(workspace)
    return account


def _answers(workspace, query: str) -> tuple[int, int, float | None]:
    figures = panels.responses(scope_from(workspace, QueryDict(query))).extra["overall"]
    return figures.conversations, figures.answered, figures.median


def test_response_times_follow_a_chosen_topic_and_account(workspace, answered, brand, rival):
    assert _answers(workspace, "range=7")[:2] == (3, 2)
    conversations, replied, median = _answers(workspace, f"range=7&topic={brand.pk}")
    assert (conversations, replied, median) == (2, 1, pytest.approx(600, rel=0.01))
    conversations, replied, median = _answers(workspace, f"range=7&topic={rival.pk}")
    assert (conversations, replied, median) == (2, 1, pytest.approx(1800, rel=0.01))
    assert _answers(workspace, f"range=7&account={answered.pk}")[:2] == (2, 1)
    assert _answers(workspace, f"range=7&account={answered.pk}&topic={rival.pk}") == (1, 0, None)
    # The headline's median follows the same filters.
    from harken.analytics.headlines import headlines

    stats = headlines(scope_from(workspace, QueryDict(f"range=7&topic={rival.pk}")))
    first = next(s for s in stats if s.key == "first-response")
    assert first.value == pytest.approx(30, rel=0.01)


def test_talk_to_listen_answers_each_conversation_once_whatever_the_topic(
    workspace, answered, brand
):
    for query in ("range=7", f"range=7&topic={brand.pk}", f"range=7&account={answered.pk}"):
        panel = panels.talk_to_listen(scope_from(workspace, QueryDict(query)))
        assert panel.extra["figure"].answered == 2, query


def _segment_person(workspace, handle: str, region: str) -> None:
    from harken.contacts.models import Contact, Identity
    from harken.listening.models import Author

    contact = Contact.objects.create(workspace=workspace, name=handle, segments={"region": region})
    Identity.objects.create(
        workspace=workspace,
        contact=contact,
        network="mastodon",
        handle=handle,
        author=Author.objects.get(workspace=workspace, handle=handle),
    )


def test_a_segments_response_times_are_its_peoples_conversations(workspace, brand):
    """Maya (North) began two conversations owed an answer, answered in 5 and 20 minutes;
    she joined one Sam (South) began; a feed article and a competitor's mention she
    began are owed nothing."""
    from harken.analytics import rollups
    from harken.analytics.segments import Segment, authors
    from harken.inbox.models import Conversation

    now = timezone.now()
    conversations = [
        ("maya", "mastodon", "", 3, 5),
        ("maya", "mastodon", "", 2, 20),
        ("sam", "mastodon", "", 2, 50),
        ("maya", "feed", "", 2, None),
        ("maya", "mastodon", "competitor_mention", 2, None),
    ]
    for n, (handle, network, intent, days, minutes) in enumerate(conversations):
        began = now - dt.timedelta(days=days, minutes=n)
        conversation = Conversation.objects.create(
            workspace=workspace,
            network=network,
            root_external_id=f"r{n}",
            intent=intent,
            first_message_at=began,
            first_response_at=began + dt.timedelta(minutes=minutes) if minutes else None,
        )
        add_mention(
            workspace, began, handle=handle, conversation=conversation, topics=(brand,) * (n == 0)
        )
        if handle == "sam":
            add_mention(
                workspace, began + dt.timedelta(minutes=1), handle="maya", conversation=conversation
            )
    _segment_person(workspace, "maya", "North")
    _segment_person(workspace, "sam", "South")
    roll_all(workspace)
    # The feed article and the competitor's mention are owed nothing, whoever began them.
    assert _answers(workspace, "range=7")[:2] == (3, 3)
    conversations, replied, median = _answers(workspace, "range=7&segment=region%3DNorth")
    assert (conversations, replied) == (2, 2)
    assert median == pytest.approx(5 * 60, rel=0.01)  # the lower median of 5 and 20 minutes
    assert _answers(workspace, f"range=7&segment=region%3DNorth&topic={brand.pk}")[:2] == (1, 1)
    assert _answers(workspace, "range=7&segment=region%3DSouth")[:2] == (1, 1)
    panel = panels.responses(scope_from(workspace, QueryDict("range=7&segment=region%3DNorth")))
    assert panel.sub.endswith("; conversations begun by region: North")
    # Counted when asked, from the newest conversations they took part in (Maya: all five)
    # up to a bound, which is said.
    north = authors(workspace, Segment("region", "North"))
    start, end = now - dt.timedelta(days=7), now
    groups, bounded = rollups.segment_response_groups(workspace, north, start, end, limit=1)
    assert bounded and groups[("mastodon", "", 0, 0, 0)].first_response == [20 * 60]
    assert rollups.segment_response_groups(workspace, north, start, end, limit=4)[1] is True
    assert rollups.segment_response_groups(workspace, north, start, end, limit=5)[1] is False


def test_panels_that_follow_a_filter_name_none_and_talk_to_listen_names_what_it_does_not():
    from harken.analytics.views import name_what_is_not_narrowed

    chosen = ["account", "network", "topic", "segment"]
    for key in ("responses", "drivers", "influence"):
        panel = panels.Panel(key, "", "As counted")
        name_what_is_not_narrowed(panel, chosen)
        assert panel.sub == "As counted", key
    talk = panels.Panel("talk-to-listen", "", "As counted")
    name_what_is_not_narrowed(talk, chosen)
    assert talk.sub == ("As counted · every account · every topic · everyone: not split by segment")


def test_a_phrase_s_examples_are_found_page_after_page_but_only_among_the_latest(
    workspace, monkeypatch
):
    """Pages of 2 among the latest 6: "gift wrap" shows up only in the fifth newest
    mention, the last of four posted at the same second across a page boundary (which
    must skip none of them), and "engraving" only in the seventh, past the window."""
    monkeypatch.setattr(panels, "EXAMPLES_PAGE", 2)
    monkeypatch.setattr(panels, "EXAMPLES_AMONG", 6)
    now = timezone.now().replace(microsecond=0)
    same = now - dt.timedelta(hours=2)
    posted = [now - dt.timedelta(hours=1), same, same, same, same, now - dt.timedelta(hours=3)]
    phrases = [(), ("gift wrap",), (), (), (), ()]
    for at, said in zip(posted, phrases, strict=True):
        add_mention(workspace, at, phrases=said)
    add_mention(workspace, now - dt.timedelta(hours=4), phrases=("engraving",))
    scope = scope_from(workspace, QueryDict("range=7"))
    found = panels._examples(scope, ["gift wrap", "engraving"], each=1)
    assert [m.key_phrases for m in found["gift wrap"]] == [["gift wrap"]]
    assert found["engraving"] == []


def test_drivers_leave_out_phrases_built_on_a_business_s_name(workspace, brand, rival):
    """Every mention of Rival Rings names it, so "tried rival rings" drives nothing; an
    industry topic's word inside a phrase ("silver jewelry") is what people talk about,
    only the bare word is left out."""
    Topic.objects.create(workspace=workspace, name="Jewelry", kind="industry", query="z")
    now = timezone.now()
    for n in range(2):
        for phrase in ("tried rival rings", "harbor street", "silver jewelry", "jewelry"):
            add_mention(workspace, now - dt.timedelta(hours=n + 1), phrases=(phrase,))
    roll_all(workspace)
    found = panels.drivers(scope_from(workspace, QueryDict("range=7"))).extra["drivers"]
    assert [d.phrase for d in found] == ["silver jewelry"]


@pytest.fixture
def through_an_account(workspace):
    """Two people mentioned our Mastodon account (its mentions source found them: Ann,
    2,000 followers, on "engraving"); a keyword search found a third (Bo, 9,000, on
    "gift wrap"), which belongs to no account."""
    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@us")
    mentions = Source.objects.create(
        workspace=workspace,
        name="@us",
        kind=Source.Kind.ACCOUNT,
        network="mastodon",
        account=account,
    )
    search = Source.objects.create(
        workspace=workspace, name="us", kind=Source.Kind.SEARCH, network="mastodon", query="us"
    )
    now = timezone.now()
    for hours, handle, followers, phrase, source in (
        (3, "ann", 2000, "engraving", mentions),
        (2, "ann", 2000, "engraving", mentions),
        (1, "bo", 9000, "gift wrap", search),
    ):
        add_mention(
            workspace,
            now - dt.timedelta(hours=hours),
            handle=handle,
            followers=followers,
            phrases=(phrase,),
            source=source,
            text=f"{handle} on {phrase}",
        )
    roll_all(workspace)
    return account


def test_listening_figures_follow_a_chosen_account_to_the_mentions_its_sources_found(
    workspace, through_an_account
):
    everyone = scope_from(workspace, QueryDict("range=7"))
    ours = scope_from(workspace, QueryDict(f"range=7&account={through_an_account.pk}"))
    assert panels.mentions(everyone).sub == "3 mentions"
    assert panels.mentions(ours).sub == "2 mentions"
    assert [d.phrase for d in panels.drivers(everyone).extra["drivers"]] == ["engraving"]
    found = panels.drivers(ours)
    assert [d.phrase for d in found.extra["drivers"]] == ["engraving"]
    assert [m.text for m in found.extra["examples"]["engraving"]] == ["ann on engraving"]
    influence = panels.influence(ours).chart
    assert [row[0] for row in influence.rows] == ["@ann"]
    assert [row[0] for row in panels.influence(everyone).chart.rows] == ["@bo", "@ann"]


def test_an_account_nobody_mentioned_says_why_its_mentions_are_empty(workspace, through_an_account):
    quiet = Account.objects.create(workspace=workspace, network="bluesky", handle="@us.bsky")
    panel = panels.mentions(scope_from(workspace, QueryDict(f"range=7&account={quiet.pk}")))
    assert panel.sub == "0 mentions"
    assert "a keyword search's belong to no account" in panel.empty
    assert panels.mentions(scope_from(workspace, QueryDict("range=7"))).empty == ""


def test_the_report_s_complaints_leave_out_a_business_s_name_as_the_drivers_do(
    workspace, brand, rival
):
    from harken.analytics.reports.build import complaint_counts

    now = timezone.now()
    for phrase in ("tried rival rings", "harbor street", "late order"):
        add_mention(workspace, now - dt.timedelta(hours=1), phrases=(phrase,), sentiment="negative")
    roll_all(workspace)
    scope = scope_from(workspace, QueryDict("range=7"))
    assert complaint_counts(scope, scope.period) == {"late order": 1}
