"""The sample workspace's history, so that its dashboard tells a story: `harken demo`.

Listening's demo fills the last few days; this adds eight weeks before them, two sample
accounts with a daily follower count, and three months of published posts with the
replies they drew, then rolls everything up. The story a jewelry store owner should read:
the holiday season lifts mentions and the store's share of voice against Rival Rings,
answers got faster, Thursday evening posts draw the most replies, promotions run a little
over the target, and in the last week complaints about late holiday orders piled up.

Everything is synthetic and marked so (the workspace's banner, ``example`` addresses);
mentions go through the real ingest pipeline, so they are enriched, matched and threaded
like real ones. A fixed seed makes every fill the same.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from harken.analytics.days import zone_of
from harken.analytics.models import AccountSnapshot
from harken.analytics.rollups import roll_all
from harken.core.models import Workspace
from harken.inbox.models import Conversation
from harken.listening.models import Source
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem
from harken.networks.models import Account
from harken.publishing.models import Category, Post, Stage, Variant
from harken.publishing.states import State

SEED = 20261206
#: Days of history before listening's own sample days.
HISTORY = 56
POST_DAYS = 90

PEOPLE = [
    ("amelia.rose", "Amelia", 2_400),
    ("ben_carver", "Ben", 310),
    ("clara.mends", "Clara", 5_800),
    ("dmitri_k", "Dmitri", 140),
    ("esme.writes", "Esmé", 960),
    ("farah.n", "Farah", 18_200),
    ("gus_on_main", "Gus", 75),
    ("hannah.b", "Hannah", 1_320),
    ("ivan.p", "Ivan", 430),
    ("june.bug", "June", 2_050),
]
PRAISE = [
    "{b} resized my engagement ring in an hour, wonderful service",
    "The holiday gift wrapping at {b} is so pretty, my sister loved her necklace",
    "Got my grandmother's watch repair back from {b}, runs perfectly",
    "{b} helped me choose engagement rings without any pressure, thank you",
    "Free ring cleaning at {b} today, it sparkles like new",
]
QUESTIONS = [
    "Does {b} do engraving on holiday gifts before Christmas?",
    "{b} are you open late this week for holiday shopping?",
    "How long does a watch repair take at {b}?",
    "Can {b} resize engagement rings the same day?",
]
COMPLAINTS = [
    "My holiday order from {b} is late, still no tracking number",
    "Late order again from {b}, the gift was meant for Saturday",
    "{b} the clasp on my new bracelet broke after two days",
]
LATE = [
    "Still waiting on my holiday order from {b}, late order and no reply",
    "{b} my late order still has not shipped, really disappointed",
    "Third email to {b} about a late order, nobody answers",
]
RIVAL = [
    "Rival Rings has engagement rings on sale this week",
    "Rival Rings took ten days for a watch repair",
    "Picked up holiday gifts at Rival Rings, decent prices",
]
INDUSTRY = [
    "Lab-grown diamonds are the holiday gift trend this year",
    "Gold prices climbing again before the holidays",
]
ANSWERS = [
    "Thank you! We're so glad, see you soon.",
    "Yes, we're open until 8 pm all week. Come by!",
    "We're sorry, please DM us your order number and we'll fix it today.",
]
POSTS = [
    (Category.PROMOTION, "Holiday sale: 15% off engagement rings this weekend"),
    (Category.EDUCATIONAL, "How to clean silver jewelry at home, in three steps"),
    (Category.BEHIND_THE_SCENES, "Our bench jeweler at work on a vintage setting"),
    (Category.QUESTION, "Which stone would you pick for a winter wedding?"),
    (Category.OFFER, "Free engraving on every gift bought before the 20th"),
    (Category.EVENT, "Late opening on Thursday for holiday shopping"),
    (Category.PROMOTION, "New arrivals: gold hoops for every budget"),
]


def fill(workspace: Workspace, now: datetime | None = None) -> int:
    """Add the sample's history and roll it up; returns the mentions added."""
    now = now or timezone.now()
    rng = random.Random(SEED)
    sources = {s.network: s for s in Source.objects.filter(workspace=workspace)}
    accounts = _accounts(workspace)
    _snapshots(workspace, accounts, rng, now)
    items = _history(workspace, rng, now) + _posts(workspace, accounts, rng, now)
    added = 0
    for network in ("mastodon", "bluesky", "feed"):
        batch = sorted((i for i in items if i.network == network), key=lambda i: i.created)
        if batch:
            added += ingest(sources.get(network), batch, workspace=workspace).stored
    _settle(workspace, rng, now)
    roll_all(workspace)
    return added


def _brand(workspace: Workspace) -> str:
    return workspace.name.removeprefix("Sample: ")


def _item(
    workspace: Workspace, network: str, key: str, text: str, at: datetime, person: tuple, **more
) -> NormalizedItem:
    handle, name, followers = person
    external_id = f"sample-{workspace.pk}-h{key}"
    return NormalizedItem(
        network=network,
        external_id=external_id,
        kind="post",
        text=text,
        created=at,
        author_id=f"sample-{handle}",
        author_handle=handle,
        author_name=name,
        author_followers=followers,
        url=f"https://{network}.example/{handle}/{external_id}",
        **more,
    )


