"""The sample jewelry store's planned month, for `harken demo`.

The current month in the workspace's time zone: posts already published, one that
failed (the network's words kept), posts scheduled ahead, a few awaiting approval and a
draft; the store's country for its public holidays (the shopping seasons come with it);
a vendor's promotion with a reminder; and the weekly online-only special as a recurring
series. Deterministic: the same day gives the same month. The sample accounts are
disabled examples (``analytics.demo`` makes the same two), so nothing is ever sent: their
posts ahead stay scheduled and held, saying so (``DEMO_NOTE``), and a worker that finds
one due holds it again instead of failing it (``hold``).

The links app's campaign (``publishing.links.demo``) is filled from here: the publishing
app has one ``demo`` module, this one.
"""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from harken.core.models import Member, Role, Workspace
from harken.networks.models import Account
from harken.publishing.models import (
    CalendarSettings,
    Category,
    Event,
    Occurrence,
    Post,
    QueueSlot,
    Series,
    Stage,
    Variant,
)
from harken.publishing.states import State, transition

#: The two sample accounts (the same as ``analytics.demo``'s): examples, never called.
ACCOUNTS = (("mastodon", "harborstreet@mastodon.example"), ("bluesky", "harborstreet.example"))
FAILED_ERROR = (
    "Mastodon answered 401 Unauthorized: The access token was revoked. "
    "Reconnect the account, then retry."
)

#: What a demo account's scheduled post says instead of going out.
DEMO_NOTE = "Demo account: connect a real account to publish. This post stays scheduled, unsent."
#: A held post's next attempt: never, as far as the scheduler's tick is concerned.
HELD_UNTIL = datetime(9999, 12, 31, tzinfo=UTC)


def is_demo_account(account: Account) -> bool:
    """One of `harken demo`'s sample accounts: disabled, its id ``sample-<handle>``."""
    return (
        account.status == Account.Status.DISABLED
        and account.external_id == f"sample-{account.handle}"
    )


def is_held(variant: Any) -> bool:
    """A demo account's post, scheduled but never to be sent."""
    return variant.state == State.SCHEDULED and variant.error == DEMO_NOTE


def hold(variant: Any) -> bool:
    """Put a demo account's claimed post back to scheduled, held and saying why, rather
    than failing it "needs reconnecting": a newcomer trying the demo with a worker
    running sees a plan, not a wall of failures. False when another process settled it."""
    return transition(
        variant,
        State.SCHEDULED,
        error=DEMO_NOTE,
        next_attempt_at=HELD_UNTIL,
        claimed_at=None,
        attempts=0,
    )


@dataclass(frozen=True)
class Planned:
    day: int  # of the month; clipped to its last day
    at: time
    networks: str  # "m", "b" or "mb"
    text: str
    category: str
    stage: str = Stage.AWARENESS


