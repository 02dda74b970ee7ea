"""Sample listening data for `harken demo`: topics, sources and a few days of mentions.

Everything is synthetic and says so (``example.*`` links, "(sample)" sources); the texts are
written here, not taken from any data set. Mentions go through the real ingest pipeline,
so they are threaded, grouped, matched to topics and enriched like real ones. Ids are
fixed per workspace, so running it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from django.utils import timezone

from harken.core.models import Workspace
from harken.listening.alerts.demo import add_demo_rules
from harken.listening.models import AlertRule, Source, Topic
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem

DAYS = 4
SEED = 20261123

CUSTOMERS = [
    ("maya.writes", "Maya", 840),
    ("tom_on_the_coast", "Tom", 152),
    ("lena.k", "Lena K.", 3_210),
    ("dev_rahul", "Rahul", 98),
    ("sunny_days", "Sunny", 12_400),
    ("grace.h", "Grace", 410),
    ("oliver_p", "Oliver", 67),
    ("nora_makes", "Nora", 1_905),
]

QUESTIONS = [
    "Does {brand} open on Sundays? Want to pick up a repair before Monday",
    "Hey {brand}, do you resize rings while I wait or does it take a few days?",
    "Is there parking near {brand}? Coming from out of town on Saturday",
    "{brand} do you still do engraving on silver bracelets? How much?",
]
COMPLAINTS = [
    "Still waiting on my order from {brand}, two weeks now and no reply to my emails",
    "Really disappointed with {brand}, the clasp broke after a week",
    "{brand} charged me twice for the same watch battery. Not great.",
]
PRAISE = [
    "{brand} fixed my grandmother's ring in one afternoon, can't thank them enough",
    "Lovely people at {brand}, they helped me pick the perfect anniversary gift",
    "Shout out to {brand} for the free cleaning, my ring looks brand new",
]
INDUSTRY = [
    "Lab-grown diamonds are everywhere this season, are they worth it for an engagement ring?",
    "Anyone know a good independent jeweler for vintage watch repair?",
    "Gold prices up again this week, glad I bought my wedding bands last year",
]
COMPETITOR = [
    "Rival Rings had a 20% off sale this weekend, tempted",
    "Tried Rival Rings for a resize, took ten days",
]
ANSWERS = [
    "Thanks for reaching out! We're open Sunday 11 to 4, see you then.",
    "So sorry about this. Could you send us your order number by DM? We'll sort it today.",
    "Resizing takes about an hour for most rings, just drop by.",
    "That's wonderful to hear, thank you for trusting us with it!",
]


#: Sample direct messages (network, thread, handle, name, minutes ago, text): private
#: conversations on networks whose messages Harken reads, so the inbox's Direct messages
#: view has something in it for a newcomer. Nobody has answered them yet; a few hours old,
#: so that their waiting ranks them among the other owed answers, above the chatter.
DIRECT = [
    (
        "instagram",
        "ring-size",
        "ava.loves.silver",
        "Ava",
        320,
        "Hi! I love the twisted band rings in your last post. I don't know my ring size, "
        "can I find it at home or should I come in?",
    ),
    (
        "instagram",
        "ring-size",
        "ava.loves.silver",
        "Ava",
        316,
        "It's a surprise for my sister so I can't ask her 🙈 she wears a size M in gloves "
        "if that helps?",
    ),
    (
        "facebook",
        "order",
        "marcus.bell",
        "Marcus Bell",
        190,
        "Hello, I ordered the engraved watch for my dad's birthday (order HS-20418). The "
        "site says it ships Friday but his birthday is Thursday. Any chance it can go out "
        "sooner? Happy to pay for faster shipping.",
    ),
]


def fill(workspace: Workspace, now: datetime | None = None) -> int:
    """Add sample topics, sources and mentions to ``workspace``; returns mentions stored."""
    now = now or timezone.now()
    _topics(workspace)
    sources = _sources(workspace, now)
    items = _mentions(workspace, random.Random(SEED), now)
    stored = 0
    for network, source in sources.items():
        batch = [item for item in items if item.network == network]
        stored += ingest(source, batch).stored
    # Direct messages come from connected accounts, which the sample has none of: no source.
    stored += ingest(None, _direct_messages(workspace, now), workspace=workspace).stored
    # The inbox comes before listening in INSTALLED_APPS: its sample states are given here,
    # once the conversations exist.
    from harken.inbox.sample import fill_inbox

    fill_inbox(workspace, now)
    # After the sample mentions, so that filling the demo sends no alert.
    if not AlertRule.objects.filter(workspace=workspace).exists():
        add_demo_rules(workspace, "alerts@harbor-street.example")
    return stored


def business_name(workspace: Workspace) -> str:
    """The business's own name, without the "Sample: " label of the demo workspace."""
    return workspace.name.removeprefix("Sample: ")


