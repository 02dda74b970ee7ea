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
