"""A connected Facebook Page read into listening through the real poll and ingest
pipeline (polling → pipeline → threads), against a local Graph API serving recorded
bodies (see test_connector.py)."""

from __future__ import annotations

import pytest
from django.core import mail

from harken.listening.models import Mention, Source
from harken.listening.polling import poll_source
from harken.networks.connecting import save_connected
from harken.networks.models import Account
from tests.networks.facebook.graph_local import error, path
from tests.networks.facebook.page_local import PAGE, TOKEN, WITH_AUTHORS


@pytest.fixture
def page_account(workspace, alice):
    config = {"page_id": PAGE, "page_token": TOKEN, "name": "Facebook for Developers"}
    return save_connected(workspace, alice, "facebook", PAGE, "Facebook for Developers", config)


def test_a_poll_stores_the_comments_threaded_under_their_post(page_account, feed):
    source = Source.objects.get(account=page_account)
    outcome = poll_source(source.pk, force=True)
    assert (outcome.state, outcome.stored) == ("stored", 4), outcome
    mentions = Mention.objects.filter(workspace=page_account.workspace, network="facebook")
    assert mentions.count() == 4
    assert {m.in_reply_to for m in mentions} == {WITH_AUTHORS}
    assert len({m.conversation_id for m in mentions}) == 1  # one conversation: the post's
    source.refresh_from_db()
    assert source.cursor.startswith("2014-08-20T05:57:48")
    # The comments Meta hid the writers of are counted on the source, not lost silently.
    assert sum(source.last_skipped.values()) > 0

    again = poll_source(source.pk, force=True)
    assert again.stored == 0 and mentions.count() == 4  # nothing newer, nothing twice


def test_an_expired_token_marks_the_page_for_reconnecting_and_tells_the_owner(
    page_account, meta, django_capture_on_commit_callbacks
):
    meta.route(
        path(PAGE, "feed"),
        error(190, "Error validating access token: Session has expired.", subcode=463),
    )
    source = Source.objects.get(account=page_account)
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_source(source.pk, force=True).state == "failed"
    page_account.refresh_from_db()
    assert page_account.status == Account.Status.RECONNECT
    assert "the sign-in expired" in page_account.last_error
    (sent,) = mail.outbox
    assert sent.subject == "Reconnect Facebook for Developers on Facebook Page"
