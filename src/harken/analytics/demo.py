"""The sample workspace's history, so that its dashboard tells a story: `harken demo`.

Listening's demo fills the last few days; this adds eight weeks before them, from a
known customer base (contacts with an age band, a region and a customer status, and the
shares the shop knows of its customers), two sample accounts with a daily follower
count, and three months of published posts with their likes, comments and shares and
the clicks on the links they carried, then rolls everything up. The story a jewelry
store owner should read: the holiday season lifts mentions and the store's share of
voice against Rival Rings, answers got faster, Thursday evening posts draw the most
engagement, promotions run a little over the target, and in the last weeks complaints
about late holiday orders piled up, most of them from three loud customers: counted one
person one vote, the typical customer is happy, and the customers over 55 (three in ten)
are barely heard.

The sample runs on whatever networks listening's demo gave its sources: posts and
answers on the searched ones, articles on the feed; nothing here names a network.

Everything is synthetic and marked so (the workspace's banner, ``example`` addresses);
mentions go through the real ingest pipeline, so they are enriched, matched and threaded
like real ones. A fixed seed makes every fill the same.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from harken.analytics.days import zone_of
from harken.analytics.models import AccountSnapshot, CustomerBase
from harken.analytics.post_metrics import Counts, record
from harken.analytics.rollups import roll_all
from harken.contacts.linking import link_authors
from harken.contacts.models import Contact
from harken.core.models import Workspace
from harken.inbox.models import Conversation
from harken.inbox.sample import tidy_backlog
from harken.listening.models import Mention, Source
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem
from harken.networks.models import Account
from harken.networks.registry import connector_class
from harken.publishing.links.clicks import Visit, find_target, record_click
from harken.publishing.links.demo import PEOPLE as BROWSERS
from harken.publishing.links.tracking import create_link
from harken.publishing.models import Category, ClickSalt, Post, Stage, Variant
from harken.publishing.states import State

SEED = 20261206
#: Days of history before listening's own sample days.
HISTORY = 56
POST_DAYS = 90

FIRST = [
    "amelia",
    "ben",
    "clara",
    "dmitri",
    "esme",
    "farah",
    "gus",
    "hannah",
    "ivan",
    "june",
    "kofi",
    "lena",
    "marco",
    "nadia",
    "oscar",
    "priti",
    "quinn",
    "rosa",
    "sami",
    "tomas",
    "uma",
    "vera",
    "wes",
    "xena",
    "yusuf",
    "zoe",
    "aiden",
    "bea",
    "cyrus",
    "dora",
    "eli",
    "fern",
    "gita",
    "hugo",
    "iris",
    "jonah",
    "kira",
    "leo",
    "mina",
    "noor",
    "otto",
    "pia",
    "raj",
    "sol",
    "tara",
]
#: Age bands (the contacts demo's), regions and customer statuses of the people heard,
#: in turn: the over-55s are a tenth of the voices but three in ten of the customers.
AGES = ["25-34"] * 4 + ["35-44"] * 4 + ["45-54"] * 4 + ["18-24", "55-64", "65+"]
REGIONS = ["Harbor district", "Old town", "Out of town"]
STATUSES = ["customer"] * 3 + ["non_customer"]
#: The shop's own customer base, as a manager would enter it (per cent).
BASE = {
    "Age band": {
        "18-24": 8.0,
        "25-34": 22.0,
        "35-44": 22.0,
        "45-54": 18.0,
        "55-64": 17.0,
        "65+": 13.0,
    }
}
#: (handle, name, followers, age band, region, status) of everyone the sample hears.
PEOPLE = [
    (
        f"{name}.{n + 11}",
        name.capitalize(),
        int(60 * (1.6 ** (n % 9))),
        AGES[n % len(AGES)],
        REGIONS[n % len(REGIONS)],
        STATUSES[n % len(STATUSES)],
    )
    for n, name in enumerate(FIRST)
]
#: The sentiment each kind of sample mention is written with.
FELT = {"p": "positive", "q": "neutral", "c": "negative"}
#: Three customers who write again and again about their late orders.
LOUD = [PEOPLE[1], PEOPLE[6], PEOPLE[13]]

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
    sources = list(Source.objects.filter(workspace=workspace).order_by("pk"))
    social = [s.network for s in sources if s.kind != Source.Kind.FEED and _answerable(s.network)]
    feeds = [s.network for s in sources if s.kind == Source.Kind.FEED]
    if not social:
        return 0
    accounts = _accounts(workspace, social)
    _snapshots(workspace, accounts, rng, now)
    variants: list[tuple[Variant, int]] = []
    felt: dict[str, str] = {}
    items = _history(workspace, rng, now, social, feeds, felt) + _posts(
        workspace, accounts, rng, now, variants, social
    )
    added = 0
    for source in sources:
        batch = sorted((i for i in items if i.network == source.network), key=lambda i: i.created)
        if batch:
            added += ingest(source, batch, workspace=workspace).stored
    # Set as written, like the contacts demo: the story must not hang on the model's mood.
    for sentiment in ("positive", "neutral", "negative"):
        ids = [key for key, felt_as in felt.items() if felt_as == sentiment]
        Mention.objects.filter(workspace=workspace, external_id__in=ids).update(sentiment=sentiment)
    _customers(workspace, social)
    _post_metrics(workspace, variants, rng, now)
    _post_links(workspace, variants, rng, now)
    _settle(workspace, rng, now)
    roll_all(workspace)
    return added


def _answerable(network: str) -> bool:
    try:
        return "reply" in connector_class(network).capabilities
    except KeyError:
        return False


def _network_of(person: tuple, social: list[str]) -> str:
    """Each sample person writes on one network, the same every time (one voice)."""
    return social[PEOPLE.index(person) % len(social)]


def _brand(workspace: Workspace) -> str:
    return workspace.name.removeprefix("Sample: ")


def _item(
    workspace: Workspace, network: str, key: str, text: str, at: datetime, person: tuple, **more
) -> NormalizedItem:
    handle, name, followers = person[:3]
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


def _history(
    workspace: Workspace,
    rng: random.Random,
    now: datetime,
    social: list[str],
    feeds: list[str],
    felt: dict[str, str],
) -> list[NormalizedItem]:
    """Eight weeks of mentions before the last four days, busier as the season nears;
    ``felt`` gets each praise, question and complaint's sentiment by its id."""
    brand, items = _brand(workspace), []
    for back in range(HISTORY + 4, 4, -1):
        day = now - timedelta(days=back)
        recent = back <= 18
        volume = 3 + (HISTORY - back) // 10 + rng.randrange(3)
        for n in range(volume):
            # Rival Rings was talked about more before the season: the store's share rises.
            kinds = ["p", "p", "p", "q", "c", "r", "i"] + (["r", "r"] if back > 32 else [])
            kind = rng.choice(kinds)
            if kind == "i" and not feeds:
                kind = "r"
            texts = {"p": PRAISE, "q": QUESTIONS, "c": COMPLAINTS}.get(kind)
            text = rng.choice(texts).format(b=brand) if texts else ""
            if kind == "r":
                text = rng.choice(RIVAL)
            elif kind == "i":
                text = rng.choice(INDUSTRY)
            person = rng.choice(PEOPLE)
            network = rng.choice(feeds) if kind == "i" else _network_of(person, social)
            at = day.replace(hour=9) + timedelta(minutes=rng.randrange(12 * 60))
            made = _with_answer(
                workspace, rng, network, f"{back}-{n}", text, at, person, back, kind != "i"
            )
            if kind in FELT:
                felt[made[0].external_id] = FELT[kind]
            items += made
        if recent:
            # The late holiday orders: three customers, again and again.
            for n in range(rng.randrange(4, 8)):
                person = rng.choice(LOUD)
                at = day.replace(hour=10) + timedelta(minutes=rng.randrange(10 * 60))
                text = rng.choice(LATE).format(b=brand)
                network = _network_of(person, social)
                made = _with_answer(
                    workspace, rng, network, f"{back}-l{n}", text, at, person, back, True
                )
                felt[made[0].external_id] = "negative"
                items += made
    return items