def _topics(workspace: Workspace) -> None:
    brand = business_name(workspace)
    handle = "".join(part for part in brand.title().split() if part.isalnum())
    for name, kind, query in [
        (brand, Topic.Kind.BRAND, f'"{brand}" OR @{handle} OR #{handle}'),
        ("Rival Rings", Topic.Kind.COMPETITOR, '"Rival Rings" OR @RivalRings'),
        ("Jewelry & watches", Topic.Kind.INDUSTRY, "jeweler OR diamonds OR (watch repair) -job"),
    ]:
        Topic.objects.get_or_create(
            workspace=workspace, name=name, defaults={"kind": kind, "query": query}
        )


def _sources(workspace: Workspace, now: datetime) -> dict[str, Source]:
    # Disabled: their addresses are examples, and the worker must not poll them.
    specs = {
        "mastodon": ("Mastodon search (sample)", Source.Kind.SEARCH, business_name(workspace), ""),
        "bluesky": ("Bluesky search (sample)", Source.Kind.SEARCH, business_name(workspace), ""),
        "feed": ("Local news feed (sample)", Source.Kind.FEED, "", "https://news.example/feed"),
    }
    sources = {}
    for network, (name, kind, query, url) in specs.items():
        sources[network], _ = Source.objects.get_or_create(
            workspace=workspace,
            name=name,
            defaults={
                "kind": kind,
                "network": network,
                "query": query,
                "url": url,
                "enabled": False,
                "last_success": now - timedelta(minutes=4),
            },
        )
    return sources


def _mentions(workspace: Workspace, rng: random.Random, now: datetime) -> list[NormalizedItem]:
    items: list[NormalizedItem] = []
    start = now - timedelta(days=DAYS)
    for number in range(DAYS * 12):
        posted = start + timedelta(minutes=rng.randrange(DAYS * 24 * 60 - 60))
        items.extend(_thread(workspace, rng, number, posted))
    return sorted(items, key=lambda item: item.created)


def _direct_messages(workspace: Workspace, now: datetime) -> list[NormalizedItem]:
    """``DIRECT`` as the items a connector reads: kind "message", each message under its
    thread's key (as the connectors give it: both the thread id and the parent)."""
    items = []
    for number, (network, thread, handle, name, ago, text) in enumerate(DIRECT):
        item = _item(
            workspace,
            network,
            f"dm-{number}",
            text,
            now - timedelta(minutes=ago),
            handle,
            name,
            None,
        )
        key = f"sample-{workspace.pk}-dm-{thread}"
        items.append(replace(item, kind="message", conversation_id=key, in_reply_to=key))
    return items


def _thread(
    workspace: Workspace, rng: random.Random, number: int, posted: datetime
) -> list[NormalizedItem]:
    """One customer's post and, for the ones about us, often our answer and a re-share."""
    network = rng.choice(["mastodon", "mastodon", "bluesky", "bluesky", "feed"])
    kind, templates = rng.choice(
        [("q", QUESTIONS), ("c", COMPLAINTS), ("p", PRAISE), ("i", INDUSTRY), ("r", COMPETITOR)]
    )
    text = rng.choice(templates).format(brand=business_name(workspace))
    handle, name, followers = rng.choice(CUSTOMERS)
    root = _item(workspace, network, f"{number}", text, posted, handle, name, followers)
    thread = [root]
    if kind in "qcp" and network != "feed" and rng.random() < 0.7:
        answer = rng.choice(ANSWERS)
        later = posted + timedelta(minutes=rng.randrange(4, 180))
        thread.append(
            _item(
                workspace,
                network,
                f"{number}-a",
                answer,
                later,
                "harborstreet",
                business_name(workspace),
                None,
            )
        )
        thread[-1] = replace(thread[-1], in_reply_to=root.external_id, is_own=True)
    if kind == "p" and rng.random() < 0.5:
        other, other_name, reach = rng.choice(CUSTOMERS)
        again = posted + timedelta(hours=rng.randrange(1, 20))
        thread.append(
            _item(
                workspace,
                network,
                f"{number}-rt",
                f"RT @{handle}: {text}",
                again,
                other,
                other_name,
                reach,
            )
        )
    return thread


def _item(
    workspace: Workspace,
    network: str,
    key: str,
    text: str,
    posted: datetime,
    handle: str,
    name: str,
    followers: int | None,
) -> NormalizedItem:
    external_id = f"sample-{workspace.pk}-{key}"
    return NormalizedItem(
        network=network,
        external_id=external_id,
        kind="article" if network == "feed" else "post",
        text=text,
        created=posted,
        author_id=f"sample-{handle}",
        author_handle=handle,
        author_name=name,
        author_followers=followers,
        url=f"https://{network}.example/{handle}/{external_id}",
    )
