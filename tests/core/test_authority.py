"""Authority per role is data the owner edits; the server enforces it."""

from __future__ import annotations

from django.urls import reverse

from harken.core.models import AuditEntry, Authority, Role


def test_defaults_apply_until_an_owner_changes_them(workspace):
    assert Authority.value_for(workspace, Role.RESPONDER, "refund_limit") == 50
    assert Authority.value_for(workspace, Role.RESPONDER, "posts_need_approval") is True


def test_an_owner_raises_a_responders_refund_limit(alice_client, workspace):
    form = {f"{role}.{key}": "" for role in Role.values for key in ["refund_limit"]}
    form.update({"owner.refund_limit": "1000000", "manager.refund_limit": "500"})
    form.update({"responder.refund_limit": "120", "viewer.refund_limit": "0"})
    form.update(
        {"owner.may_reply": "true", "manager.may_reply": "true", "responder.may_reply": "true"}
    )
    form.update({"responder.posts_need_approval": "true", "viewer.posts_need_approval": "true"})
    form.update({"owner.may_connect_accounts": "true", "manager.may_connect_accounts": "true"})
    response = alice_client.post(reverse("authority"), form)
    assert response.status_code == 302
    assert Authority.value_for(workspace, Role.RESPONDER, "refund_limit") == 120
    assert Authority.objects.filter(workspace=workspace).count() == 1
    entry = AuditEntry.objects.get(action="authority.set")
    assert entry.changes == {"value": [50, 120]}


def test_a_negative_amount_is_refused_and_changes_nothing(alice_client, workspace):
    alice_client.post(reverse("authority"), {"responder.refund_limit": "-5"})
    assert not Authority.objects.filter(workspace=workspace).exists()


def test_a_responder_cannot_change_authority(bob_client, workspace):
    response = bob_client.post(reverse("authority"), {"responder.refund_limit": "9999"})
    assert response.status_code == 403
    assert Authority.value_for(workspace, Role.RESPONDER, "refund_limit") == 50


def test_authority_is_kept_per_workspace(workspace, other_workspace):
    Authority.objects.create(
        workspace=other_workspace, role="responder", key="refund_limit", value=5
    )
    assert Authority.value_for(workspace, "responder", "refund_limit") == 50


def test_a_refused_table_saves_nothing_and_comes_back_by_get(alice_client, workspace):
    form = {
        "owner.refund_limit": "1000000",
        "manager.refund_limit": "900",  # a change, read before the bad value below
        "responder.refund_limit": "50",
        "viewer.refund_limit": "-5",
    }
    response = alice_client.post(reverse("authority"), form)
    assert (response.status_code, response["Location"]) == (302, reverse("authority"))
    assert not Authority.objects.filter(workspace=workspace).exists()  # not even the 900
    page = alice_client.get(reverse("authority")).content.decode()
    assert "whole number of zero or more" in page
