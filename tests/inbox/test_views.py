"""The inbox pages: isolation, roles, views with live counts, keyset pages, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from harken.inbox import actions
from harken.inbox.models import Conversation, Message, Tag
from harken.inbox.priority import reprioritize_open
from harken.inbox.states import State
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db

CONVERSATION_ROUTES = [
    ("inbox_conversation", "get"),
    ("inbox_reply", "post"),
    ("inbox_note", "post"),
    ("inbox_assign", "post"),
    ("inbox_status", "post"),
    ("inbox_snooze", "post"),
    ("inbox_tag", "post"),
]
MESSAGE_ROUTES = ["inbox_approve", "inbox_send_back", "inbox_retry", "inbox_revise"]


@pytest.mark.parametrize(("name", "method"), CONVERSATION_ROUTES)
def test_another_workspaces_conversation_is_404_on_every_route(
    charlie_client, workspace, alice, name, method
):
    theirs = make_conversation(workspace)
    data = {"text": "hi", "status": "resolved", "for": "1h", "name": "x", "assignee": ""}
    response = getattr(charlie_client, method)(reverse(name, args=[theirs.pk]), data)
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Conversation.Status.NEW and not theirs.tags.exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize("name", MESSAGE_ROUTES)
def test_another_workspaces_reply_is_404_on_every_route(charlie_client, workspace, bob, name):
    theirs = make_conversation(workspace)
    held = Message.objects.create(
        workspace=workspace, conversation=theirs, text="refund", state=State.HELD, author=bob
    )
    response = charlie_client.post(reverse(name, args=[held.pk]), {"text": "x"})
    assert response.status_code == 404
    held.refresh_from_db()
    assert held.state == State.HELD


def test_a_viewer_reads_but_cannot_reply_note_or_resolve(victor, workspace):
    from tests.conftest import client_for

    client = client_for(victor)
    mine = make_conversation(workspace)
    page = client.get(reverse("inbox_conversation", args=[mine.pk]))
    assert page.status_code == 200 and b"reply-text" not in page.content
    for name in ("inbox_reply", "inbox_note", "inbox_status"):
        response = client.post(reverse(name, args=[mine.pk]), {"text": "x", "status": "resolved"})
        assert response.status_code == 403
    assert not Message.objects.exists()


def test_a_responder_cannot_approve_or_send_back(bob_client, workspace, bob):
    mine = make_conversation(workspace)
    held = Message.objects.create(
        workspace=workspace, conversation=mine, text="refund", state=State.HELD, author=bob
    )
    for name in ("inbox_approve", "inbox_send_back"):
        assert bob_client.post(reverse(name, args=[held.pk])).status_code == 403
    held.refresh_from_db()
    assert held.state == State.HELD


def test_the_views_count_what_they_list(alice_client, alice, workspace):
    question = make_conversation(workspace, handle="q", intents=("question",))
    complaint = make_conversation(
        workspace, handle="c", intents=("complaint",), sentiment="negative"
    )
    make_conversation(workspace, handle="r", status=Conversation.Status.RESOLVED)
    complaint.assignee = alice
    complaint.save(update_fields=["assignee"])
    page = alice_client.get(reverse("inbox"))
    counts = page.context["views"]
    by_key = {v["key"]: v["count"] for v in counts}
    assert by_key["needs_reply"] == 2 and by_key["mine"] == 1 and by_key["unassigned"] == 1
    assert by_key["questions"] == 1 and by_key["complaints"] == 1 and by_key["resolved"] == 1
    assert by_key["all"] == 3
    assert [r.pk for r in page.context["rows"]] == [complaint.pk, question.pk]
    mine = alice_client.get(reverse("inbox") + "?view=mine").context["rows"]
    assert [r.pk for r in mine] == [complaint.pk]


def test_each_row_explains_its_place_in_words(alice_client, workspace):
    make_conversation(
        workspace, intents=("complaint",), sentiment="negative", minutes_ago=125, text="Broken!"
    )
    page = alice_client.get(reverse("inbox")).content.decode()
    assert "complaint · negative · waiting 2 h · first message" in page


def test_the_loud_authors_tenth_message_ranks_below_a_first_timers_question(
    alice_client, workspace
):
    for n in range(10):
        make_conversation(workspace, handle="loud", minutes_ago=30 + n, text=f"again {n}")
    quiet = make_conversation(workspace, handle="quiet", minutes_ago=30)
    reprioritize_open()  # as the queue does every ten minutes
    rows = alice_client.get(reverse("inbox")).context["rows"]
    assert rows[0].pk == quiet.pk and "first message" in rows[0].priority_reasons
    assert all("10th message today" in row.priority_reasons for row in rows[1:])
    assert rows[0].priority - rows[1].priority >= 20


def test_pages_follow_a_stable_keyset(alice_client, workspace):
    made = [make_conversation(workspace, handle=f"p{n}", minutes_ago=30) for n in range(30)]
    first = alice_client.get(reverse("inbox"))
    rows = list(first.context["rows"])
    assert len(rows) == 25 and first.context["next_url"]
    # A conversation arriving between pages shifts nothing: none repeats, none is skipped.
    late = make_conversation(workspace, handle="late", minutes_ago=1)
    second = alice_client.get(reverse("inbox") + first.context["next_url"]).context["rows"]
    seen = [r.pk for r in rows] + [r.pk for r in second]
    assert len(seen) == len(set(seen))
    assert set(seen) - {late.pk} == {c.pk for c in made}


def test_a_snoozed_conversation_comes_back_by_itself(alice_client, alice, workspace):
    later = make_conversation(workspace)
    from harken.core.models import Member

    alice_member = Member.objects.get(user=alice)
    actions.do_snooze(later, alice_member, timezone.now() + timedelta(hours=1))
    counts = {v["key"]: v["count"] for v in alice_client.get(reverse("inbox")).context["views"]}
    assert counts["needs_reply"] == 0 and counts["snoozed"] == 1
    Conversation.objects.filter(pk=later.pk).update(
        snoozed_until=timezone.now() - timedelta(minutes=1)
    )
    counts = {v["key"]: v["count"] for v in alice_client.get(reverse("inbox")).context["views"]}
    assert counts["needs_reply"] == 1  # the read path already shows it
    assert actions.do_end_snoozes() == 1
    later.refresh_from_db()
    assert later.snoozed_until is None


def test_small_actions_return_the_panel_to_htmx(alice_client, alice, workspace):
    mine = make_conversation(workspace)
    headers = {"HX-Request": "true"}
    url = reverse("inbox_tag", args=[mine.pk])
    response = alice_client.post(url, {"name": "Rush Order"}, headers=headers)
    assert response.status_code == 200 and b'id="conversation"' in response.content
    assert list(mine.tags.values_list("name", flat=True)) == ["rush order"]
    alice_client.post(reverse("inbox_assign", args=[mine.pk]), {"assignee": "me"})
    alice_client.post(reverse("inbox_status", args=[mine.pk]), {"status": "resolved"})
    alice_client.post(reverse("inbox_note", args=[mine.pk]), {"text": "<b>hi</b>"})
    mine.refresh_from_db()
    assert mine.assignee == alice and mine.status == Conversation.Status.RESOLVED
    page = alice_client.get(reverse("inbox_conversation", args=[mine.pk])).content.decode()
    assert "&lt;b&gt;hi&lt;/b&gt;" in page and "<b>hi</b>" not in page
    tag = Tag.objects.get()
    filtered = alice_client.get(reverse("inbox") + f"?view=all&tag={tag.pk}").context["rows"]
    assert [r.pk for r in filtered] == [mine.pk]


def test_mention_text_is_escaped_in_the_list_and_the_thread(alice_client, workspace):
    mine = make_conversation(workspace, text="<script>alert(1)</script>", handle="x<y")
    listing = alice_client.get(reverse("inbox")).content.decode()
    page = alice_client.get(reverse("inbox_conversation", args=[mine.pk])).content.decode()
    for html in (listing, page):
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_3_or_30_rows(alice_client, workspace):
    for n in range(3):
        make_conversation(workspace, handle=f"a{n}")
    few = queries(alice_client, reverse("inbox"))
    for n in range(27):
        Tag.objects.get_or_create(workspace=workspace, name=f"t{n % 3}")
        make_conversation(workspace, handle=f"b{n}").tags.add(Tag.objects.get(name=f"t{n % 3}"))
    assert queries(alice_client, reverse("inbox")) == few


def test_the_list_and_conversation_pages_have_pinned_query_counts(
    alice_client, workspace, django_assert_num_queries
):
    mine = make_conversation(workspace)
    alice_client.get(reverse("inbox"))  # the session and caches settle
    # 10, and the service level, the saved views, topics and accounts for the filters.
    with django_assert_num_queries(14):
        alice_client.get(reverse("inbox"))
    # 12, who else is here (``presence``) and the contact card's identities.
    with django_assert_num_queries(14):
        alice_client.get(reverse("inbox_conversation", args=[mine.pk]))


def test_a_long_conversation_costs_no_more_queries_than_a_short_one(
    alice_client, alice, bob, workspace
):
    from harken.listening.models import Author, Mention

    short = make_conversation(workspace, handle="s")
    long = make_conversation(workspace, handle="l")
    few = queries(alice_client, reverse("inbox_conversation", args=[short.pk]))
    for n in range(8):
        author = Author.objects.create(
            workspace=workspace, network="mastodon", external_id=f"a{n}", handle=f"h{n}"
        )
        Mention.objects.create(
            workspace=workspace,
            network="mastodon",
            external_id=f"m{n}",
            author=author,
            text="more",
            posted=timezone.now(),
            conversation=long,
        )
        Message.objects.create(
            workspace=workspace,
            conversation=long,
            text="ours",
            state=State.SENT,
            author=bob,
            approved_by=alice,
            sent_at=timezone.now(),
        )
    assert queries(alice_client, reverse("inbox_conversation", args=[long.pk])) == few


def test_the_view_counts_are_polled_as_a_fragment(alice_client, workspace):
    make_conversation(workspace)
    page = alice_client.get(reverse("inbox")).content.decode()
    assert 'hx-trigger="every 30s"' in page
    part = alice_client.get(
        reverse("inbox") + "?view=mine&part=views", headers={"HX-Request": "true"}
    )
    html = part.content.decode()
    assert html.startswith('<nav id="inbox-views"') and 'data-view="needs_reply">1<' in html
    assert "queue-rows" not in html


def test_show_more_returns_only_the_next_rows_to_htmx(alice_client, workspace):
    for n in range(27):
        make_conversation(workspace, handle=f"m{n}")
    first = alice_client.get(reverse("inbox"))
    more = alice_client.get(
        reverse("inbox") + first.context["next_url"], headers={"HX-Request": "true"}
    )
    html = more.content.decode()
    assert html.count("data-row") == 2 and "<nav" not in html and "queue-more" not in html


def test_a_refused_reply_keeps_what_was_typed(alice_client, workspace):
    mine = make_conversation(workspace, network="feed")  # nothing can answer a feed
    response = alice_client.post(
        reverse("inbox_reply", args=[mine.pk]),
        {"text": "Thanks <3 for writing"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "No connected account can answer on this network" in html
    assert "Thanks &lt;3 for writing</textarea>" in html
    assert not Message.objects.exists()


def test_the_views_lead_to_the_people_behind_the_conversations(alice_client, workspace):
    make_conversation(workspace)
    page = alice_client.get(reverse("inbox")).content.decode()
    assert f'href="{reverse("contact_list")}"' in page
    assert f'href="{reverse("contact_standing", args=["advocates"])}"' in page
