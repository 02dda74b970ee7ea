"""`harken demo`: a labelled sample workspace every capability adds to."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from harken.core.demo import SAMPLE_NAME
from harken.core.models import Member, Role, Workspace


def test_demo_creates_a_sample_workspace_that_owners_can_open(alice, alice_client):
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    out = StringIO()
    call_command("demo", stdout=out)
    sample = Workspace.objects.get(name=SAMPLE_NAME)
    assert sample.is_sample
    assert Member.objects.get(workspace=sample, user=alice).role == Role.OWNER
    alice_client.post(reverse("workspace_switch"), {"workspace": sample.pk})
    page = alice_client.get(reverse("inbox")).content.decode()
    assert "Sample data." in page
    assert "is ready" in out.getvalue()


def test_running_demo_again_refreshes_instead_of_duplicating(alice):
    call_command("demo", owner=["alice"], stdout=StringIO())
    call_command("demo", owner=["alice"], stdout=StringIO())
    assert Workspace.objects.filter(name=SAMPLE_NAME).count() == 1


def test_demo_never_touches_a_real_workspace(workspace, alice):
    call_command("demo", owner=["alice"], stdout=StringIO())
    assert Workspace.objects.filter(pk=workspace.pk, is_sample=False).exists()


def test_demo_names_an_unknown_owner(db):
    with pytest.raises(CommandError, match="No user named zed"):
        call_command("demo", owner=["zed"], stdout=StringIO())


def test_createowner_joins_the_sample_workspace(db, monkeypatch):
    call_command("demo", stdout=StringIO())
    monkeypatch.setenv("HARKEN_OWNER_PASSWORD", "a long unusual pass")
    call_command("createowner", username="olga", password_from_env=True, stdout=StringIO())
    sample = Workspace.objects.get(name=SAMPLE_NAME)
    assert Member.objects.filter(workspace=sample, user__username="olga", role=Role.OWNER).exists()


def test_createowner_refuses_a_weak_password_and_creates_nothing(db, monkeypatch):
    from django.contrib.auth import get_user_model

    monkeypatch.setenv("HARKEN_OWNER_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("createowner", username="olga", password_from_env=True, stdout=StringIO())
    assert not get_user_model().objects.exists()


# --- running it again: what people added is never lost without asking -------------------


def _sample():
    return Workspace.objects.get(name=SAMPLE_NAME)


def _add_people_changes(alice):
    """What a newcomer does in the sample: invite someone who joins, add a topic."""
    from django.contrib.auth import get_user_model

    from harken.core.actions import do_accept_invitation, do_invite
    from harken.core.models import Invitation
    from harken.listening.topics import do_create_topic

    sample = _sample()
    owner = Member.objects.get(workspace=sample, user=alice)
    do_invite(sample, owner, "responder", "dana@example.com")
    dana = get_user_model().objects.create_user("dana", password="a long unusual pass")
    do_accept_invitation(Invitation.objects.get(workspace=sample), dana)
    do_create_topic(sample, alice, name="Our new line", kind="brand", query="moonstone")


def _is_kept(alice):
    from harken.listening.models import Topic

    sample = _sample()
    return (
        Member.objects.filter(workspace=sample, user__username="dana").exists()
        and Topic.objects.filter(workspace=sample, name="Our new line").exists()
    )


def test_a_rerun_without_a_terminal_keeps_peoples_changes_and_says_so(alice):
    call_command("demo", owner=["alice"], stdout=StringIO())
    _add_people_changes(alice)
    out = StringIO()
    with pytest.raises(CommandError, match="harken demo --reset"):
        call_command("demo", owner=["alice"], stdout=out)
    assert _is_kept(alice)
    assert "dana joined as responder" in out.getvalue()
    assert "topic create Our new line" in out.getvalue()


def test_reset_replaces_the_sample_even_with_changes(alice):
    call_command("demo", owner=["alice"], stdout=StringIO())
    _add_people_changes(alice)
    call_command("demo", owner=["alice"], reset=True, stdout=StringIO())
    assert not _is_kept(alice)
    assert Workspace.objects.filter(name=SAMPLE_NAME).count() == 1


@pytest.mark.parametrize(("answer", "kept"), [("n", True), ("", True), ("y", False)])
def test_at_a_terminal_it_asks_first(alice, monkeypatch, answer, kept):
    call_command("demo", owner=["alice"], stdout=StringIO())
    _add_people_changes(alice)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or answer)
    call_command("demo", owner=["alice"], stdout=StringIO())
    assert asked and "lose these changes" in asked[0]
    assert _is_kept(alice) is kept


def test_no_input_never_asks(alice, monkeypatch):
    call_command("demo", owner=["alice"], stdout=StringIO())
    _add_people_changes(alice)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))
    with pytest.raises(CommandError):
        call_command("demo", owner=["alice"], interactive=False, stdout=StringIO())
    assert _is_kept(alice)


def test_an_untouched_sample_is_refreshed_without_asking(alice, monkeypatch):
    call_command("demo", owner=["alice"], stdout=StringIO())
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))
    first = _sample().pk
    call_command("demo", owner=["alice"], stdout=StringIO())
    assert _sample().pk != first
