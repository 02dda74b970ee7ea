"""Respond, against Bluesky's own PDS and AppView: a reply sent from a conversation page
reaches Bob's notifications and the thread, once; and once too when the worker dies after
the PDS accepted the post and before Harken recorded it, whatever the sweep then does.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from atproto import client_utils, models
from django.urls import reverse
from django.utils import timezone

from harken.inbox.actions import do_reconcile_interrupted
from harken.inbox.models import Message
from harken.inbox.states import State
from harken.listening.models import Mention
from harken.networks.bluesky.connector import tid_for
from tests.realnet.harken import connect_with_app_password, mentions_source, poll
from tests.realnet.network import eventually


class WorkerKilled(BaseException):
    """The worker's process ending: no ``except Exception`` in Harken sees it, nothing
    after it runs (a SIGKILL, as far as the database and the network can tell)."""


def bobs_mention(alice_on, bob_on, source, words: str) -> Mention:
    """Bob mentions Alice and one poll stores it, threaded into a conversation."""
    text = client_utils.TextBuilder().mention("@" + alice_on.handle, alice_on.did)
    post = bob_on.post(text.text(f" {words}"))
    eventually(lambda: post.uri in alice_on.notified(), "Bob's mention")
    assert poll(source).state == "stored"
    return Mention.objects.get(external_id=post.uri)


def replies_to(person, uri: str) -> list:
    """The records in ``person``'s repository that answer ``uri``: what was posted."""
    return [r for r in person.records() if r.value.reply and r.value.reply.parent.uri == uri]


def in_thread(person, uri: str) -> list[str]:
    """The URIs of the replies the AppView shows under ``uri`` (getPostThread)."""
    params = models.AppBskyFeedGetPostThread.Params(uri=uri, depth=1)
    thread = person.client.app.bsky.feed.get_post_thread(params).thread
    return [reply.post.uri for reply in thread.replies or []]


def send_reply(client, mention: Mention, text: str):
    url = reverse("inbox_reply", args=[mention.conversation_id])
    return client.post(url, {"text": text})


def test_a_reply_from_the_conversation_page_reaches_bob_once(
    realnet, workspace, alice, alice_client, alice_on, bob_on
):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    mention = bobs_mention(alice_on, bob_on, mentions_source(account), "is the shop open Sunday?")
    page = alice_client.get(reverse("inbox_conversation", args=[mention.conversation_id]))
    assert "is the shop open Sunday?" in page.content.decode()

    response = send_reply(alice_client, mention, f"Yes, 10–4, @{bob_on.handle}! Bis dann 👋")

    assert response.status_code == 302
    message = Message.objects.get(conversation=mention.conversation_id, is_note=False)
    assert message.state == State.SENT, message.error
    assert message.external_id.rsplit("/", 1)[-1] == tid_for(message.idempotency_key)
    (record,) = replies_to(alice_on, mention.external_id)
    assert record.uri == message.external_id
    assert record.value.text == f"Yes, 10–4, @{bob_on.handle}! Bis dann 👋"
    # Bob's handle in the reply is a mention of Bob, at its UTF-8 bytes.
    (facet,) = record.value.facets
    data = record.value.text.encode()
    assert data[facet.index.byte_start : facet.index.byte_end] == f"@{bob_on.handle}".encode()
    assert facet.features[0].did == bob_on.did
    eventually(lambda: message.external_id in bob_on.notified(), "the reply in Bob's notifications")
    assert eventually(lambda: in_thread(bob_on, mention.external_id), "the thread") == [
        message.external_id
    ]


@pytest.mark.parametrize("settle", ["sweep", "retry"])
def test_a_worker_killed_after_the_pds_accepted_the_reply_posts_it_once(
    realnet, workspace, alice, alice_client, alice_on, bob_on, monkeypatch, settle
):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    mention = bobs_mention(alice_on, bob_on, mentions_source(account), f"ring sizes? ({settle})")
    real_send = httpx.Client.send
    accepted: list[dict] = []

    def dies_after_the_pds_answers(self, request, *args, **kwargs):
        response = real_send(self, request, *args, **kwargs)
        if request.url.path.endswith("/com.atproto.repo.createRecord"):
            response.read()
            accepted.append(response.json())
            raise WorkerKilled
        return response

    monkeypatch.setattr(httpx.Client, "send", dies_after_the_pds_answers)
    with pytest.raises(WorkerKilled):
        send_reply(alice_client, mention, "Sizes 48 to 64, and we resize for free.")
    monkeypatch.setattr(httpx.Client, "send", real_send)

    # The network has the reply; Harken has only its claim.
    (answer,) = accepted
    message = Message.objects.get(conversation=mention.conversation_id, is_note=False)
    assert (message.state, message.external_id) == (State.SENDING, "")
    assert [r.uri for r in replies_to(alice_on, mention.external_id)] == [answer["uri"]]

    later = timezone.now() + timedelta(minutes=11)
    if settle == "sweep":
        # The periodic sweep sends it again under the same key: the PDS refuses a second
        # record under the same key, and the first one is recorded.
        assert do_reconcile_interrupted(later) == {"resent": 1, "found": 0, "unknown": 0}
    else:
        # A network that cannot be asked leaves it "unknown"; a manager retries it.
        message.state = State.UNKNOWN
        Message.objects.filter(pk=message.pk).update(state=State.UNKNOWN)
        url = reverse("inbox_retry", args=[message.pk])
        assert alice_client.post(url).status_code == 302

    message.refresh_from_db()
    assert (message.state, message.external_id) == (State.SENT, answer["uri"]), message.error
    assert [r.uri for r in replies_to(alice_on, mention.external_id)] == [answer["uri"]]
    eventually(lambda: answer["uri"] in bob_on.notified(), "the reply in Bob's notifications")
    assert eventually(lambda: in_thread(bob_on, mention.external_id), "the thread") == [
        answer["uri"]
    ]
