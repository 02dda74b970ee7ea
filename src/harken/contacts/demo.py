"""Sample contacts for `harken demo`: customers with segments, an advocate, a detractor
who came round after our answer, and one still unhappy.

Runs after listening's demo (INSTALLED_APPS order). Its few mentions go through the real
ingest pipeline; their sentiment is then set as written, so the sample lists show the
same people whatever the analysis model says. The customer list goes through the real
customer import. Ids are fixed per workspace: running it twice changes nothing.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.utils import timezone

from harken.contacts.importing import import_customers
from harken.contacts.linking import link_authors
from harken.core.models import Workspace
from harken.listening.models import Mention
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem

#: (key, network, handle, name, followers, hours ago, sentiment, text, answering key)
STORY = [
    (
        "p1",
        "bluesky",
        "priya.makes.bsky.social",
        "Priya",
        5_400,
        80,
        "positive",
        "Third ring from {brand} and they never miss. Beautiful work!",
        "",
    ),
    (
        "p2",
        "bluesky",
        "priya.makes.bsky.social",
        "Priya",
        5_400,
        50,
        "positive",
        "If you need a jeweler who listens, {brand} is it. Love my new earrings",
        "",
    ),
    (
        "p3",
        "bluesky",
        "priya.makes.bsky.social",
        "Priya",
        5_400,
        20,
        "positive",
        "Took my sister to {brand} today, she is thrilled with her bracelet",
        "",
    ),
    (
        "p4",
        "mastodon",
        "priya.makes@mastodon.example",
        "Priya",
        610,
        12,
        "neutral",
        "Does anyone know how often a pearl necklace should be restrung?",
        "",
    ),
    (
        "d1",
        "mastodon",
        "dan_fixes",
        "Dan",
        320,
        70,
        "negative",
        "{brand} lost my watch for a week and nobody called me back. Not happy.",
        "",
    ),
    (
        "d1a",
        "mastodon",
        "harborstreet",
        "{brand}",
        None,
        69,
        "",
        "Dan, we are so sorry. Your watch is found and ready, and the repair is on us.",
        "d1",
    ),
    (
        "d2",
        "mastodon",
        "dan_fixes",
        "Dan",
        320,
        30,
        "positive",
        "Got my watch back from {brand}, running perfectly. They made it right, thank you",
        "",
    ),
    (
        "g1",
        "bluesky",
        "gus.grumbles.bsky.social",
        "Gus",
        45,
        10,
        "negative",
        "{brand} prices went up again, not impressed",
        "",
    ),
]

#: The shop's customer list, as Excel saves it in much of Europe: a byte order mark,
#: semicolons and decimal commas.
CUSTOMERS = "\ufeff" + "\r\n".join(
    [
        "E-mail;Name;Bluesky;Mastodon;Customer since;Lifetime value;Age band;Region;Plan",
        "priya@example.com;Priya Shah;priya.makes.bsky.social;priya.makes@mastodon.example;"
        "2022-05-14;1 840,00;25-34;Harbor district;Gold care plan",
        "dan@example.com;Dan Ortiz;;dan_fixes;2024-11-02;310,50;45-54;Old town;",
        "maya@example.com;Maya Lin;;maya.writes;2023-02-20;620,00;35-44;Harbor district;"
        "Silver care plan",
        "lena@example.com;Lena Kowalski;lena.k;;2021-08-09;2 975,00;55-64;Out of town;"
        "Gold care plan",
    ]
)


def fill(workspace: Workspace, now: datetime | None = None) -> int:
    """Add the sample contacts' mentions and customer list; returns contacts imported."""
    now = now or timezone.now()
    brand = workspace.name.removeprefix("Sample: ")
    ingest(None, [_item(workspace, row, brand, now) for row in STORY], workspace=workspace)
    for key, *_, sentiment, _text, _answers in STORY:
        if sentiment:
            Mention.objects.filter(workspace=workspace, external_id=_id(workspace, key)).update(
                sentiment=sentiment
            )
    link_authors(workspace)
    # The inbox's sample team thanked the older praise among these too (listening's demo
    # asks it for its own mentions; these arrive after).
    from harken.inbox.sample import tidy_backlog

    tidy_backlog(workspace, now)
    report = import_customers(workspace, io.BytesIO(CUSTOMERS.encode()), "customers.csv")
    return report.created + report.updated


def _id(workspace: Workspace, key: str) -> str:
    return f"sample-{workspace.pk}-contacts-{key}"


def _item(workspace: Workspace, row: tuple, brand: str, now: datetime) -> NormalizedItem:
    key, network, handle, name, followers, hours, _sentiment, text, answers = row
    external_id = _id(workspace, key)
    return NormalizedItem(
        network=network,
        external_id=external_id,
        kind="post",
        text=text.format(brand=brand),
        created=now - timedelta(hours=hours),
        author_id=f"sample-{handle}",
        author_handle=handle,
        author_name=name.format(brand=brand),
        author_followers=followers,
        url=f"https://{network}.example/{handle}/{external_id}",
        in_reply_to=_id(workspace, answers) if answers else "",
        is_own=bool(answers),
    )
