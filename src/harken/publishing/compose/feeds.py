"""Drafts from feeds: each new item of a workspace's web feed becomes a draft post.

The feed is read with the listening feed reader (``harken.networks.feeds``: conditional
GET, the URL guard, hostile feeds). Each new item becomes a Post holding the item's link
(``source_url``, unique per workspace) with a draft Variant per account the feed names:
a person edits and schedules it; nothing is published unseen. The cursor moves only
after the drafts are stored, so a crash reads the items again, and the unique link makes
the second reading harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from harken.core.actions import audit
from harken.networks.base import ConnectorError, NormalizedItem
from harken.networks.feeds.connector import Feed
from harken.publishing.models import Category, DraftFeed, Post, Variant
from harken.publishing.states import State

log = logging.getLogger(__name__)

#: A draft's text: the item's words, cut to leave room for its link on any network.
TEXT_CHARS = 200


@dataclass
class FeedReport:
    made: list[int]
    error: str = ""


def draft_text(item: NormalizedItem) -> str:
    """The item's title and summary (already plain text), cut at a word, then its link."""
    words = " ".join(item.text.split())
    if len(words) > TEXT_CHARS:
        words = words[:TEXT_CHARS].rsplit(" ", 1)[0] + "…"
    return f"{words}\n\n{item.url}" if item.url else words


def do_read_feed(feed: DraftFeed) -> FeedReport:
    """Read ``feed`` once and store a draft per new item; a failure is kept on the feed."""
    try:
        page = Feed({"url": feed.url}, workspace=feed.workspace_id).fetch(feed.cursor or None)
    except ConnectorError as error:
        DraftFeed.objects.filter(pk=feed.pk).update(
            last_checked=timezone.now(), last_error=error.message[:500]
        )
        return FeedReport([], error.message)
    accounts = list(feed.accounts.all())
    made = []
    for item in page.items:
        post = _draft(feed, item, accounts)
        if post is not None:
            made.append(post.pk)
    DraftFeed.objects.filter(pk=feed.pk).update(
        cursor=page.cursor or "", last_checked=timezone.now(), last_error=""
    )
    if made:
        audit(feed.workspace, None, "post.drafts_from_feed", feed, posts=len(made))
    return FeedReport(made)


def _draft(feed: DraftFeed, item: NormalizedItem, accounts: list) -> Post | None:
    """One draft post for ``item``; None when the workspace has it already."""
    source = (item.url or item.external_id)[:500]
    text = draft_text(item)
    try:
        with transaction.atomic():
            post = Post.objects.create(
                workspace=feed.workspace,
                text=text,
                source_url=source,
                category=Category.CURATED,
            )
            Variant.objects.bulk_create(
                Variant(
                    workspace=feed.workspace, post=post, account=a, text=text, state=State.DRAFT
                )
                for a in accounts
            )
    except IntegrityError:
        return None  # read before: the same link is one draft
    return post


def read_all_feeds() -> int:
    """Read every workspace's draft feeds; the number of drafts made."""
    total = 0
    for feed in DraftFeed.objects.select_related("workspace"):
        try:
            total += len(do_read_feed(feed).made)
        except Exception:  # noqa: BLE001 - one workspace's feed must not stop the others
            log.exception("Reading draft feed %s failed", feed.pk)
    return total
