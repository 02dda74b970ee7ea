"""The conversation page: the contact card across networks, earlier conversations in the
customer's words with their outcome, one-click corrections that teach the analysis and
move the queue, thumbnails only of the image addresses the message carries, through Harken."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from harken.analysis.models import Correction
from harken.contacts.linking import link_authors
from harken.contacts.models import Contact, Identity
from harken.core.models import AuditEntry
from harken.inbox.media import image_urls
from harken.inbox.models import Conversation
from harken.listening.models import Mention
from tests.inbox.conftest import make_conversation

pytestmark = pytest.mark.django_db


def _page(client, conversation: Conversation) -> str:
    response = client.get(reverse("inbox_conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_card_shows_the_contact_joined_across_networks(alice_client, workspace):
    now = make_conversation(workspace, handle="maya", text="Is the ring back?")
    earlier = make_conversation(
        workspace,
        network="bluesky",
        handle="maya.bsky",
        text="<b>My ring</b> broke",
        minutes_ago=9000,
    )
    Conversation.objects.filter(pk=earlier.pk).update(
        status=Conversation.Status.RESOLVED,
        first_response_at=earlier.first_message_at + timedelta(hours=2),
        resolved_at=timezone.now(),
    )
    link_authors(workspace)
    kept = Identity.objects.get(handle="maya").contact
    other = Identity.objects.get(handle="maya.bsky")
    Identity.objects.filter(pk=other.pk).update(contact=kept)
    Contact.objects.filter(pk=kept.pk).update(
        name="Maya Ortiz",
        status="customer",
        lifetime_value=Decimal("1240.50"),
        segments={"plan": "gold"},
        notes="Prefers <e-mail>",
    )
    page = _page(alice_client, now)
    assert "Maya Ortiz" in page and "Customer" in page and "1240.50" in page
    assert "plan" in page and "gold" in page and "Prefers &lt;e-mail&gt;" in page
    assert "@maya.bsky" in page and "Bluesky" in page
    # The earlier conversation on the other network, in its words (escaped), and how it ended.
    assert "&lt;b&gt;My ring&lt;/b&gt; broke" in page and "<b>My ring" not in page
    assert "resolved · answered in 2 h" in page


def test_a_correction_is_kept_for_retraining_and_moves_the_queue(bob_client, workspace):
    talk = make_conversation(workspace, text="The clasp of my bracelet", intents=("question",))
    mention = Mention.objects.get(conversation=talk)
    before = talk.priority
    url = reverse("inbox_correct", args=[mention.pk])
    response = bob_client.post(url, {"intent": "complaint"}, headers={"HX-Request": "true"})
    assert (
        response.status_code == 200 and 'aria-pressed="true">Complaint' in response.content.decode()
    )
    mention.refresh_from_db()
    talk.refresh_from_db()
    assert mention.intents == ["complaint"] and talk.intent == "complaint"
    assert talk.priority > before
    kept = Correction.objects.get(workspace=workspace)
    assert (kept.field, kept.label, kept.text) == (
        "intent",
        "complaint",
        "The clasp of my bracelet",
    )
    assert AuditEntry.objects.filter(workspace=workspace, action="mention.corrected").exists()
    bob_client.post(url, {"sentiment": "negative"})
    mention.refresh_from_db()
    assert mention.sentiment == "negative"


def test_a_bad_correction_changes_nothing(bob_client, victor, workspace, other_workspace):
    from tests.conftest import client_for

    talk = make_conversation(workspace)
    mention = Mention.objects.get(conversation=talk)
    url = reverse("inbox_correct", args=[mention.pk])
    bob_client.post(url, {"intent": "refund-now"})
    bob_client.post(url, {"intent": "complaint", "sentiment": "negative"})
    assert client_for(victor).post(url, {"intent": "complaint"}).status_code == 403
    theirs = make_conversation(other_workspace, handle="spy")
    other = Mention.objects.get(conversation=theirs)
    assert (
        bob_client.post(reverse("inbox_correct", args=[other.pk]), {"intent": "spam"}).status_code
        == 404
    )
    mention.refresh_from_db()
    assert mention.intents == ["question"] and not Correction.objects.exists()


def test_thumbnails_come_only_from_http_s_image_addresses_in_the_message():
    text = (
        "look https://cdn.example/p/ring.JPG, and http://plain.example/a.png "
        "javascript:alert(1).png https://user@evil.example/x.png https://site.example/page "
        'https://cdn.example/b.webp"onerror=x ftp://files.example/c.png'
    )
    # Each address once; the quote ends the address (the template escapes the rest).
    # Plain http is fine: Harken fetches it, the browser never does.
    assert image_urls(text, "https://cdn.example/p/ring.JPG") == [
        "https://cdn.example/p/ring.JPG",
        "http://plain.example/a.png",
        "https://cdn.example/b.webp",
    ]
    assert image_urls("a https://i.example/1.png b https://i.example/2.gif") == [
        "https://i.example/1.png",
        "https://i.example/2.gif",
    ]


def test_the_page_draws_lazy_thumbnails_through_harken(alice_client, workspace):
    talk = make_conversation(workspace, text='Broken: https://cdn.example/clasp.png" onload="x')
    page = _page(alice_client, talk)
    mention = talk.mentions.get()
    assert f'<img src="/inbox/messages/{mention.pk}/media/0/?s=' in page
    assert 'src="https://' not in page and '<img src="https://' not in page
    assert 'href="https://cdn.example/clasp.png"' in page  # the original, one click away
    assert 'loading="lazy" referrerpolicy="no-referrer" width="120" height="120"' in page
    assert 'onload="x' not in page.split("<img", 1)[1].split(">", 1)[0]


def test_an_author_without_contact_shows_no_card(alice_client, workspace):
    talk = make_conversation(workspace)
    assert 'aria-label="Contact"' not in _page(alice_client, talk)
