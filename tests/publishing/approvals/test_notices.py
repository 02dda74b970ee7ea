"""Approvers hear of a post awaiting them on their phone (ntfy, a real local HTTP server)
and by e-mail; the author hears the decision; a viewer's and the author's own phones stay quiet."""

from __future__ import annotations

import pytest
from django.core import mail

from harken.core import notify
from harken.publishing.approvals import actions
from tests.lib.localserver import Reply
from tests.publishing.approvals.conftest import make_post, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def phones(server, loopback, mia, bob):
    """Mia's and Bob's ntfy topics on the local server."""
    for user, topic in [(mia, "mia-phone"), (bob, "bob-phone")]:
        server.route(f"/{topic}", Reply(200, b'{"id":"x"}'))
        chosen = notify.settings_for(member(user))
        chosen.ntfy_server, chosen.ntfy_topic = server.base, topic
        chosen.save()
    return server


def test_the_approver_is_pushed_and_the_author_hears_the_decision(
    phones, bob, mia, accounts, settings, django_capture_on_commit_callbacks
):
    settings.BASE_URL = "https://harken.example"
    post = make_post(bob, accounts, ["Rings <engraved> free this week.", "Engraving free."])
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_submit(post, member(bob))
    [push] = phones.hits("/mia-phone")
    headers = {k.lower(): v for k, v in push.headers.items()}
    assert headers["title"] == "bob asks you to approve a post"
    assert headers["click"] == f"https://harken.example/calendar/approvals/posts/{post.pk}/"
    assert b"Rings <engraved> free this week." in push.body
    assert phones.hits("/bob-phone") == []  # the author is not asked to approve
    assert "mia@example.com" in [m.to[0] for m in mail.outbox]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_send_back(post, member(mia), "Say until when.")
    [decided] = phones.hits("/bob-phone")
    assert {k.lower(): v for k, v in decided.headers.items()}["title"] == (
        "mia sent your post back"
    )
    assert "Say until when." in decided.body.decode()
    [sent] = mail.outbox
    assert sent.to == ["bob@example.com"] and "Say until when." in sent.body


def test_submitting_again_after_changes_tells_the_approvers_again(
    phones, bob, mia, accounts, django_capture_on_commit_callbacks
):
    post = make_post(bob, accounts)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_submit(post, member(bob))
        actions.do_send_back(post, member(mia), "Shorter.")
        actions.do_submit(post, member(bob))
    assert len(phones.hits("/mia-phone")) == 2
