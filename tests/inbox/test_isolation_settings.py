"""Another workspace's saved views, assignment rules and members are not found (404)
from the pages of service levels, assignment and saved views, and nothing changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.core.models import Member
from harken.inbox.models import AssignmentRule, SavedView

pytestmark = pytest.mark.django_db


def test_another_workspaces_rows_are_not_found(alice_client, other_workspace, charlie):
    view = SavedView.objects.create(
        workspace=other_workspace,
        owner=charlie,
        name="Theirs",
        shared=True,
        filters={"intent": "question"},
    )
    rule = AssignmentRule.objects.create(workspace=other_workspace, name="Theirs", assignee=charlie)
    outsider = Member.objects.get(user=charlie)
    posts = [
        reverse("inbox_view_delete", args=[view.pk]),
        reverse("inbox_rule_delete", args=[rule.pk]),
        reverse("inbox_availability", args=[outsider.pk]),
        reverse("inbox_rule_edit", args=[rule.pk]),
    ]
    for url in posts:
        assert alice_client.post(url, {"name": "Mine now", "position": 1}).status_code == 404, url
    assert alice_client.get(reverse("inbox_rule_edit", args=[rule.pk])).status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    rule.refresh_from_db()
    outsider.refresh_from_db()
    assert rule.name == "Theirs" and outsider.available
