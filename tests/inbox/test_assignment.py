"""Assignment rules: conditions, order, round robin among available members (fair with
two workers), routing once when threading opens a conversation, and the settings page."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection

from harken.core.models import AuditEntry, Member, Notification, Role
from harken.core.notify import ASSIGNED, HIGH_PRIORITY
from harken.inbox import assignment
from harken.inbox.models import AssignmentRule, Conversation
from harken.listening.models import Mention, Source, Topic
from harken.listening.pipeline import ingest
from tests.inbox.conftest import make_conversation
from tests.listening.helpers import item


def person(workspace, name: str, role: str = Role.RESPONDER, available: bool = True):
    user = get_user_model().objects.create_user(username=name, email=f"{name}@example.com")
    Member.objects.create(workspace=workspace, user=user, role=role, available=available)
    return user


def rule(workspace, name="Rule", position=0, assignee=None, rotation=(), **conditions):
    made = AssignmentRule.objects.create(
        workspace=workspace, name=name, position=position, assignee=assignee, **conditions
    )
    made.rotation.set(rotation)
    return made


def unrouted(conversation: Conversation) -> Conversation:
    Conversation.objects.filter(pk=conversation.pk).update(routed_at=None)
    return conversation


def test_the_first_matching_rule_assigns(workspace, alice, bob):
    rule(workspace, "Complaints to Alice", 1, assignee=alice, intent="complaint")
    rule(workspace, "Questions to Bob", 2, assignee=bob, intent="question")
    rule(workspace, "Anything else", 3, assignee=alice)
    complaint = unrouted(make_conversation(workspace, handle="a", intents=("complaint",)))
    question = unrouted(make_conversation(workspace, handle="b", intents=("question",)))
    praise = unrouted(make_conversation(workspace, handle="c", intents=("praise",)))
    done = assignment.route([complaint.pk, question.pk, praise.pk])
    assert done == {complaint.pk: alice.pk, question.pk: bob.pk, praise.pk: alice.pk}
    entry = AuditEntry.objects.filter(action="conversation.assign").first()
    assert entry is not None and entry.changes["rule"] in {
        r.name for r in AssignmentRule.objects.all()
    }


def test_conditions_on_network_language_sentiment_topic_and_account(workspace, alice, bob):
    topic = Topic.objects.create(workspace=workspace, name="Rings", query="rings")
    german = unrouted(make_conversation(workspace, handle="de", sentiment="negative"))
    Mention.objects.filter(conversation=german).update(language="de")
    Mention.objects.get(conversation=german).topics.add(topic)
    rule(
        workspace,
        "German angry rings on Mastodon",
        assignee=bob,
        network="mastodon",
        language="de",
        sentiment="negative",
        topic=topic,
    )
    other = unrouted(make_conversation(workspace, handle="en", sentiment="negative"))
    Mention.objects.filter(conversation=other).update(language="en")
    assert assignment.route([german.pk, other.pk]) == {german.pk: bob.pk}
    # An account condition: only conversations read through that account.
    from harken.networks.models import Account

    account = Account.objects.create(workspace=workspace, network="mastodon", handle="@shop")
    rule(workspace, "Shop account", position=5, assignee=alice, account=account)
    via = unrouted(make_conversation(workspace, handle="via"))
    source = Source.objects.create(
        workspace=workspace, name="s", kind=Source.Kind.SEARCH, network="mastodon", account=account
    )
    Mention.objects.filter(conversation=via).update(source=source)
    assert assignment.route([via.pk, other.pk]) == {via.pk: alice.pk}


def test_routing_happens_once_and_keeps_a_person_s_choice(workspace, alice, bob):
    rule(workspace, assignee=alice)
    conversation = unrouted(make_conversation(workspace))
    Conversation.objects.filter(pk=conversation.pk).update(assignee=bob)
    assert assignment.route([conversation.pk]) == {}
    conversation.refresh_from_db()
    assert conversation.assignee == bob and conversation.routed_at is not None
    Conversation.objects.filter(pk=conversation.pk).update(assignee=None)
    assert assignment.route([conversation.pk]) == {}  # routed already: not again


def test_round_robin_takes_turns_and_skips_who_is_away(workspace):
    ann, ben, cat = (person(workspace, n) for n in ("ann", "ben", "cat"))
    turns = rule(workspace, rotation=[ann, ben, cat])
    picked = [assignment.take_turn(turns).user.username for _ in range(6)]
    assert Counter(picked) == {"ann": 2, "ben": 2, "cat": 2}
    assert picked[:3] == sorted(set(picked[:3]), key=picked[:3].index)  # each once a round
    Member.objects.filter(user=ben).update(available=False)
    picked = {assignment.take_turn(turns).user.username for _ in range(4)}
    assert picked == {"ann", "cat"}
    Member.objects.filter(user__in=[ann, cat]).update(available=False)
    assert assignment.take_turn(turns) is None
    conversation = unrouted(make_conversation(workspace))
    assert assignment.route([conversation.pk]) == {}  # nobody available: stays unassigned


def test_a_rotation_member_who_left_the_workspace_gets_nothing(workspace, other_workspace):
    ann = person(workspace, "ann")
    gone = person(other_workspace, "gone")
    turns = rule(workspace, rotation=[ann, gone])
    assert {assignment.take_turn(turns).user.username for _ in range(3)} == {"ann"}


@pytest.mark.django_db(transaction=True)
def test_two_workers_taking_turns_at_once_stay_fair(workspace):
    members = [person(workspace, n) for n in ("ann", "ben")]
    turns = rule(workspace, rotation=members)
    picked: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(10):
                member = assignment.take_turn(turns)
                with lock:
                    picked.append(member.user.username)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    turns.refresh_from_db()
    assert turns.turn == 20  # every turn taken once: no two workers read the same number
    assert Counter(picked) == {"ann": 10, "ben": 10}


def test_the_assignee_is_told_and_high_priority_goes_to_responders(
    workspace, alice, bob, django_capture_on_commit_callbacks
):
    rule(workspace, assignee=bob, intent="question")
    question = unrouted(make_conversation(workspace, handle="q", intents=("question",)))
    angry = unrouted(
        make_conversation(workspace, handle="mad", intents=("complaint",), sentiment="negative")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assignment.route([question.pk, angry.pk])
    told = set(Notification.objects.values_list("member__user__username", "kind"))
    assert ("bob", ASSIGNED) in told
    assert ("bob", HIGH_PRIORITY) in told  # of the angry complaint, which nobody has
    assert {("alice", HIGH_PRIORITY), ("bob", HIGH_PRIORITY)} <= told
    subjects = [m.subject for m in mail.outbox]
    assert any(s.startswith("[Harken] Assigned to you by a rule: @q") for s in subjects)
    assert any("High priority: @mad" in s for s in subjects)


def test_threading_a_new_conversation_routes_it(
    workspace, alice, django_capture_on_commit_callbacks
):
    rule(workspace, assignee=alice, network="mastodon")
    source = Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [item("1", text="Where is my order? It has been two weeks")])
    conversation = Conversation.objects.get()
    assert conversation.assignee == alice and conversation.routed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        ingest(source, [item("2", text="Hello?", in_reply_to="1")])
    assert Conversation.objects.get().assignee == alice
    assert AuditEntry.objects.filter(action="conversation.assign").count() == 1


def test_the_sweep_routes_what_the_queue_lost(workspace, alice):
    rule(workspace, assignee=alice)
    conversation = unrouted(make_conversation(workspace))
    assert assignment.route_unrouted() == {conversation.pk: alice.pk}


# --- the settings page ------------------------------------------------------------------


def test_managers_write_rules_and_rerun_them(workspace, alice, alice_client, bob):
    waiting = make_conversation(workspace, handle="w", intents=("complaint",))
    answer = alice_client.post(
        "/inbox/assignment/",
        {
            "name": "Complaints",
            "position": 1,
            "enabled": "on",
            "intent": "complaint",
            "rotation": [bob.pk],
        },
    )
    assert answer.status_code == 302
    made = AssignmentRule.objects.get()
    assert made.intent == "complaint" and list(made.rotation.all()) == [bob]
    alice_client.post("/inbox/assignment/rerun/")
    waiting.refresh_from_db()
    assert waiting.assignee == bob
    page = alice_client.get("/inbox/assignment/").content.decode()
    assert "Complaints" in page and "turns: bob" in page


def test_a_rule_needs_exactly_one_kind_of_target_and_workspace_members(
    workspace, alice_client, alice, bob, charlie
):
    for data in (
        {"name": "Nobody", "position": 1},
        {"name": "Both", "position": 1, "assignee": alice.pk, "rotation": [bob.pk]},
        {"name": "Outsider", "position": 1, "assignee": charlie.pk},
        {"name": "Bad language", "position": 1, "assignee": alice.pk, "language": "<b>"},
    ):
        answer = alice_client.post("/inbox/assignment/", data, follow=True)
        assert answer.status_code == 200
    assert not AssignmentRule.objects.exists()


def test_responders_cannot_edit_rules_and_others_rules_are_hidden(
    workspace, other_workspace, bob_client, alice_client, charlie
):
    theirs = rule(other_workspace, "Theirs", assignee=charlie)
    assert bob_client.get("/inbox/assignment/").status_code == 403
    assert bob_client.post("/inbox/assignment/rerun/").status_code == 403
    assert alice_client.get(f"/inbox/assignment/{theirs.pk}/").status_code == 404
    assert alice_client.post(f"/inbox/assignment/{theirs.pk}/delete/").status_code == 404
    assert AssignmentRule.objects.filter(pk=theirs.pk).exists()


def test_a_manager_marks_a_member_away_and_back(workspace, alice_client, bob_client, bob, charlie):
    member = Member.objects.get(user=bob)
    assert (
        alice_client.post(f"/inbox/assignment/members/{member.pk}/availability/").status_code == 302
    )
    member.refresh_from_db()
    assert member.available is False
    alice_client.post(f"/inbox/assignment/members/{member.pk}/availability/", {"available": "on"})
    member.refresh_from_db()
    assert member.available is True
    assert (
        bob_client.post(f"/inbox/assignment/members/{member.pk}/availability/").status_code == 403
    )
    outsider = Member.objects.get(user=charlie)
    answer = alice_client.post(f"/inbox/assignment/members/{outsider.pk}/availability/")
    assert answer.status_code == 404
    outsider.refresh_from_db()
    assert outsider.available is True


def test_a_web_feed_article_is_neither_assigned_nor_due_nor_announced(
    workspace, alice, django_capture_on_commit_callbacks
):
    from harken.inbox.models import ServiceLevel

    ServiceLevel.objects.create(
        workspace=workspace, hours={str(d): ["00:00", "23:59"] for d in range(7)}
    )
    rule(workspace, assignee=alice)
    article = unrouted(
        make_conversation(
            workspace, network="feed", handle="news", intents=("complaint",), sentiment="negative"
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert assignment.route([article.pk]) == {}
    article.refresh_from_db()
    assert article.due_at is None and article.assignee is None
    assert not Notification.objects.exists()


def test_an_imported_old_conversation_is_assigned_but_not_announced(workspace, alice, bob):
    rule(workspace, assignee=bob)
    old = unrouted(
        make_conversation(
            workspace, handle="old", intents=("complaint",), sentiment="negative", minutes_ago=3000
        )
    )
    assert assignment.route([old.pk]) == {old.pk: bob.pk}
    assert list(Notification.objects.values_list("kind", flat=True)) == [ASSIGNED]


def test_without_rules_a_quiet_batch_is_marked_in_one_update(
    workspace, alice, django_assert_max_num_queries
):
    quiet = [
        unrouted(make_conversation(workspace, handle=f"q{n}", intents=("praise",)))
        for n in range(5)
    ]
    with django_assert_max_num_queries(3):  # the unrouted, the rules, one update
        assert assignment.route([c.pk for c in quiet]) == {}
    assert not Conversation.objects.filter(routed_at__isnull=True).exists()


def test_an_urgent_conversation_assigned_by_rule_is_told_once_saying_it_is_urgent(
    workspace, alice, bob, django_capture_on_commit_callbacks
):
    rule(workspace, assignee=bob, intent="complaint")
    angry = unrouted(
        make_conversation(workspace, handle="mad", intents=("complaint",), sentiment="negative")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assignment.route([angry.pk])
    told = list(Notification.objects.values_list("member__user__username", "kind", "subject"))
    [(who, kind, subject)] = told  # the assignee, once; nobody else needs telling
    assert (who, kind) == ("bob", ASSIGNED)
    assert subject.startswith("Assigned to you by a rule: @mad on mastodon (high priority:")
    assert len(mail.outbox) == 1
