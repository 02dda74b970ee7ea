"""The inbox list's own poll (its views' counts, every 30 s while the page is open) after
the session ended: htmx follows a redirect and would draw the sign-in form inside the
list, so the poll answers 286, htmx's "stop polling", as the bell does."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from harken.listening.models import Source
from harken.listening.pipeline import ingest
from tests.listening.helpers import item

pytestmark = pytest.mark.django_db

POLL = {"view": "needs_reply", "part": "views"}


@pytest.fixture
def waiting(workspace):
    source = Source.objects.create(
        workspace=workspace, name="Mentions", kind=Source.Kind.SEARCH, network="mastodon"
    )
    ingest(source, [item("1", "Do you resize rings while I wait?")])


def test_the_list_polls_its_views_with_the_part_that_answers_the_poll(alice_client, waiting):
    page = alice_client.get(reverse("inbox")).content.decode()
    assert 'hx-get="/inbox/?view=needs_reply&amp;part=views" hx-trigger="every 30s"' in page
    answer = alice_client.get(reverse("inbox"), POLL)
    html = answer.content.decode()
    assert answer.status_code == 200 and html.startswith('<nav id="inbox-views"')
    assert "<html" not in html


def test_a_signed_out_poll_stops_polling_instead_of_drawing_the_login_form(client, waiting):
    answer = client.get(reverse("inbox"), POLL)
    assert answer.status_code == 286 and answer.content == b""  # htmx: stop polling
    assert client.get(reverse("inbox")).status_code == 302  # the page itself signs in


def test_a_poll_from_someone_no_longer_in_a_workspace_stops_too(client, workspace, waiting):
    stranger = get_user_model().objects.create_user("drifter", password="x-long-enough-1")
    client.force_login(stranger)
    answer = client.get(reverse("inbox"), POLL)
    assert answer.status_code == 286 and answer.content == b""


def test_a_poll_of_an_emptied_inbox_answers_its_views_not_the_welcome_page(alice_client):
    html = alice_client.get(reverse("inbox"), POLL).content.decode()
    assert html.startswith('<nav id="inbox-views"') and "<html" not in html
