"""Workspace isolation: a member of one workspace never reads or writes another's rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.core.models import Invitation, Member, Role


def test_a_member_lands_in_their_own_workspace(alice_client, workspace, other_workspace):
    response = alice_client.get(reverse("settings"))
    assert response.status_code == 200
    assert workspace.name in response.content.decode()
    assert other_workspace.name not in response.content.decode()


def test_it_refuses_to_switch_to_a_workspace_you_dont_belong_to(alice_client, charlie):
    other = Member.objects.get(user=charlie).workspace
    response = alice_client.post(reverse("workspace_switch"), {"workspace": other.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("route", ["member_role", "member_remove"])
def test_it_refuses_another_workspaces_member(alice_client, charlie, route):
    charlies_membership = Member.objects.get(user=charlie)
    response = alice_client.post(reverse(route, args=[charlies_membership.pk]), {"role": "viewer"})
    assert response.status_code == 404
    charlies_membership.refresh_from_db()
    assert charlies_membership.role == Role.OWNER


def test_it_refuses_another_workspaces_invitation(alice_client, charlie, other_workspace):
    invitation = Invitation.objects.create(
        workspace=other_workspace,
        role="viewer",
        token_hash="x" * 64,
        expires=Invitation.default_expiry(),
    )
    response = alice_client.post(reverse("invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert not invitation.revoked


def test_every_route_with_a_primary_key_has_an_isolation_test():
    """Each view that takes a row's pk is named in a test file that expects a 404 for it."""
    from pathlib import Path

    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield p.name, prefix + str(p.pattern)

    tests = [f.read_text() for f in Path(__file__).parents[1].rglob("test_*.py")]
    isolation_tests = [t for t in tests if "404" in t]
    uncovered = [
        name
        for name, route in walk(get_resolver().url_patterns)
        if "<int:pk>" in route
        and not any(f'"{name}"' in t or f':{name}"' in t for t in isolation_tests)
    ]
    assert uncovered == []
