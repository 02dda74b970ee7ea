"""Re-shares (X retweets, "RT @someone: ..." anywhere, a connector's reposts) are reach, not
conversations: nobody to answer, so they stay out of Needs reply and owe no answer."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.inbox.models import Conversation
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem
from tests.conftest import shared_data

pytestmark = pytest.mark.django_db


def _item(key: str, text: str, minutes_ago: int, kind: str = "post") -> NormalizedItem:
    return NormalizedItem(
        network="x",
        external_id=key,
        kind=kind,
        text=text,
        created=timezone.now() - timedelta(minutes=minutes_ago),
        author_id=f"author-{key}",
        author_handle=f"person{key}",
    )


def _sxsw_tweets(each: int) -> list[str]:
    """Real tweets about brands at SXSW 2011 (not valid UTF-8: read as Latin-1): the first
    ``each`` re-shares ("RT @..." first), quote-tweets (words, then "RT @...") and others."""
    path = shared_data("brand-emotion-sxsw", "judge-1377884607_tweet_product_company.csv")
    rows = csv.reader(io.StringIO(path.read_bytes().decode("latin-1")))
    next(rows)
    kinds: dict[str, list[str]] = {"reshare": [], "quote": [], "other": []}
    for row in rows:
        text = row[0] if row else ""
        kind = "reshare" if text.startswith("RT @") else "quote" if "RT @" in text else "other"
        if text and len(kinds[kind]) < each:
            kinds[kind].append(text)
    return [text for texts in kinds.values() for text in texts]


def test_recorded_retweets_stay_out_of_needs_reply(workspace, alice_client):
    tweets = _sxsw_tweets(40)
    reshares = {str(i) for i, t in enumerate(tweets) if t.startswith("RT @")}
    # Words before the "RT" (the old quote-tweet) are the author's own: a conversation.
    quoted = {str(i) for i, t in enumerate(tweets) if "RT @" in t and not t.startswith("RT @")}
    assert len(reshares) >= 20 and quoted  # the file holds both, or the test proves nothing
    ingest(
        None,
        [_item(str(i), text, 600 - i) for i, text in enumerate(tweets)],
        workspace=workspace,
    )
    by_root = {c.root_external_id: c for c in Conversation.objects.filter(workspace=workspace)}
    for key in reshares:
        shared = by_root[key]
        assert shared.intent == "reshare", shared.pk
        assert shared.waiting_since is None and shared.priority_reasons.startswith("re-share")
    assert not {by_root[key].intent for key in quoted} & {"reshare"}
    needs = alice_client.get(reverse("inbox"), {"view": "needs_reply"})
    counts = {v["key"]: v["count"] for v in needs.context["views"]}
    assert counts["all"] == len(by_root)
    assert counts["needs_reply"] == len(by_root) - len(reshares)
    listed = {row.root_external_id for row in needs.context["rows"]}
    assert listed and not listed & reshares


def test_a_repost_kind_is_a_reshare_and_an_answer_in_it_still_counts(workspace):
    ingest(
        None,
        [_item("boost", "Lovely rings at Harbor Street", 30, kind="repost")],
        workspace=workspace,
    )
    boosted = Conversation.objects.get(workspace=workspace, root_external_id="boost")
    assert boosted.intent == "reshare" and boosted.waiting_since is None
    # Someone answers the re-share with a question of their own: now someone waits.
    reply = _item("q", "@personboost where is the shop? Do they resize?", 5)
    ingest(
        None,
        [NormalizedItem(**{**reply.__dict__, "in_reply_to": "boost"})],
        workspace=workspace,
    )
    boosted.refresh_from_db()
    assert boosted.intent == "question" and boosted.waiting_since is not None