#: The month's posts, by day. Which of them are published, failed, scheduled or waiting
#: for approval follows from today (see ``_state``).
MONTH = [
    Planned(
        1,
        time(11, 0),
        "mb",
        "Gift guide, part 1: pieces under $150 that feel like more.",
        Category.CURATED,
    ),
    Planned(
        2,
        time(12, 30),
        "m",
        "Meet Dana, our bench jeweler: 22 years of resizing, and still counting.",
        Category.BEHIND_THE_SCENES,
    ),
    Planned(
        3,
        time(9, 0),
        "mb",
        "Free ring cleaning every Saturday this month. Bring them in!",
        Category.OFFER,
        Stage.DECISION,
    ),
    Planned(
        5,
        time(18, 0),
        "m",
        "Customer story: Maya and Jon chose a recycled-gold band. Here is why.",
        Category.EDUCATIONAL,
        Stage.CONSIDERATION,
    ),
    Planned(
        6,
        time(10, 0),
        "b",
        "Lab-grown or mined? A short, honest guide to both.",
        Category.EDUCATIONAL,
        Stage.CONSIDERATION,
    ),
    Planned(
        7, time(8, 30), "m", "Weekend hours: Saturday 10 to 6, Sunday 12 to 5.", Category.EVENT
    ),
    Planned(
        9,
        time(11, 0),
        "mb",
        "Gift guide, part 2: for the person who has everything.",
        Category.CURATED,
    ),
    Planned(
        10,
        time(9, 0),
        "mb",
        "The Aurora Lab Diamonds week starts today: 15% off lab-grown stones.",
        Category.PROMOTION,
        Stage.DECISION,
    ),
    Planned(
        12,
        time(12, 0),
        "m",
        "Engraving ideas for her: dates, coordinates, a word that is yours.",
        Category.EDUCATIONAL,
    ),
    Planned(
        13,
        time(17, 0),
        "mb",
        "Last day for engraving before the holiday rush.",
        Category.OFFER,
        Stage.DECISION,
    ),
    Planned(
        14,
        time(19, 0),
        "m",
        "Live Q&A on lab-grown stones, Thursday at 7 pm. Ask us anything.",
        Category.QUESTION,
    ),
    Planned(
        16,
        time(18, 0),
        "b",
        "Last-minute gifts under $200, boxed and ready.",
        Category.PROMOTION,
        Stage.DECISION,
    ),
    Planned(17, time(11, 0), "mb", "Open until 8 pm tonight.", Category.EVENT),
    Planned(
        19, time(10, 0), "m", "How to store pearls so they last a lifetime.", Category.EDUCATIONAL
    ),
    Planned(
        21,
        time(12, 0),
        "b",
        "Behind the bench: setting prongs by hand.",
        Category.BEHIND_THE_SCENES,
    ),
    Planned(
        23,
        time(12, 0),
        "mb",
        "Ask us: how do you find a ring size without asking?",
        Category.QUESTION,
    ),
    Planned(
        24,
        time(10, 0),
        "m",
        "Proposal stories you sent us this year. Thank you for sharing them.",
        Category.CURATED,
        Stage.CONSIDERATION,
    ),
    Planned(
        26,
        time(18, 0),
        "b",
        "Which would you choose: rose gold or platinum? Tell us below.",
        Category.SURVEY,
    ),
    Planned(
        28,
        time(10, 0),
        "mb",
        "Next month's birthstone, and three ways to wear it.",
        Category.EDUCATIONAL,
    ),
]
#: Indexes into MONTH (among the posts still ahead) that wait for a manager's approval,
#: and the one left a draft.
AWAITING = (1, 3)
DRAFT = 5
SPECIAL_TEXT = "This week's online-only special: {}. Today only, on our site."
SPECIALS = (
    "pearl studs",
    "gold hoops",
    "birthstone pendants",
    "silver stacking rings",
    "charm bracelets",
)


def fill(workspace: Workspace, now: datetime | None = None) -> None:
    now = now or timezone.now()
    zone = ZoneInfo(workspace.time_zone)
    today = now.astimezone(zone).date()
    first = today.replace(day=1)
    accounts = _accounts(workspace)
    author = Member.objects.filter(workspace=workspace, role=Role.OWNER).first()
    CalendarSettings.objects.update_or_create(
        workspace=workspace, defaults={"country": "US", "subdivision": "NY", "show_seasons": True}
    )
    _vendor_event(workspace, first)
    _month(workspace, accounts, author, first, now, zone)
    _special(workspace, accounts, author, first, now, zone)
    for account in accounts.values():
        for weekday, at in ((1, time(10, 0)), (3, time(18, 0)), (5, time(9, 0))):
            QueueSlot.objects.get_or_create(
                workspace=workspace, account=account, weekday=weekday, time=at
            )
    from harken.publishing.links import demo as links_demo

    links_demo.fill(workspace, now)


def _accounts(workspace: Workspace) -> dict[str, Account]:
    found = {}
    for network, handle in ACCOUNTS:
        account, _ = Account.objects.get_or_create(
            workspace=workspace,
            network=network,
            handle=handle,
            defaults={"status": Account.Status.DISABLED, "external_id": f"sample-{handle}"},
        )
        found[network[0]] = account
    return found


def _vendor_event(workspace: Workspace, first: date) -> None:
    Event.objects.create(
        workspace=workspace,
        title="Aurora Lab Diamonds promotion",
        starts=first + timedelta(days=9),
        ends=first + timedelta(days=13),
        notes="15% off lab-grown stones, Monday to Friday. Vendor co-op: Aurora pays half the ads.",
        remind_days=3,
    )
    Event.objects.create(
        workspace=workspace,
        title="Harbor Street's 12th anniversary",
        starts=first + timedelta(days=20),
        notes="Champagne in the shop from 4 pm.",
        remind_days=7,
    )