def _history(workspace: Workspace, rng: random.Random, now: datetime) -> list[NormalizedItem]:
    """Eight weeks of mentions before the last four days, busier as the season nears."""
    brand, items = _brand(workspace), []
    for back in range(HISTORY + 4, 4, -1):
        day = now - timedelta(days=back)
        recent = back <= 11
        volume = 2 + (HISTORY - back) // 12 + rng.randrange(3)
        for n in range(volume):
            # Rival Rings was talked about more before the season: the store's share rises.
            kinds = ["p", "p", "q", "c", "r", "i"] + (["r", "r"] if back > 32 else [])
            kinds += ["l", "l", "l"] if recent else []
            kind = rng.choice(kinds)
            texts = {"p": PRAISE, "q": QUESTIONS, "c": COMPLAINTS, "l": LATE}.get(kind)
            text = rng.choice(texts).format(b=brand) if texts else ""
            if kind == "r":
                text = rng.choice(RIVAL)
            elif kind == "i":
                text = rng.choice(INDUSTRY)
            network = "feed" if kind == "i" else rng.choice(["mastodon", "bluesky"])
            at = day.replace(hour=9) + timedelta(minutes=rng.randrange(12 * 60))
            root = _item(workspace, network, f"{back}-{n}", text, at, rng.choice(PEOPLE))
            items.append(root)
            if kind in "pqcl" and network != "feed" and rng.random() < 0.8:
                # Answers got faster over the weeks: hours at first, minutes lately.
                wait = rng.randrange(90, 300) if back > 28 else rng.randrange(8, 75)
                answer = _item(
                    workspace,
                    network,
                    f"{back}-{n}-a",
                    rng.choice(ANSWERS),
                    at + timedelta(minutes=wait),
                    ("harborstreet", brand, None),
                    in_reply_to=root.external_id,
                    is_own=True,
                )
                items.append(answer)
    return items


def _accounts(workspace: Workspace) -> list[Account]:
    """Two sample accounts, disabled: their addresses are examples, never called."""
    found = []
    for network, handle in (
        ("mastodon", "harborstreet@mastodon.example"),
        ("bluesky", "harborstreet.example"),
    ):
        account, _ = Account.objects.get_or_create(
            workspace=workspace,
            network=network,
            handle=handle,
            defaults={"status": Account.Status.DISABLED, "external_id": f"sample-{handle}"},
        )
        found.append(account)
    return found


def _snapshots(
    workspace: Workspace, accounts: list[Account], rng: random.Random, now: datetime
) -> None:
    today = now.astimezone(zone_of(workspace)).date()
    for account, start, growth in zip(accounts, (1_180, 760), (3.1, 4.4), strict=True):
        followers = float(start)
        rows = []
        for back in range(POST_DAYS, -1, -1):
            followers += growth * rng.uniform(0.2, 1.8)
            rows.append(
                AccountSnapshot(
                    workspace=workspace,
                    account=account,
                    day=today - timedelta(days=back),
                    followers=round(followers),
                )
            )
        AccountSnapshot.objects.filter(account=account).delete()
        AccountSnapshot.objects.bulk_create(rows)


def _posts(
    workspace: Workspace, accounts: list[Account], rng: random.Random, now: datetime
) -> list[NormalizedItem]:
    """Published posts every other day before this month, and the replies they drew:
    Thursday evening posts draw the most, mornings the fewest."""
    zone, replies = zone_of(workspace), []
    month_start = now.astimezone(zone).date().replace(day=1)
    for n, back in enumerate(range(POST_DAYS, 0, -2)):
        local = (now - timedelta(days=back)).astimezone(zone)
        hour = rng.choice([8, 10, 12, 13, 17, 18, 19, 19, 20])
        at = local.replace(hour=hour, minute=rng.randrange(60))
        if at.date() >= month_start:
            continue  # the publishing demo plans the current month
        category, text = POSTS[n % len(POSTS)]
        account = accounts[n % len(accounts)]
        post = Post.objects.create(
            workspace=workspace, category=category, stage=Stage.AWARENESS, persona="Gift buyers"
        )
        external_id = f"sample-{workspace.pk}-post-{n}"
        Variant.objects.create(
            workspace=workspace,
            post=post,
            account=account,
            text=text,
            state=State.PUBLISHED,
            scheduled_at=at,
            published_at=at,
            external_id=external_id,
            url=f"https://{account.network}.example/harborstreet/{external_id}",
        )
        draw = 1 + (4 if at.weekday() == 3 and hour >= 18 else 2 if hour >= 17 else 0)
        for r in range(rng.randrange(draw, draw + 3)):
            replies.append(
                _item(
                    workspace,
                    account.network,
                    f"post-{n}-{r}",
                    rng.choice(["Love this!", "Beautiful work", "Do you ship these?"]),
                    at + timedelta(minutes=rng.randrange(5, 240)),
                    rng.choice(PEOPLE),
                    in_reply_to=external_id,
                )
            )
    return replies


def _settle(workspace: Workspace, rng: random.Random, now: datetime) -> None:
    """Resolve the history's conversations (the inbox shows the last days' only), a few
    hours to two days after they began."""
    old = Conversation.objects.filter(
        workspace=workspace,
        first_message_at__lt=now - timedelta(days=5),
        status__in=[
            Conversation.Status.NEW,
            Conversation.Status.OPEN,
            Conversation.Status.WAITING,
        ],
    )
    for conversation in old:
        began = conversation.first_message_at or now
        conversation.status = Conversation.Status.RESOLVED
        conversation.resolved_at = began + timedelta(hours=rng.randrange(3, 48))
        conversation.save(update_fields=["status", "resolved_at"])
