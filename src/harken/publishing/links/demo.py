"""The sample workspace's pledge campaign: "Rings for a Reason", $1 per unique click for
the food bank up to $500, with its tracked links and a few hundred clicks over the last
three weeks (people, people coming back the same day, and link-preview bots).

``fill(workspace)`` is called by ``harken demo`` (wired by the publishing demo); it is
seeded, so the same day gives the same campaign. The clicks go through ``record_click``,
the redirect's own counting, so the pledged total is what real clicks would have made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from harken.core.models import Workspace
from harken.publishing.links.clicks import Visit, find_target, record_click
from harken.publishing.links.tracking import create_link
from harken.publishing.models import Campaign, ClickSalt, Link

SLUG = "rings-for-a-reason"
DAYS = 21
SEED = 1_225


@dataclass(frozen=True)
class SampleLink:
    """One sample tracked link: the network it was posted on, where it leads, its clicks
    a day at the start, the preview fetcher seen after each post and the referrer its
    people arrive with (each row carries its own: nothing here looks a network up)."""

    network: str
    destination: str
    daily: int
    previewer: str
    referrer: str


#: Bluesky and Mastodon bring most.
LINKS = [
    SampleLink(
        "bluesky",
        "https://harborstreet.example/rings-for-a-reason",
        9,
        "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
        "https://bsky.app/",
    ),
    SampleLink(
        "mastodon",
        "https://harborstreet.example/rings-for-a-reason",
        6,
        "http.rb/5.2.0 (Mastodon/4.3.2; +https://mastodon.social/)",
        "https://mastodon.social/",
    ),
    SampleLink(
        "x",
        "https://harborstreet.example/rings-for-a-reason",
        4,
        "Twitterbot/1.0",
        "https://t.co/",
    ),
    SampleLink(
        "reddit",
        "https://harborstreet.example/blog/how-we-give-back",
        2,
        "Mozilla/5.0 (compatible; redditbot/1.0; +http://www.reddit.com/feedback)",
        "https://www.reddit.com/",
    ),
]
PEOPLE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
]


@transaction.atomic
def fill(workspace: Workspace, now: datetime | None = None) -> Campaign:
    """Replace the workspace's "Rings for a Reason" campaign with a fresh one and its clicks."""
    now = now or timezone.now()
    Link.objects.filter(workspace=workspace, campaign__slug=SLUG).delete()
    Campaign.objects.filter(workspace=workspace, slug=SLUG).delete()
    today = now.astimezone(UTC).date()
    campaign = Campaign.objects.create(
        workspace=workspace,
        name="Rings for a Reason",
        slug=SLUG,
        goal=(
            "For every click on our holiday ring posts, Harbor Street Jewelers gives $1 to "
            "the Harbor Food Bank, up to $500."
        ),
        starts=today - timedelta(days=DAYS),
        ends=today + timedelta(days=14),
        pledge_cents=100,
        cap_cents=50_000,
    )
    pick = random.Random(SEED)
    for sample in LINKS:
        link = create_link(
            sample.destination, workspace=workspace, network=sample.network, campaign=campaign
        )
        _clicks(link, sample, now, pick)
    # Only the latest day's salt is kept, as the redirect keeps it.
    ClickSalt.objects.filter(day__lt=today).delete()
    campaign.refresh_from_db()
    return campaign


def _clicks(link: Link, sample: SampleLink, now: datetime, pick: random.Random) -> None:
    """Clicks fading over the weeks after the launch posts, a preview bot after each
    post, and some people coming back the same day."""
    target = find_target(link.code)
    assert target is not None
    start = now - timedelta(days=DAYS)
    for day in range(DAYS + 1):
        launch = start + timedelta(days=day)
        fading = max(1, round(sample.daily * (1.4 - day / DAYS) + pick.uniform(-1.5, 1.5)))
        visits = [(sample.previewer, "")] * (1 + (day % 7 == 0))
        for _ in range(fading):
            address = f"198.51.{pick.randrange(100)}.{pick.randrange(1, 250)}"
            visits.append((pick.choice(PEOPLE), address))
            if pick.random() < 0.12:
                visits.append((pick.choice(PEOPLE), address))  # back the same day
        for offset, (agent, address) in enumerate(visits):
            at = launch + timedelta(minutes=offset * 7 + pick.randrange(5))
            if at > now:
                break
            record_click(
                target,
                Visit(
                    at=at,
                    address=address or f"66.249.{pick.randrange(256)}.{pick.randrange(256)}",
                    user_agent=agent,
                    referrer=sample.referrer if agent in PEOPLE else "",
                ),
            )
