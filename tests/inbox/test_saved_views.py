"""Saved views: any filter of the list kept under a name, the member's own or shared,
listed with live counts; filters checked again on every use."""

from __future__ import annotations

import pytest
from django.db.models import Q

from harken.core.models import Member
from harken.inbox import filters
from harken.inbox.models import Conversation, SavedView, Tag
from harken.listening.models import Mention, Topic
from tests.conftest import client_for
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(workspace, bob):
    angry = make_conversation(
        workspace, handle="angry", intents=("complaint",), sentiment="negative"
    )
    happy = make_conversation(workspace, handle="happy", intents=("praise",), sentiment="positive")
    asks = make_conversation(workspace, handle="asks", intents=("question",))
    Mention.objects.filter(conversation=angry).update(language="de")
    topic = Topic.objects.create(workspace=workspace, name="Rings", query="rings")
    Mention.objects.get(conversation=angry).topics.add(topic)
    Conversation.objects.filter(pk=angry.pk).update(assignee=bob)
    return {"angry": angry, "happy": happy, "asks": asks, "topic": topic}


def matching(workspace, chosen) -> set[str]:
    rows = Conversation.objects.filter(workspace=workspace).filter(filters.as_q(chosen))
    return set(rows.values_list("subject_handle", flat=True))


def test_each_filter_narrows_the_list(workspace, bob, queue):
    topic = queue["topic"]
    assert matching(workspace, {"intent": "complaint"}) == {"angry"}
    assert matching(workspace, {"sentiment": "positive"}) == {"happy"}
    assert matching(workspace, {"language": "de"}) == {"angry"}
    assert matching(workspace, {"topic": str(topic.pk)}) == {"angry"}
    assert matching(workspace, {"assignee": str(bob.pk)}) == {"angry"}
    assert matching(workspace, {"assignee": "none"}) == {"happy", "asks"}
    today = queue["asks"].last_activity.date().isoformat()
    assert matching(workspace, {"since": today, "until": today}) == {"angry", "happy", "asks"}
    assert matching(workspace, {"until": "2001-01-01"}) == set()


def test_unknown_values_are_dropped(workspace, alice):
    members = list(Member.objects.filter(workspace=workspace))
    chosen = filters.parse(
        {
            "intent": "rage",
            "sentiment": "<b>",
            "status": "gone",
            "assignee": "99999",
            "tag": "12",
            "since": "yesterday",
            "topic": "1 OR 1=1",
            "language": "en",
        },
        [],
        members,
    )
    assert chosen == {"language": "en"}


def test_a_member_saves_a_view_and_sees_its_count(workspace, bob, bob_client, queue):
    answer = bob_client.post(
        "/inbox/views/save/",
        {"name": "Angry Germans", "view": "all", "intent": "complaint", "language": "de"},
    )
    view = SavedView.objects.get()
    assert view.filters == {"view": "all", "intent": "complaint", "language": "de"}
    assert not view.shared and view.owner == bob
    assert answer.status_code == 302 and f"saved={view.pk}" in answer["Location"]
    page = bob_client.get(answer["Location"]).content.decode()
    assert "Angry Germans" in page and f'data-view="saved-{view.pk}">1<' in page
    assert "@angry" in page and "@happy" not in page


def test_private_views_stay_private_and_shared_ones_need_a_manager(
    workspace, alice, bob, bob_client, alice_client, queue
):
    bob_client.post("/inbox/views/save/", {"name": "Bob's", "intent": "question", "shared": "on"})
    assert not SavedView.objects.exists()  # a responder may not share
    bob_client.post("/inbox/views/save/", {"name": "Bob's", "intent": "question"})
    alice_client.post(
        "/inbox/views/save/", {"name": "Team praise", "intent": "praise", "shared": "on"}
    )
    mine = SavedView.objects.get(name="Bob's")
    assert "Bob&#x27;s" not in alice_client.get("/inbox/").content.decode()
    assert "Team praise" in bob_client.get("/inbox/").content.decode()
    assert alice_client.post(f"/inbox/views/{mine.pk}/delete/").status_code == 404
    shared = SavedView.objects.get(name="Team praise")
    assert bob_client.post(f"/inbox/views/{shared.pk}/delete/").status_code == 403
    assert bob_client.post(f"/inbox/views/{mine.pk}/delete/").status_code == 302
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Team praise"]


def test_a_view_needs_a_name_and_a_filter(workspace, bob_client, queue):
    bob_client.post("/inbox/views/save/", {"name": "", "intent": "question"})
    bob_client.post("/inbox/views/save/", {"name": "Everything"})
    assert not SavedView.objects.exists()


def test_a_view_name_is_escaped_and_another_workspace_never_sees_it(
    workspace, other_workspace, charlie, alice_client, queue
):
    alice_client.post(
        "/inbox/views/save/", {"name": "<script>x()</script>", "intent": "praise", "shared": "on"}
    )
    page = alice_client.get("/inbox/").content.decode()
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "<script>x()" not in page
    make_conversation(other_workspace, handle="rival")
    theirs = client_for(charlie).get("/inbox/").content.decode()
    assert "x()" not in theirs


def test_a_saved_view_whose_tag_was_deleted_still_opens(workspace, alice, alice_client, queue):
    tag = Tag.objects.create(workspace=workspace, name="vip")
    queue["happy"].tags.add(tag)
    alice_client.post("/inbox/views/save/", {"name": "VIPs", "tag": tag.pk, "view": "all"})
    view = SavedView.objects.get()
    assert matching(workspace, filters.parse(view.filters, [tag], [])) == {"happy"}
    tag.delete()
    page = alice_client.get("/inbox/")
    assert page.status_code == 200 and "VIPs" in page.content.decode()
    assert filters.as_q({}) == Q()


def test_saved_views_cost_no_query_each(
    workspace, alice, alice_client, queue, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    alice_client.post("/inbox/views/save/", {"name": "One", "intent": "complaint"})
    alice_client.get(reverse("inbox"))  # the session settles
    with CaptureQueriesContext(connection) as one:
        alice_client.get(reverse("inbox"))
    expected = len(one)
    assert expected > 5
    for n, intent in enumerate(("praise", "question", "complaint")):
        alice_client.post(
            "/inbox/views/save/",
            {"name": f"More {n}", "intent": intent, "language": "de", "topic": queue["topic"].pk},
        )
    view = SavedView.objects.get(name="More 2")
    with django_assert_num_queries(expected):
        page = alice_client.get(
            f"/inbox/?saved={view.pk}&view=all&intent=complaint&language=de&topic={queue['topic'].pk}"
        )
    assert page.context["saved_views"][-1]["count"] == 1


def test_a_bulk_action_returns_to_the_list_with_every_filter(workspace, alice_client, queue):
    answer = alice_client.post(
        "/inbox/bulk/",
        {
            "ids": [queue["happy"].pk],
            "action": "tag",
            "tag": "thanks",
            "keep_view": "all",
            "keep_intent": "praise",
            "keep_since": "2026-01-01",
            "keep_language": "<script>",
        },
    )
    assert answer.status_code == 302
    location = answer["Location"]
    assert "intent=praise" in location and "since=2026-01-01" in location
    assert "script" not in location
