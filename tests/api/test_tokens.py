"""Personal access tokens: stored hashed, shown once, revocable, expiring, last use
recorded at most once a minute, and rate-limited with 429 and Retry-After."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from harken.api import ratelimit
from harken.api.models import Token
from harken.api.tokens import do_create_token, do_revoke_token, find_token, touch
from harken.core.models import AuditEntry, Member
from tests.api.conftest import Api, token_for


def test_it_keeps_only_the_secrets_sha256(alice, workspace):
    member = Member.objects.get(user=alice)
    made = do_create_token(member, "CRM sync", ["mentions:read"])
    assert made.secret.startswith("hk_") and len(made.secret) >= 40
    stored = Token.objects.get(pk=made.token.pk)
    assert stored.digest == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in str(Token.objects.filter(pk=stored.pk).values().first())
    assert AuditEntry.objects.filter(action="api_token.create").exists()


def test_it_refuses_a_token_without_name_or_scope(alice, workspace):
    member = Member.objects.get(user=alice)
    with pytest.raises(ValidationError):
        do_create_token(member, "  ", ["mentions:read"])
    with pytest.raises(ValidationError):
        do_create_token(member, "x", [])
    with pytest.raises(ValidationError):
        do_create_token(member, "x", ["mentions:admin"])
    assert not Token.objects.exists()


def test_a_revoked_or_expired_token_is_refused(tokens, alice, workspace):
    api = tokens["owner"]
    assert api.get("/topics").status_code == 200
    token = find_token(api.secret)
    do_revoke_token(token, Member.objects.get(user=alice))
    refused = api.get("/topics")
    assert refused.status_code == 401
    assert refused.json() == {
        "code": "unauthenticated",
        "message": refused.json()["message"],
        "field": None,
    }
    assert refused["WWW-Authenticate"] == "Bearer"

    member = Member.objects.get(user=alice)
    made = do_create_token(member, "short", ["topics:read"], timezone.now() + timedelta(hours=1))
    Token.objects.filter(pk=made.token.pk).update(expires=timezone.now() - timedelta(seconds=1))
    assert Api(api.client, made.secret).get("/topics").status_code == 401


def test_no_token_or_a_wrong_one_is_401(client, tokens):
    assert client.get("/api/v1/topics").status_code == 401
    wrong = client.get("/api/v1/topics", headers={"Authorization": "Bearer hk_nope"})
    assert wrong.status_code == 401 and wrong.json()["code"] == "unauthenticated"


def test_only_its_member_or_an_owner_revokes_a_token(workspace, alice, bob, victor):
    bobs = token_for(bob, workspace)
    token = find_token(bobs.secret)
    with pytest.raises(Exception, match="Only its member or an owner"):
        do_revoke_token(token, Member.objects.get(user=victor))
    do_revoke_token(token, Member.objects.get(user=alice))
    assert find_token(bobs.secret) is None


def test_last_use_is_written_at_most_once_a_minute(tokens):
    api = tokens["viewer"]
    api.get("/topics")
    first = Token.objects.get(digest=find_token(api.secret).digest).last_used
    assert first is not None
    api.get("/topics")
    assert (
        Token.objects.get(last_used__isnull=False, pk=find_token(api.secret).pk).last_used == first
    )
    token = find_token(api.secret)
    later = first + timedelta(seconds=61)
    touch(token, later)
    assert Token.objects.get(pk=token.pk).last_used == later


def test_a_token_over_its_rate_gets_429_with_retry_after(tokens, settings):
    settings.HARKEN_API_RATE_PER_MINUTE = 3
    api = tokens["viewer"]
    codes = [api.get("/topics").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api.get("/topics")
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert tokens["owner"].get("/topics").status_code == 200


def test_the_allowance_starts_again_each_minute(tokens, settings):
    settings.HARKEN_API_RATE_PER_MINUTE = 1
    token = find_token(tokens["viewer"].secret)
    now = timezone.now().replace(second=5)
    assert ratelimit.spend(token.pk, now) == 0
    assert ratelimit.spend(token.pk, now) > 0
    from harken.core.models import Throttle

    Throttle.objects.update(blocked_until=None)  # the minute has passed
    assert ratelimit.spend(token.pk, now + timedelta(minutes=1)) == 0


def test_another_workspaces_token_cannot_be_revoked(alice_client, charlie, other_workspace):
    charlies = token_for(charlie, other_workspace)
    response = alice_client.post(reverse("api_token_revoke", args=[find_token(charlies.secret).pk]))
    assert response.status_code == 404
    assert find_token(charlies.secret) is not None
