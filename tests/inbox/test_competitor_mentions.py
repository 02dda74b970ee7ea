"""A complaint about a competitor is not our complaint: the inbox files it as a competitor
mention, owes it no answer, and keeps it out of Complaints and the top of Needs reply."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.core.demo import do_fill_demo
from harken.inbox.models import Conversation
from harken.listening.models import Topic
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem

pytestmark = pytest.mark.django_db

RIVAL_COMPLAINT = "Tried Rival Rings for a resize, took ten days"
OUR_COMPLAINT = "Harbor Street Jewelers took ten days to resize my ring"
BOTH = "Harbor Street Jewelers took ten days, Rival Rings did it in one"


@pytest.fixture
def topics(workspace):
    Topic.objects.create(
        workspace=workspace,
        name="Harbor Street Jewelers",
        kind=Topic.Kind.BRAND,
        query='"Harbor Street Jewelers" OR @HarborStreet',
    )
    Topic.objects.create(
        workspace=workspace,
        name="Rival Rings",
        kind=Topic.Kind.COMPETITOR,
        query='"Rival Rings" OR @RivalRings',
    )


def _post(key: str, text: str, hours_ago: float, kind: str = "post") -> NormalizedItem:
    return NormalizedItem(
        network="mastodon",
        external_id=key,
        kind=kind,
        text=text,
        created=timezone.now() - timedelta(hours=hours_ago),
        author_id=f"author-{key}",
        author_handle=f"person{key}",
        in_reply_to=key if kind == "message" else "",
        conversation_id=key if kind == "message" else "",
    )


def _ingest(workspace, *items: NormalizedItem) -> dict[str, Conversation]:
    ingest(None, list(items), workspace=workspace)
    return {c.root_external_id: c for c in Conversation.objects.filter(workspace=workspace)}


def test_a_complaint_about_a_competitor_is_filed_as_a_competitor_mention(workspace, topics):
    # The rival's complaint is older: under the aging term, an owed answer this old would
    # outrank a fresh complaint. It owes none, so it does not.
    found = _ingest(workspace, _post("rival", RIVAL_COMPLAINT, 30), _post("ours", OUR_COMPLAINT, 1))
    rival, ours = found["rival"], found["ours"]
    assert ours.intent == "complaint" and ours.waiting_since is not None
    assert rival.intent == "competitor_mention"
    assert rival.priority_reasons.startswith("competitor mention")
    assert "complaint" not in rival.priority_reasons
    assert rival.waiting_since is None and rival.due_at is None
    assert rival.priority < ours.priority


def test_naming_us_beside_the_rival_keeps_it_ours(workspace, topics):
    found = _ingest(workspace, _post("both", BOTH, 2))
    assert found["both"].intent == "complaint"


def test_a_direct_message_naming_the_rival_is_written_to_us(workspace, topics):
    found = _ingest(workspace, _post("dm", RIVAL_COMPLAINT + ", can you do better?", 2, "message"))
    assert found["dm"].intent != "competitor_mention"


def test_the_views_keep_it_out_of_complaints_and_needs_reply(workspace, topics, alice_client):
    found = _ingest(workspace, _post("rival", RIVAL_COMPLAINT, 30), _post("ours", OUR_COMPLAINT, 1))
    inbox = reverse("inbox")
    for view in ("needs_reply", "complaints", "unassigned"):
        rows = [row.pk for row in alice_client.get(inbox, {"view": view}).context["rows"]]
        assert rows == [found["ours"].pk], view
    page = alice_client.get(inbox, {"view": "competitor"})
    assert [row.pk for row in page.context["rows"]] == [found["rival"].pk]
    counts = {v["key"]: v["count"] for v in page.context["views"]}
    assert counts["competitor"] == 1 and counts["complaints"] == 1 and counts["all"] == 2
    assert b"Competitor mentions" in page.content and b"competitor mention" in page.content
    filtered = alice_client.get(inbox, {"view": "all", "intent": "competitor_mention"})
    assert [row.pk for row in filtered.context["rows"]] == [found["rival"].pk]


def test_the_demo_files_the_rival_complaint_under_competitor_mentions(alice):
    sample = do_fill_demo([alice])
    rivals = Conversation.objects.filter(
        workspace=sample, mentions__text__contains="Rival Rings"
    ).distinct()
    assert rivals.exists()
    assert set(rivals.values_list("intent", flat=True)) == {"competitor_mention"}
    assert not rivals.filter(waiting_since__isnull=False).exists()
