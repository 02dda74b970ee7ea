"""Guessing is slowed down: logins per account and per address, setup and invitation links.

The limiter is ``harken.core.throttle`` (a table, shared by every process): a few free
failures, then a delay that doubles, capped, so the real person always gets in again.
"""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from harken.core import throttle
from harken.core.models import Throttle

LOGIN = reverse("login")
PASSWORD = "correct horse battery"


def _later(seconds: float):
    """The clock, ``seconds`` from now, for the throttle and everything else."""
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=seconds)
    )


def test_sixty_wrong_passwords_in_thirty_seconds_are_not_all_answered(alice):
    client = Client()
    started = time.monotonic()
    codes = [
        client.post(LOGIN, {"username": "alice", "password": f"guess {n}"}).status_code
        for n in range(60)
    ]
    assert time.monotonic() - started < 30
    assert codes[:5] == [200] * 5  # wrong passwords, answered as such
    refused = codes.count(429)
    assert refused >= 50, codes
    response = client.post(LOGIN, {"username": "alice", "password": "guess 61"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Too many failed attempts" in response.content.decode()


def test_while_blocked_even_the_right_password_is_not_checked(alice):
    client = Client()
    for n in range(7):
        client.post(LOGIN, {"username": "alice", "password": f"guess {n}"})
    response = client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_real_user_logs_in_after_the_cool_off(alice):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(60):
        attacker.post(LOGIN, {"username": "alice", "password": f"guess {n}"})
    wait = throttle.blocked_for(throttle.account_key("alice"))
    assert 0 < wait <= throttle.ACCOUNT.cap.total_seconds()
    user = Client(REMOTE_ADDR="198.51.100.7")
    with _later(wait + 1):
        response = user.post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    # A success forgets the account's failures: the next typo is an ordinary one.
    assert not Throttle.objects.filter(key=throttle.account_key("alice")).exists()


def test_the_longest_wait_is_capped(alice):
    key = throttle.account_key("alice")
    for _ in range(1000):
        throttle.record_failure(key, throttle.ACCOUNT)
    assert throttle.blocked_for(key) <= 15 * 60


def test_one_address_trying_many_accounts_is_slowed(db):
    client = Client(REMOTE_ADDR="203.0.113.10")
    codes = [
        client.post(LOGIN, {"username": f"user{n}", "password": "x"}).status_code for n in range(40)
    ]
    assert codes[:20] == [200] * 20
    assert 429 in codes[20:]
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="203.0.113.11")
        .post(LOGIN, {"username": "user0", "password": "x"})
        .status_code
        == 200
    )


def test_usernames_differing_in_case_share_one_allowance(alice):
    client = Client()
    for n in range(3):
        client.post(LOGIN, {"username": "alice", "password": f"g{n}"})
    for n in range(3):
        client.post(LOGIN, {"username": "ALICE", "password": f"g{n}"})
    assert throttle.blocked_for(throttle.account_key("Alice")) > 0


def test_guessing_setup_links_is_slowed(db):
    client = Client()
    codes = [client.get(f"/setup/guess-{n}/").status_code for n in range(20)]
    assert codes[:10] == [404] * 10
    assert codes[-1] == 429


def test_guessing_invitation_links_is_slowed(db):
    client = Client()
    codes = [client.get(f"/invite/guess-{n}/").status_code for n in range(20)]
    assert codes[:10] == [404] * 10
    assert codes[-1] == 429
    with _later(3600 + 1):
        assert client.get("/invite/guess-x/").status_code == 404


def test_the_throttle_stores_no_username(alice):
    Client().post(LOGIN, {"username": "my-secret-password", "password": "x"})
    assert Throttle.objects.exists()
    assert not Throttle.objects.filter(key__contains="secret").exists()
