"""The reply form posted twice (a double click, a browser re-post) writes one message and
posts once; and at equal priority the inbox lists the oldest conversation first, with
keyset pages that neither skip nor repeat a row across a tie."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from harken.inbox import actions
from harken.inbox.models import Conversation, Message
from tests.inbox.conftest import REPLY_ID, make_conversation
from tests.lib.localserver import Reply

pytestmark = pytest.mark.django_db


def member(user, workspace):
    from harken.core.models import Member

    return Member.objects.select_related("workspace", "user").get(user=user, workspace=workspace)


def two_replies(mastodon) -> None:
    """The server answers a second reply with a second status (as Mastodon would)."""
    good = mastodon.routes["/api/v1/statuses"][0]
    body = good.payload().replace(REPLY_ID.encode(), b"117020583258299999")
    mastodon.route("/api/v1/statuses", good, Reply(good.status, body, good.headers))


def form_token(client, conversation) -> str:
    page = client.get(reverse("inbox_conversation", args=[conversation.pk]))
    html = page.content.decode()
    form = re.search(r'<form[^>]*id="reply-form".*?</form>', html, re.S)
    assert form, "the reply form is on the page"
    assert 'hx-disabled-elt="#reply-send"' in form.group(0)  # Send is off while in flight
    assert 'id="reply-send"' in form.group(0)
    found = re.search(r'<input type="hidden" name="token" value="([0-9a-f]{32})">', form.group(0))
    assert found, "the reply form carries a one-time token"
    return found.group(1)


def test_each_page_view_renders_a_fresh_token(bob_client, conversation, account):
    assert form_token(bob_client, conversation) != form_token(bob_client, conversation)


@pytest.mark.parametrize("htmx", [False, True])
def test_the_same_form_posted_twice_writes_and_posts_once(
    bob_client, workspace, conversation, account, mastodon, htmx
):
    two_replies(mastodon)
    token = form_token(bob_client, conversation)
    url = reverse("inbox_reply", args=[conversation.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    for _ in range(2):
        answer = bob_client.post(url, {"text": "It ships today.", "token": token}, headers=headers)
        assert answer.status_code == (200 if htmx else 302)
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert len(mastodon.hits("/api/v1/statuses")) == 1
    # A new page view is a new reply.
    bob_client.post(url, {"text": "One more thing.", "token": form_token(bob_client, conversation)})
    assert Message.objects.filter(conversation=conversation).count() == 2
    assert len(mastodon.hits("/api/v1/statuses")) == 2


def test_without_a_token_each_post_is_a_reply(workspace, bob, conversation, account, mastodon):
    two_replies(mastodon)
    bob_member = member(bob, workspace)
    first = actions.do_reply(conversation, bob_member, "One.")
    second = actions.do_reply(conversation, bob_member, "Two.", token="not a token!")
    assert first.pk != second.pk and first.form_token is None is second.form_token
    assert len(mastodon.hits("/api/v1/statuses")) == 2


def test_a_token_of_another_conversation_is_refused(workspace, bob, conversation, account):
    from django.core.exceptions import ValidationError

    actions.do_reply(conversation, member(bob, workspace), "Hello.", token="a" * 32)
    other = make_conversation(workspace, handle="other")
    with pytest.raises(ValidationError):
        actions.do_reply(other, member(bob, workspace), "Hello.", token="a" * 32)
    assert not Message.objects.filter(conversation=other).exists()


def test_a_lost_race_reads_the_winners_row(
    workspace, bob, conversation, account, mastodon, monkeypatch
):
    """The insert's unique constraint decides; the loser returns the first message (in a
    savepoint, so the surrounding transaction stays usable on PostgreSQL)."""
    bob_member = member(bob, workspace)
    first = actions.do_reply(conversation, bob_member, "It ships today.", token="b" * 32)
    real = actions._replayed
    calls: list[int] = []

    def late(conversation: Conversation, token: str | None) -> Message | None:
        calls.append(1)
        return None if len(calls) == 1 else real(conversation, token)  # the row not yet seen

    monkeypatch.setattr(actions, "_replayed", late)
    again = actions.do_reply(conversation, bob_member, "It ships today.", token="b" * 32)
    assert again.pk == first.pk and len(calls) == 2
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert len(mastodon.hits("/api/v1/statuses")) == 1


@pytest.mark.django_db(transaction=True)
def test_two_posts_of_one_form_at_once_write_one_message(
    workspace, bob, conversation, account, mastodon
):
    bob_member = member(bob, workspace)
    start = threading.Barrier(2)
    made: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            start.wait()
            made.append(actions.do_reply(conversation, bob_member, "Once.", token="c" * 32).pk)
        except BaseException as error:  # noqa: BLE001  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(made) == 2 and made[0] == made[1]
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert len(mastodon.hits("/api/v1/statuses")) == 1


# --- fair ties ------------------------------------------------------------------------------


def test_at_equal_priority_the_older_conversation_comes_first(alice_client, workspace):
    older = make_conversation(workspace, handle="first", minutes_ago=50)
    newer = make_conversation(workspace, handle="second", minutes_ago=5)
    Conversation.objects.filter(pk__in=[older.pk, newer.pk]).update(priority=100)
    rows = alice_client.get(reverse("inbox")).context["rows"]
    assert [r.pk for r in rows] == [older.pk, newer.pk]


def test_pages_across_a_tie_neither_skip_nor_repeat(alice_client, workspace):
    high = [make_conversation(workspace, handle=f"h{n}") for n in range(10)]
    tied = [make_conversation(workspace, handle=f"t{n}") for n in range(20)]
    low = [make_conversation(workspace, handle=f"l{n}") for n in range(3)]
    Conversation.objects.filter(pk__in=[c.pk for c in high]).update(priority=90)
    Conversation.objects.filter(pk__in=[c.pk for c in tied]).update(priority=50)
    Conversation.objects.filter(pk__in=[c.pk for c in low]).update(priority=10)
    first = alice_client.get(reverse("inbox"))
    # The page ends inside the tie: 10 high, then 15 of the 20 tied.
    assert first.context["next_url"].endswith(f"after=50.{tied[14].pk}")
    second = alice_client.get(reverse("inbox") + first.context["next_url"])
    assert not second.context["next_url"]
    seen = [r.pk for r in first.context["rows"]] + [r.pk for r in second.context["rows"]]
    assert seen == [c.pk for c in high + tied + low]  # in order, each once
