"""Every text a row holds, made hostile, and every page drawn: nothing comes out raw.

The sample workspace's rows (mentions, authors, contacts, posts, campaigns, topics,
events, canned replies, notes…) get a script and a broken-out attribute in each of their
free-text columns; then every page a member can open, with and without an id, is asked
for. An HTML page must show the text escaped; no page may fail on it.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse

from harken.core.models import Member, Workspace
from harken.publishing.approvals.review import do_create_link
from harken.publishing.models import Campaign, Post
from tests.conftest import client_for
from tests.security.test_routes import OTHER_IDS, PUBLIC, routes

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(1)</script>\u202e'
RAW = ("<script>alert(1)", "<img src=x onerror")
#: Columns the application reads as data, not text to show: changing them tests nothing.
NOT_TEXT = {"time_zone", "slug", "network", "token_hash", "external_id", "idempotency_key"}


def _free_text(field: models.Field) -> bool:
    return (
        type(field) in (models.CharField, models.TextField)  # not JSON, encrypted, e-mail…
        and not field.choices
        and not field.primary_key
        and not field.unique
        and field.name not in NOT_TEXT
        and (field.max_length is None or field.max_length >= len(HOSTILE))
    )


def make_hostile(workspace: Workspace) -> int:
    """Every free-text column of every row of ``workspace`` set to ``HOSTILE``."""
    changed = 0
    for model in apps.get_models():
        if not model.__module__.startswith("harken."):
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "workspace" not in names:
            continue
        keys = {n for together in model._meta.unique_together for n in together}
        keys |= {n for c in model._meta.constraints for n in getattr(c, "fields", ())}
        columns = [
            f.name for f in model._meta.concrete_fields if _free_text(f) and f.name not in keys
        ]
        if columns:
            rows = model._default_manager.filter(workspace=workspace)
            changed += rows.update(**dict.fromkeys(columns, HOSTILE))
    return changed


@pytest.fixture
def hostile_sample(django_db_reset_sequences) -> Workspace:
    get_user_model().objects.create_user("olga", "olga@example.com", "x" * 16)
    call_command("demo", owner=["olga"], stdout=StringIO())
    sample = Workspace.objects.get(is_sample=True)
    assert make_hostile(sample) > 0
    return sample


def test_no_page_shows_a_rows_text_raw_or_fails_on_it(hostile_sample):
    client = client_for(get_user_model().objects.get(username="olga"))
    client.raise_request_exception = False
    raw, failed, drawn, shown = {}, {}, 0, set()
    for route in routes():
        if route.name in PUBLIC:
            continue
        ids = OTHER_IDS if route.ints else (None,)
        for pk in ids:
            path = route.path(**dict.fromkeys(route.ints, pk)) if pk else route.path()
            response = client.get(path)
            if response.status_code >= 500:
                failed[path] = response.status_code
                continue
            if response.streaming or "html" not in response.get("Content-Type", ""):
                continue
            body = response.content.decode()
            drawn += 1
            if "&lt;script&gt;alert(1)" in body:
                shown.add(route.name)
            if any(bad in body for bad in RAW):
                raw[path] = next(bad for bad in RAW if bad in body)
    assert not failed, failed
    assert not raw, raw
    assert drawn > 40
    # The text did reach the pages (escaped): the check above looked at something.
    assert {"inbox_conversation", "contact_detail", "listening", "compose_edit"} <= shown, shown


def test_the_public_pages_show_a_rows_text_escaped(hostile_sample):
    """The pages anyone with the link opens: a campaign's pledge page, a client's review
    of a post (the post's text, its variants, the workspace's name)."""
    owner = Member.objects.get(workspace=hostile_sample, user__username="olga")
    pages = [reverse("campaign_public", args=[c.public_token]) for c in Campaign.objects.all()]
    for post in Post.objects.filter(workspace=hostile_sample, variants__isnull=False).distinct():
        pages.append(reverse("publishing_review", args=[do_create_link(post, owner)[1]]))
    anyone, shown = Client(), 0
    for page in pages:
        response = anyone.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        assert not any(bad in body for bad in RAW), page
        shown += "&lt;script&gt;alert(1)" in body
    assert shown >= len(pages) > 2
