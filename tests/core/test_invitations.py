"""Invitations: emailed when an address is given, claimed once even by simultaneous
sign-ups, and their tokens never written to a log."""

from __future__ import annotations

import html
import logging
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from harken.core.actions import do_invite
from harken.core.logfilters import redact
from harken.core.models import AuditEntry, Invitation, Member, Role, Workspace

User = get_user_model()


def _shown_link(client) -> str:
    page = client.get(reverse("member_list")).content.decode()
    return html.unescape(re.search(r'id="invitation-link" value="([^"]+)"', page)[1])


def test_an_invitation_with_an_address_is_emailed(alice_client, workspace):
    response = alice_client.post(
        reverse("invitation_create"), {"role": "responder", "email": "dana@example.com"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["dana@example.com"]
    assert "Harbor Street Jewelers" in sent.subject
    link = _shown_link(alice_client)
    assert link in sent.body
    assert "/invite/" in link


def test_the_page_says_the_invitation_was_emailed(alice_client):
    response = alice_client.post(
        reverse("invitation_create"), {"role": "viewer", "email": "eve@example.com"}, follow=True
    )
    assert "The invitation was emailed to eve@example.com." in response.content.decode()


def test_a_failed_email_still_shows_the_link(alice_client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("harken.core.actions.send_mail", refuse)
    response = alice_client.post(
        reverse("invitation_create"), {"role": "viewer", "email": "eve@example.com"}, follow=True
    )
    page = response.content.decode()
    assert "could not be sent" in page
    assert 'id="invitation-link"' in page


def test_a_link_without_an_address_sends_nothing(alice_client):
    alice_client.post(reverse("invitation_create"), {"role": "viewer", "email": ""})
    assert mail.outbox == []
    assert _shown_link(alice_client)


def test_the_link_has_a_copy_button_without_inline_script(alice_client):
    alice_client.post(reverse("invitation_create"), {"role": "viewer"})
    page = alice_client.get(reverse("member_list")).content.decode()
    assert 'data-copy="invitation-link"' in page
    assert "onclick" not in page and "<script>" not in page


# --- one link, four simultaneous sign-ups: one account -----------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_on_one_link_make_one_account():
    workspace = Workspace.objects.create(name="Harbor Street Jewelers", slug="harbor-street")
    owner = User.objects.create_user("alice", password="correct horse battery")
    member = Member.objects.create(workspace=workspace, user=owner, role=Role.OWNER)
    token = do_invite(workspace, member, "responder")
    url = reverse("invitation_accept", args=[token])
    start = threading.Barrier(4)
    codes: dict[str, int] = {}

    def sign_up(name: str) -> None:
        try:
            client = Client()
            client.get(url)
            start.wait(timeout=10)
            response = client.post(
                url,
                {
                    "username": name,
                    "password1": "a long unusual pass",
                    "password2": "a long unusual pass",
                },
            )
            codes[name] = response.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(f"newcomer{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(codes) == 4, codes
    assert User.objects.filter(username__startswith="newcomer").count() == 1
    joined = Member.objects.filter(workspace=workspace, role=Role.RESPONDER)
    assert joined.count() == 1
    invitation = Invitation.objects.get()
    assert invitation.accepted is not None
    assert invitation.accepted_by == joined.get().user
    assert AuditEntry.objects.filter(action="invitation.accept").count() == 1


def test_a_used_link_creates_no_account(alice_client, workspace):
    alice_client.post(reverse("invitation_create"), {"role": "viewer"})
    link = _shown_link(alice_client)
    form = {"password1": "a long unusual pass", "password2": "a long unusual pass"}
    Client().post(link, {**form, "username": "first"})
    second = Client().post(link, {**form, "username": "second"})
    assert second.status_code == 404
    assert not User.objects.filter(username="second").exists()


# --- tokens never logged -----------------------------------------------------------------


def test_a_refused_invitation_link_is_logged_without_its_token(db, caplog, settings):
    from harken.core.logfilters import RedactSecretPaths

    token = "s3cr3t-Token-value"
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert Client().get(f"/invite/{token}/").status_code == 404
    record = next(r for r in caplog.records if r.name == "django.request")
    # Django logs the path of every 404; Harken's console handler, the one every log
    # line goes through, filters it.
    console = settings.LOGGING["handlers"]["console"]
    assert [settings.LOGGING["filters"][name]["()"] for name in console["filters"]] == [
        "harken.core.logfilters.RedactSecretPaths"
    ]
    RedactSecretPaths().filter(record)
    assert token not in record.getMessage()
    assert record.getMessage() == "Not Found: /invite/…/"


def test_the_redaction_covers_every_link_with_a_secret():
    assert redact("Not Found: /invite/abc123/") == "Not Found: /invite/…/"
    assert redact('"GET /setup/0123abcd/ HTTP/1.1" 404') == '"GET /setup/…/ HTTP/1.1" 404'
    assert redact("/password/reset/MQ/c2x7-abc/") == "/password/reset/…/"
    assert redact("/password/reset/sent/") == "/password/reset/sent/"
    assert redact("/listening/?q=invite") == "/listening/?q=invite"


def test_the_audit_log_never_holds_a_token(alice_client, workspace):
    alice_client.post(reverse("invitation_create"), {"role": "viewer", "email": "e@example.com"})
    link = _shown_link(alice_client)
    token = link.rstrip("/").rsplit("/", 1)[1]
    Client().post(
        link,
        {"username": "eve", "password1": "a long unusual pass", "password2": "a long unusual pass"},
    )
    for entry in AuditEntry.objects.all():
        assert token not in f"{entry.target} {entry.changes}"