def _at(first: date, day: int, at: time, zone: ZoneInfo) -> datetime:
    last = stdcal.monthrange(first.year, first.month)[1]
    return datetime.combine(first.replace(day=min(day, last)), at, tzinfo=zone)


def _month(workspace, accounts, author, first, now, zone) -> None:  # type: ignore[no-untyped-def]
    ahead = 0
    failed = False
    for plan in MONTH:
        when = _at(first, plan.day, plan.at, zone)
        post = Post.objects.create(
            workspace=workspace,
            category=plan.category,
            stage=plan.stage,
            persona="Gift buyers",
            sponsored=plan.category == Category.PROMOTION and "Aurora" in plan.text,
            author=author,
        )
        state = State.PUBLISHED
        if when > now:
            state = (
                State.DRAFT
                if ahead == DRAFT
                else State.AWAITING_APPROVAL
                if ahead in AWAITING
                else State.SCHEDULED
            )
            ahead += 1
        elif not failed and plan.networks == "b":
            state, failed = State.FAILED, True
        for key in plan.networks:
            _variant(workspace, post, accounts[key], plan.text, when, state)
    if not failed:  # early in the month: yesterday's post failed
        yesterday = datetime.combine(
            now.astimezone(zone).date() - timedelta(days=1), time(10, 0), tzinfo=zone
        )
        post = Post.objects.create(
            workspace=workspace, category=Category.EDUCATIONAL, author=author
        )
        text = "Lab-grown or mined? A short, honest guide to both."
        _variant(workspace, post, accounts["b"], text, yesterday, State.FAILED)


def _variant(workspace, post, account, text, when, state) -> Variant:  # type: ignore[no-untyped-def]
    fields: dict = {}
    if state == State.PUBLISHED:
        external = f"sample-plan-{post.pk}-{account.network}"
        fields = {
            "published_at": when,
            "external_id": external,
            "url": f"https://{account.network}.example/harborstreet/{external}",
        }
    elif state == State.FAILED:
        fields = {"error": FAILED_ERROR, "attempts": 1}
    elif state == State.SCHEDULED:
        fields = {"error": DEMO_NOTE, "next_attempt_at": HELD_UNTIL}
    if "Aurora" in text:  # the vendor pays half: a sponsored post says so
        text += " #ad"
    return Variant.objects.create(
        workspace=workspace,
        post=post,
        account=account,
        text=text,
        scheduled_at=when,
        state=state,
        **fields,
    )


def _special(workspace, accounts, author, first, now, zone) -> None:  # type: ignore[no-untyped-def]
    """The weekly online-only special, Wednesdays at 10:00, from the month's first
    Wednesday to the end of next month; its occurrences are made here (the accounts are
    examples that the scheduling checks would refuse)."""
    wednesday = first + timedelta(days=(2 - first.weekday()) % 7)
    following = (first + timedelta(days=32)).replace(day=1)
    until = following.replace(day=stdcal.monthrange(following.year, following.month)[1])
    series = Series.objects.create(
        workspace=workspace,
        title="Online-only special",
        rrule="FREQ=WEEKLY;BYDAY=WE",
        starts=datetime.combine(wednesday, time(10, 0), tzinfo=zone),
        text=SPECIAL_TEXT.format("this week's pick"),
        category=Category.OFFER,
        until=until,
        author=author,
    )
    series.accounts.set(accounts.values())
    day, n = wednesday, 0
    while day <= until:
        when = datetime.combine(day, time(10, 0), tzinfo=zone)
        post = Post.objects.create(
            workspace=workspace, category=Category.OFFER, stage=Stage.DECISION, author=author
        )
        Occurrence.objects.create(series=series, at=when, post=post)
        state = State.PUBLISHED if when <= now else State.SCHEDULED
        # What went out named its pick; what is ahead still says the series' own text,
        # so editing the series changes it.
        text = SPECIAL_TEXT.format(SPECIALS[n % len(SPECIALS)]) if when <= now else series.text
        for account in accounts.values():
            _variant(workspace, post, account, text, when, state)
        day, n = day + timedelta(days=7), n + 1
