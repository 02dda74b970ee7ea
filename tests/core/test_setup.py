"""The one-time setup link creates the first owner and workspace, then stops working."""

from __future__ import annotations

from django.test import Client

from harken.core.models import Member, Role
from harken.core.setup import setup_token

FORM = {
    "username": "olga",
    "email": "olga@example.com",
    "password1": "a long unusual pass",
    "password2": "a long unusual pass",
    "ws-name": "Olga's Bakery",
    "ws-time_zone": "Europe/Paris",
}


def test_the_setup_link_creates_the_first_owner_and_workspace(db):
    client = Client()
    response = client.post(f"/setup/{setup_token()}/", FORM)
    assert response.status_code == 302
    member = Member.objects.get(user__username="olga")
    assert (member.role, member.workspace.name) == (Role.OWNER, "Olga's Bakery")
    assert "Your inbox is empty" in client.get("/inbox/").content.decode()


def test_the_setup_link_stops_working_once_a_user_exists(alice):
    assert Client().get(f"/setup/{setup_token()}/").status_code == 404


def test_a_wrong_setup_token_is_refused(db):
    assert Client().get("/setup/not-the-token/").status_code == 404


def test_a_mismatched_password_creates_nothing(db):
    client = Client()
    url = f"/setup/{setup_token()}/"
    response = client.post(url, {**FORM, "password2": "other"})
    # Refused: back to the page by GET, so a reload never sends the passwords again.
    assert (response.status_code, response["Location"]) == (302, url)
    assert not Member.objects.exists()
    page = client.get(url).content.decode()
    assert "didn’t match" in page or "didn't match" in page
    assert 'value="olga"' in page and "Olga&#x27;s Bakery" in page
    assert "a long unusual pass" not in page
    assert "didn" not in client.get(url).content.decode()  # shown once: a reload is a fresh form
