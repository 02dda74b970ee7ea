"""Members, roles and invitations, as an owner, a responder and an outsider see them."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harken.core.models import AuditEntry, Invitation, Member, Role


def invitation_link(client, role="responder", email=""):
    client.post(reverse("invitation_create"), {"role": role, "email": email})
    page = client.get(reverse("member_list")).content.decode()
    return html.unescape(re.search(r'id="invitation-link" value="([^"]+)"', page)[1])


def test_an_owner_invites_a_new_responder_by_link(alice_client, workspace):
    link = invitation_link(alice_client, role="responder")
    newcomer = Client()
    response = newcomer.post(
        link,
        {
            "username": "dana",
            "password1": "a long unusual pass",
            "password2": "a long unusual pass",
        },
    )
    assert response.status_code == 302
    dana = Member.objects.get(user__username="dana")
    assert (dana.workspace, dana.role) == (workspace, Role.RESPONDER)
    assert AuditEntry.objects.filter(workspace=workspace, action="invitation.accept").exists()


def test_an_invitation_link_works_once(alice_client, bob):
    link = invitation_link(alice_client)
    other = Client()
    other.force_login(bob)
    assert other.post(link).status_code == 302
    assert Client().get(link).status_code == 404


def test_only_the_tokens_hash_is_stored(alice_client):
    link = invitation_link(alice_client)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_an_expired_invitation_is_refused(alice_client):
    link = invitation_link(alice_client)
    Invitation.objects.update(expires=timezone.now() - timedelta(minutes=1))
    assert Client().get(link).status_code == 404


def test_a_responder_cannot_invite_or_change_roles(bob_client, alice, workspace):
    assert bob_client.post(reverse("invitation_create"), {"role": "owner"}).status_code == 403
    alices = Member.objects.get(user=alice)
    assert (
        bob_client.post(reverse("member_role", args=[alices.pk]), {"role": "viewer"}).status_code
        == 403
    )
    alices.refresh_from_db()
    assert alices.role == Role.OWNER
    assert not Invitation.objects.exists()


def test_a_manager_cannot_invite_an_owner(workspace, alice):
    manager = get_user_model().objects.create_user("mia", password="x")
    Member.objects.create(workspace=workspace, user=manager, role=Role.MANAGER)
    client = Client()
    client.force_login(manager)
    client.post(reverse("invitation_create"), {"role": "owner"})
    assert not Invitation.objects.exists()


def test_the_last_owner_cannot_be_demoted(alice_client, alice, bob, workspace):
    # Alice makes Bob an owner, then Bob cannot be the reason there is no owner left.
    bobs = Member.objects.get(user=bob)
    alice_client.post(reverse("member_role", args=[bobs.pk]), {"role": "owner"})
    bobs.refresh_from_db()
    assert bobs.role == Role.OWNER
    alice_client.post(reverse("member_remove", args=[bobs.pk]))
    assert not Member.objects.filter(pk=bobs.pk).exists()
    alices = Member.objects.get(user=alice)
    assert alices.role == Role.OWNER  # she is the last owner; nobody can remove her
    assert Member.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1


def test_role_changes_are_audited(alice_client, bob, workspace):
    bobs = Member.objects.get(user=bob)
    alice_client.post(reverse("member_role", args=[bobs.pk]), {"role": "manager"})
    entry = AuditEntry.objects.get(workspace=workspace, action="member.role")
    assert entry.changes == {"role": ["responder", "manager"]}
    assert "bob" in alice_client.get(reverse("audit_log")).content.decode()


def test_a_viewer_sees_members_but_no_controls(victor, workspace):
    client = Client()
    client.force_login(victor)
    page = client.get(reverse("member_list")).content.decode()
    assert "victor" in page
    assert "Create invitation link" not in page
