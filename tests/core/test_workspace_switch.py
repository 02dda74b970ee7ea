"""POST /workspaces/switch/: only the user's own workspaces, only this site's pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from harken.core.models import Member, Role, Workspace


@pytest.fixture
def second(alice):
    workspace = Workspace.objects.create(name="Second Shop", slug="second-shop")
    Member.objects.create(workspace=workspace, user=alice, role=Role.OWNER)
    return workspace


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_switching_never_redirects_off_site(alice_client, second, target):
    response = alice_client.post(
        reverse("workspace_switch"), {"workspace": second.pk, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox")
    assert alice_client.session["workspace_id"] == second.pk


def test_switching_goes_back_to_the_page_it_came_from(alice_client, second):
    response = alice_client.post(
        reverse("workspace_switch"), {"workspace": second.pk, "next": "/listening/?q=ring"}
    )
    assert response["Location"] == "/listening/?q=ring"


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-1", "²", "9" * 40])
def test_a_workspace_that_is_not_a_number_is_a_bad_request(alice_client, value):
    response = alice_client.post(reverse("workspace_switch"), {"workspace": value})
    assert response.status_code == 400
    assert "Choose a workspace" in response.content.decode()
