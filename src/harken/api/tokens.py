"""Creating, finding and revoking personal access tokens.

A token is ``hk_`` and 43 URL-safe characters (256 random bits): recognisable in a leaked
file or a secret scanner, and too long to guess, so a plain SHA-256 of it is a safe
digest to keep (what a password needs, a slow hash, buys nothing here).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from harken.api.models import ALL_SCOPES, Token
from harken.core.actions import audit
from harken.core.models import Member

PREFIX = "hk_"
#: The last use is written at most this often: one write a minute, not one a request.
TOUCH_EVERY = timedelta(minutes=1)
#: At most this many live tokens per member (a leak is easier to find among few).
MAX_PER_MEMBER = 50


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: Token
    #: The secret, shown once: Harken cannot show it again.
    secret: str


def do_create_token(
    member: Member,
    name: str,
    scopes: list[str],
    expires: datetime | None = None,
) -> NewToken:
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ValidationError("Give the token a name, such as the tool that will use it.")
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ValidationError(f"Unknown scope: {', '.join(unknown)}.")
    if not scopes:
        raise ValidationError("Choose at least one scope.")
    if expires is not None and expires <= timezone.now():
        raise ValidationError("Choose an expiry in the future.")
    live = Token.objects.filter(member=member, revoked__isnull=True).count()
    if live >= MAX_PER_MEMBER:
        raise ValidationError(f"Revoke a token first: a member keeps at most {MAX_PER_MEMBER}.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = Token.objects.create(
        workspace=member.workspace,
        member=member,
        name=name,
        prefix=secret[:10],
        digest=digest_of(secret),
        scopes=[s for s in ALL_SCOPES if s in set(scopes)],
        expires=expires,
    )
    audit(member.workspace, member.user, "api_token.create", token, scopes=token.scopes)
    return NewToken(token, secret)


def do_revoke_token(token: Token, actor: Member) -> None:
    """Revoke ``token``: its member may, and so may an owner of its workspace."""
    if token.workspace_id != actor.workspace_id:
        raise PermissionDenied("That token belongs to another workspace.")
    if token.member_id != actor.pk and not actor.can("owner"):
        raise PermissionDenied("Only its member or an owner can revoke this token.")
    if token.revoked is None:
        Token.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=timezone.now())
        audit(token.workspace, actor.user, "api_token.revoke", token)


def find_token(secret: str, now: datetime | None = None) -> Token | None:
    """The live token whose secret this is (not revoked, not expired), with its member."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = now or timezone.now()
    return (
        Token.objects.select_related("member__user", "member__workspace")
        .filter(digest=digest_of(secret), revoked__isnull=True)
        .filter(Q(expires__isnull=True) | Q(expires__gt=now))
        .first()
    )


def touch(token: Token, now: datetime | None = None) -> None:
    """Record a use, at most once a minute (a conditional UPDATE: concurrent requests
    write it once)."""
    now = now or timezone.now()
    if token.last_used is not None and now - token.last_used < TOUCH_EVERY:
        return
    stale = Q(last_used__isnull=True) | Q(last_used__lt=now - TOUCH_EVERY)
    Token.objects.filter(stale, pk=token.pk).update(last_used=now)
    token.last_used = now


def live_tokens(member: Member) -> Any:
    return Token.objects.filter(member=member).order_by("-created", "-id")
