"""A direct message's attachments on the conversation page: images as thumbnails through
Harken's signed media path, everything else as a plain link; the page never loads a
stranger's host.

The attachments are in the shapes the networks document, stored as the connectors store a
message's media (its addresses in the message): a Mastodon direct status's
``media_attachments`` (recorded traffic, ../shared/data/recorded-api/mastodon), Messenger's
``attachments`` (Graph API documentation: ``image_data.url``, ``file_url``), X's
``dm_events`` media expansion (its ``url`` on ton.twitter.com, served only to a signed-in
request) and a Bluesky chat message's record embed (a post, at its bsky.app address). The
image hosts are a local server answering at the documented paths.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import yaml

from harken.inbox import media
from harken.listening.models import Mention
from tests.conftest import shared_data
from tests.inbox.conftest import make_conversation
from tests.inbox.test_media_proxy import png, sources
from tests.lib.localserver import Reply

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    media.CACHE.clear()
    yield
    media.CACHE.clear()


def direct(workspace, network: str, text: str):
    """A private conversation holding one direct message with ``text``."""
    conversation = make_conversation(workspace, network=network, text=text)
    Mention.objects.filter(conversation=conversation).update(kind="message")
    return conversation


def recorded_mastodon_attachment() -> dict:
    path = shared_data("recorded-api", "mastodon", "test_status_delete_media.yaml")
    for interaction in yaml.safe_load(path.read_text())["interactions"]:
        body = interaction["response"]["body"]["string"]
        if "media_attachments" in body:
            status = json.loads(body)
            if isinstance(status, dict) and status.get("media_attachments"):
                return status["media_attachments"][0]
    raise AssertionError("no media attachment in the recording")


def files_on(client, conversation) -> list[str]:
    page = client.get(f"/inbox/{conversation.pk}/").content.decode()
    block = page.split('<ul class="files"', 1)[1].split("</ul>", 1)[0] if "files" in page else ""
    return [part.split('"', 1)[0].replace("&amp;", "&") for part in block.split('href="')[1:]]


def test_a_mastodon_direct_image_is_a_thumbnail_through_harken(
    alice_client, workspace, server, loopback
):
    attachment = recorded_mastodon_attachment()
    assert attachment["type"] == "image"
    path = urlsplit(attachment["url"]).path
    server.route(path, Reply(200, png(), {"Content-Type": "image/jpeg"}))
    talk = direct(workspace, "mastodon", f"The clasp, see? {server.url(path)}")
    [src] = sources(alice_client, talk)
    assert src.startswith("/inbox/messages/") and server.base not in src
    page = alice_client.get(f"/inbox/{talk.pk}/").content.decode()
    assert f'<img src="{server.base}' not in page  # linked, never hot-linked
    answer = alice_client.get(src)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert len(server.hits(path)) == 1


def test_messenger_attachments_an_image_thumbnail_and_a_file_link(
    alice_client, workspace, server, loopback
):
    image = server.url("/v/t1.15752-9/448_n.jpg") + "?_nc_cat=1&oh=00_AfB&oe=6612"
    receipt = server.url("/v/t59.2708-21/receipt.pdf") + "?_nc_cat=1&oh=00_Xy"
    server.route("/v/t1.15752-9/448_n.jpg", Reply(200, png()))
    talk = direct(workspace, "facebook", f"Photo of the box\n{image}\n{receipt}")
    [src] = sources(alice_client, talk)
    assert alice_client.get(src).status_code == 200
    assert files_on(alice_client, talk) == [receipt]
    assert server.hits("/v/t59.2708-21/receipt.pdf") == []  # a link is not fetched


def test_x_dm_media_and_a_bluesky_chat_embed_are_links(alice_client, workspace):
    ton = "https://ton.twitter.com/1.1/ton/data/dm/1858583830/1858583826/1Gk0v3eP.jpg"
    x_talk = direct(workspace, "x", f"Here is my receipt {ton}")
    assert sources(alice_client, x_talk) == []  # X gives it to a signed-in request only
    assert files_on(alice_client, x_talk) == [ton]
    post = "https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3k44deefqdk2g"
    sky_talk = direct(workspace, "bluesky", f"Is this ring still for sale? {post}")
    assert files_on(alice_client, sky_talk) == [post]


def test_an_attachment_name_is_escaped(alice_client, workspace):
    evil = "https://files.example/%3Cscript%3Ealert(1)%3C%2Fscript%3E.pdf"
    talk = direct(workspace, "mastodon", f"my invoice {evil}")
    page = alice_client.get(f"/inbox/{talk.pk}/").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert" in page
