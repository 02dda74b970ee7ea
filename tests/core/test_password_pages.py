"""Changing a password, and resetting a forgotten one by email (the console in development)."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

NEW = "a brand new passphrase"


def test_a_member_changes_their_password(alice, alice_client):
    page = alice_client.get(reverse("password_change"))
    assert page.status_code == 200
    assert "Change your password" in page.content.decode()
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": "correct horse battery", "new_password1": NEW, "new_password2": NEW},
    )
    assert response["Location"] == reverse("password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(NEW)


def test_a_wrong_current_password_changes_nothing(alice, alice_client):
    response = alice_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("correct horse battery")


def test_the_password_page_needs_a_login(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_forgotten_password_is_reset_through_a_mailed_link(alice):
    client = Client()
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert "no longer works" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_reset_requests_are_throttled_per_address(alice):
    client = Client()
    codes = [
        client.post(reverse("password_reset"), {"email": "alice@example.com"}).status_code
        for _ in range(14)
    ]
    assert codes[:10] == [302] * 10
    assert codes[-1] == 429
    assert len(mail.outbox) <= 11