def _with_answer(
    workspace: Workspace,
    rng: random.Random,
    network: str,
    key: str,
    text: str,
    at: datetime,
    person: tuple,
    back: int,
    answerable: bool,
) -> list[NormalizedItem]:
    """A mention and, most of the time, the shop's answer to it."""
    root = _item(workspace, network, key, text, at, person)
    if not answerable or rng.random() >= 0.8:
        return [root]
    # Answers got faster over the weeks: hours at first, minutes lately.
    wait = rng.randrange(90, 300) if back > 28 else rng.randrange(8, 75)
    answer = _item(
        workspace,
        network,
        f"{key}-a",
        rng.choice(ANSWERS),
        at + timedelta(minutes=wait),
        ("harborstreet", _brand(workspace), None),
        in_reply_to=root.external_id,
        is_own=True,
    )
    return [root, answer]


def _customers(workspace: Workspace, social: list[str]) -> None:
    """The sample people as contacts with their segments, and the shop's customer base."""
    link_authors(workspace)
    for handle, _name, _followers, age, region, status in PEOPLE:
        Contact.objects.filter(
            workspace=workspace, identities__author__handle=handle, merged_into=None
        ).update(status=status, segments={"Age band": age, "Region": region})
    for dimension, shares in BASE.items():
        for segment, share in shares.items():
            CustomerBase.objects.update_or_create(
                workspace=workspace,
                dimension=dimension,
                segment=segment,
                defaults={"share": share},
            )


