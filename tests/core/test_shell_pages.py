"""The app shell's pages without a browser: truthful placeholders for the sections to come,
the last workspace remembered, branded error pages, and no inline script anywhere."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

import harken
from harken.core.demo import do_fill_demo
from harken.core.models import Member, Role
from harken.inbox.models import Conversation
from harken.listening.models import Mention
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SRC = Path(harken.__file__).parent


@pytest.fixture
def sample(alice):
    workspace = do_fill_demo([alice])
    client = client_for(alice)
    client.post(reverse("workspace_switch"), {"workspace": workspace.pk})
    return workspace, client


def test_the_sample_inbox_counts_its_conversations_instead_of_suggesting_the_demo(sample):
    workspace, client = sample
    page = client.get("/inbox/").content.decode()
    conversations = Conversation.objects.filter(workspace=workspace).count()
    assert conversations > 0
    # The real inbox lists them: the "All" view counts every one.
    assert f'data-view="all">{conversations}<' in page
    assert "Your inbox is empty" not in page
    assert "Try <code>harken demo</code>" not in page


def test_the_sample_analytics_summarises_its_mentions_instead_of_saying_no_figures(sample):
    workspace, client = sample
    page = client.get("/analytics/").content.decode()
    assert Mention.objects.filter(workspace=workspace, is_own=False).exists()
    assert "No figures yet" not in page
    assert 'id="stat-mentions"' in page and 'id="panel-sentiment"' in page
    assert "purchase_intent<" not in page  # identifiers in words, not codes


def test_an_empty_workspace_says_so(alice_client):
    assert "Your inbox is empty" in alice_client.get("/inbox/").content.decode()
    assert "No figures yet" in alice_client.get("/analytics/").content.decode()
    assert "No posts planned yet" in alice_client.get("/calendar/").content.decode()


def test_the_workspace_chosen_last_opens_at_the_next_log_in(alice, workspace, other_workspace):
    Member.objects.create(workspace=other_workspace, user=alice, role=Role.MANAGER)
    first = client_for(alice)
    assert first.get("/inbox/").context["workspace"] == workspace  # by name, at first
    first.post(reverse("workspace_switch"), {"workspace": other_workspace.pk})
    later = Client()
    later.force_login(alice)  # a new session: nothing chosen in it yet
    response = later.get("/", follow=True)
    assert response.context["workspace"] == other_workspace


def test_a_new_workspace_is_the_one_opened_next_time(alice_client, alice, workspace):
    alice_client.post(reverse("workspace_create"), {"name": "Dockside Bakery", "time_zone": "UTC"})
    later = client_for(alice)
    assert later.get("/inbox/").context["workspace"].name == "Dockside Bakery"


def test_a_missing_page_is_branded(alice_client):
    response = alice_client.get("/no-such-page/")
    assert response.status_code == 404
    page = html.unescape(response.content.decode())
    assert "There's nothing here" in page
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_a_refused_role_is_branded_and_says_why(victor):
    response = client_for(victor).get(reverse("audit_log"))
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "You can't do that here" in page
    assert "manager role" in page


@pytest.mark.parametrize("name", ["400.html", "403.html", "403_csrf.html", "404.html", "500.html"])
def test_error_pages_render_without_a_request(name):
    page = render_to_string(name)
    assert "favicon.svg" in page and "Go to Harken" in page
    assert "harken.css" in page


def test_flash_messages_are_not_a_bulleted_list(alice_client):
    response = alice_client.post(
        reverse("settings"), {"name": "Harbor Street Jewelers", "time_zone": "UTC"}, follow=True
    )
    page = response.content.decode()
    assert '<p class="flash success">Workspace saved.</p>' in page
    assert '<ul class="messages">' not in page


def test_every_page_links_the_favicon_and_the_shell_script(alice_client):
    page = alice_client.get("/settings/").content.decode()
    assert re.search(r'<link rel="icon" href="[^"]+favicon\.svg" type="image/svg\+xml">', page)
    assert re.search(r'<script src="[^"]+harken/harken\.js" defer>', page)


def test_no_template_has_inline_script_or_event_handlers():
    """The Content-Security-Policy allows no inline script: behaviour lives in static .js files."""
    found = []
    for path in sorted(SRC.rglob("templates/**/*.html")):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+\s*=", text):
            found.append(f"{path.relative_to(SRC)}: {match.group(0)}")
    assert found == []
