"""Listen, against Bluesky's own PDS and AppView: Bob mentions Alice, replies to her post
and quotes it; Charlie writes what one of Alice's topics listens for. One poll of the
account's mentions and one of a saved search store exactly these, threaded, with their
authors; a post deleted before the poll is not stored, as the network no longer lists it.
"""

from __future__ import annotations

import secrets

import pytest
from atproto import client_utils, models
from django.urls import reverse

from harken.listening.models import Mention, Topic
from harken.listening.searches import do_add_search
from harken.networks.base import ConnectorError
from harken.networks.registry import connector_for
from tests.realnet.harken import connect_with_app_password, mentions_source, poll
from tests.realnet.network import eventually


def notified(person, uris: set[str]) -> bool:
    """Whether ``person``'s notifications (as the AppView lists them) hold all ``uris``."""
    return uris <= person.notified()


def test_bobs_mention_reply_and_quote_are_stored_in_one_poll_threaded(
    realnet, workspace, alice, alice_client, alice_on, bob_on
):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    source = mentions_source(account)
    assert poll(source).state == "stored"  # whatever earlier tests left; the cursor is now
    before = set(Mention.objects.values_list("external_id", flat=True))

    original = alice_on.post("Our spring collection is in the window today.")
    assert original.uri in {record.uri for record in alice_on.records()}
    ref = models.create_strong_ref(original)
    text = client_utils.TextBuilder().text("Hi ").mention("@" + alice_on.handle, alice_on.did)
    mention = bob_on.post(text.text(" do you resize rings?"))
    reply = bob_on.post(
        "Love the blue one!", reply_to=models.AppBskyFeedPost.ReplyRef(parent=ref, root=ref)
    )
    quote = bob_on.post(
        "Look what is new <b>here</b>", embed=models.AppBskyEmbedRecord.Main(record=ref)
    )
    gone = bob_on.post(client_utils.TextBuilder().mention("@" + alice_on.handle, alice_on.did))
    expected = {mention.uri, reply.uri, quote.uri}
    eventually(lambda: notified(alice_on, expected | {gone.uri}), "Bob's notifications")
    bob_on.client.delete_post(gone.uri)
    eventually(lambda: not notified(alice_on, {gone.uri}), "the deletion")

    outcome = poll(source)

    assert (outcome.state, outcome.stored) == ("stored", 3)
    stored = Mention.objects.exclude(external_id__in=before).select_related("author")
    by_uri = {m.external_id: m for m in stored}
    assert set(by_uri) == expected  # the deleted one never arrives
    for item in by_uri.values():
        assert (item.author.handle, item.author.external_id) == (bob_on.handle, bob_on.did)
        assert item.source_id == source.pk and item.conversation_id is not None
    assert by_uri[reply.uri].kind == "reply"
    assert by_uri[reply.uri].in_reply_to == original.uri
    assert by_uri[reply.uri].conversation.root_external_id == original.uri
    assert by_uri[mention.uri].conversation.root_external_id == mention.uri
    assert by_uri[quote.uri].text == "Look what is new <b>here</b>"  # stored as written
    assert by_uri[mention.uri].url.endswith("/" + mention.uri.rsplit("/", 1)[-1])
    # The stream shows the quote's markup as text, never as markup.
    page = alice_client.get(reverse("listening")).content.decode()
    assert "&lt;b&gt;here&lt;/b&gt;" in page and "<b>here</b>" not in page

    # A second poll finds nothing new: the cursor moved past these.
    assert (poll(source).state, Mention.objects.count()) == ("stored", len(before) + 3)

    # Answering the deleted post is refused in words, as Bluesky no longer has it.
    with pytest.raises(ConnectorError) as refused:
        connector_for(account).reply(gone.uri, "Thanks!")
    assert "deleted" in refused.value.message


def test_a_saved_search_stores_charlies_post_under_alices_topic(
    realnet, workspace, alice, alice_client, alice_on, charlie_on
):
    account = connect_with_app_password(alice_client, realnet, alice_on)
    word = f"silverwork{secrets.token_hex(3)}"  # the AppView's search matches exact words
    topic = Topic.objects.create(workspace=workspace, name="Silverwork", query=word)
    search = do_add_search(workspace, alice, "bluesky", word, account, 300)
    post = charlie_on.post(f"Who sells {word} rings near the harbour?")
    bob_noise = realnet.people["bob"].post("Nothing to see in this one.")

    def found() -> bool:
        params = models.AppBskyFeedSearchPosts.Params(q=word)
        return bool(alice_on.client.app.bsky.feed.search_posts(params).posts)

    eventually(found, "Charlie's post in search")

    outcome = poll(search)

    assert (outcome.state, outcome.stored) == ("stored", 1)
    (stored,) = Mention.objects.filter(source=search).select_related("author")
    assert stored.external_id == post.uri != bob_noise.uri
    assert (stored.author.handle, stored.author.name) == (charlie_on.handle, "")
    assert list(stored.topics.all()) == [topic]
    assert stored.conversation.root_external_id == post.uri