def _accounts(workspace: Workspace, social: list[str]) -> list[Account]:
    """Two sample accounts, disabled: their addresses are examples, never called."""
    found = []
    for network in social[:2]:
        handle = f"harborstreet.{network}.example"
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
    for account, start, growth in zip(accounts, (1_180, 760), (3.1, 4.4), strict=False):
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
    workspace: Workspace,
    accounts: list[Account],
    rng: random.Random,
    now: datetime,
    variants: list[tuple[Variant, int]],
    social: list[str],
) -> list[NormalizedItem]:
    """Published posts every other day before this month, and the replies they drew:
    Thursday evening posts draw the most, mornings the fewest. ``variants`` gets each
    post with how much it drew, for its counts (``_post_metrics``)."""
    zone, replies = zone_of(workspace), []
    month_start = now.astimezone(zone).date().replace(day=1)
    for n, back in enumerate(range(POST_DAYS, 0, -2)):
        local = (now - timedelta(days=back)).astimezone(zone)
        hour = rng.choice([8, 10, 12, 13, 17, 18, 19, 19, 20])
        if local.weekday() == 3:
            hour = 19  # the shop's late Thursday opening: announced at seven
        at = local.replace(hour=hour, minute=rng.randrange(60))
        if at.date() >= month_start:
            continue  # the publishing demo plans the current month
        category, text = POSTS[n % len(POSTS)]
        account = accounts[n % len(accounts)]
        post = Post.objects.create(
            workspace=workspace, category=category, stage=Stage.AWARENESS, persona="Gift buyers"
        )
        external_id = f"sample-{workspace.pk}-post-{n}"
        variant = Variant.objects.create(
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
        variants.append((variant, draw))
        for r in range(rng.randrange(draw, draw + 3)):
            replies.append(
                _item(
                    workspace,
                    account.network,
                    f"post-{n}-{r}",
                    rng.choice(["Love this!", "Beautiful work", "Do you ship these?"]),
                    at + timedelta(minutes=rng.randrange(5, 240)),
                    rng.choice(
                        [p for p in PEOPLE if _network_of(p, [account.network]) == account.network]
                    ),
                    in_reply_to=external_id,
                )
            )
    return replies


def _post_metrics(
    workspace: Workspace, variants: list[tuple[Variant, int]], rng: random.Random, now: datetime
) -> None:
    """Each sample post's likes, comments and shares as its network would report them
    today: more for the posts that drew more (Thursday evenings), a share now and then."""
    day = now.astimezone(zone_of(workspace)).date()
    for variant, draw in variants:
        likes = draw * rng.randrange(4, 9) + rng.randrange(3)
        record(
            variant,
            Counts(likes=likes, comments=draw + rng.randrange(3), shares=rng.randrange(draw + 1)),
            day,
        )


#: Where the sample posts that carry a tracked link lead (the rest carry none).
POST_LINKS: dict[str, str] = {
    Category.PROMOTION: "https://harborstreet.example/shop",
    Category.OFFER: "https://harborstreet.example/engraving",
    Category.EDUCATIONAL: "https://harborstreet.example/blog/care",
}


def _post_links(
    workspace: Workspace, variants: list[tuple[Variant, int]], rng: random.Random, now: datetime
) -> None:
    """A tracked link in the promotions, offers and how-tos, clicked by people in the
    two days after each post (more after the posts that drew more) and fetched once by
    the network's preview bot: the click-through rate, and clicks beside the campaign's
    that pledge nothing. Counted by the redirect's own ``record_click``."""
    for variant, draw in variants:
        destination = POST_LINKS.get(variant.post.category)
        if destination is None or variant.published_at is None:
            continue
        link = create_link(
            destination, workspace=workspace, network=variant.account.network, variant=variant
        )
        target = find_target(link.code)
        assert target is not None
        published = variant.published_at
        visits = [Visit(at=published + timedelta(minutes=1), address="", user_agent=PREVIEWER)]
        for _ in range(draw * rng.randrange(2, 5) + rng.randrange(3)):
            visits.append(
                Visit(
                    at=published + timedelta(minutes=rng.randrange(5, 48 * 60)),
                    address=f"203.0.113.{rng.randrange(1, 255)}",
                    user_agent=rng.choice(BROWSERS),
                )
            )
        for visit in sorted(visits, key=lambda v: v.at):
            if visit.at <= now:
                record_click(target, visit)
    # Only the latest day's salt is kept, as the redirect keeps it.
    ClickSalt.objects.filter(day__lt=now.astimezone(UTC).date()).delete()


#: A link-preview fetcher: counted as a bot, never as a person.
PREVIEWER = "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)"


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
    # And, as the inbox's sample team does with listening's and contacts' mentions, the
    # praise and chatter of the last days among these were thanked or let go.
    tidy_backlog(workspace, now)
