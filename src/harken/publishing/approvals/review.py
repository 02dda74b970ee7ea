"""Client review links: a signed, expiring, revocable way in to one post, without an account.

The token in the link is ``TimestampSigner(salt=SALT).sign_object({"p": post, "n": nonce})``:
the signature proves Harken made it (nobody can forge one for another post), the timestamp
caps its age whatever the database says, and the nonce's hash finds the ``ReviewLink`` row,
whose ``expires`` and ``revoked`` decide whether it is still open. A client's answer goes
through the same state machine as a manager's, audited with the name the client gave.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from harken.core.actions import audit
from harken.core.models import Member
from harken.publishing.approvals.actions import approve_for, check_approver, send_back_for
from harken.publishing.models import Post, ReviewLink, Variant

SALT = "harken.publishing.review"
#: The longest a link may live; the signature refuses anything older.
MAX_DAYS = 30
DEFAULT_DAYS = 7
NAME_MAX = 120


class LinkClosed(Exception):
    """The link cannot be used: ``reason`` is "invalid", "expired" or "revoked"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def do_create_link(post: Post, actor: Member, days: int = DEFAULT_DAYS) -> tuple[ReviewLink, str]:
    """A new link for ``post``, open for ``days`` days; returns the row and the token
    (shown once: only the nonce's hash is stored)."""
    check_approver(actor, "share a post for review")
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(f"A review link lasts from 1 to {MAX_DAYS} days.")
    nonce = secrets.token_urlsafe(24)
    link = ReviewLink.objects.create(
        workspace=post.workspace,
        post=post,
        nonce_hash=_hash(nonce),
        created_by=actor,
        expires=timezone.now() + timedelta(days=days),
    )
    token = signing.TimestampSigner(salt=SALT).sign_object({"p": post.pk, "n": nonce})
    audit(post.workspace, actor.user, "review_link.create", post, days=days, link=link.pk)
    return link, token


def do_revoke_link(link: ReviewLink, actor: Member) -> None:
    check_approver(actor, "revoke a review link")
    if link.revoked is None:
        link.revoked = timezone.now()
        link.save(update_fields=["revoked"])
        audit(link.workspace, actor.user, "review_link.revoke", link.post, link=link.pk)


def open_link(token: str) -> ReviewLink:
    """The open link ``token`` names, or ``LinkClosed`` saying why not."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=timedelta(days=MAX_DAYS)
        )
    except signing.SignatureExpired as error:
        raise LinkClosed("expired") from error
    except (signing.BadSignature, ValueError) as error:
        raise LinkClosed("invalid") from error
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        raise LinkClosed("invalid")
    if not isinstance(data.get("p"), int):
        raise LinkClosed("invalid")
    link = (
        ReviewLink.objects.select_related("post", "workspace")
        .filter(nonce_hash=_hash(data["n"]), post_id=data["p"])
        .first()
    )
    if link is None:
        raise LinkClosed("invalid")
    if link.revoked is not None:
        raise LinkClosed("revoked")
    if link.expires <= timezone.now():
        raise LinkClosed("expired")
    return link


def _client_name(name: str) -> str:
    name = " ".join((name or "").split())[:NAME_MAX]
    if not name:
        raise ValidationError("Give your name, so the team knows who answered.")
    return name


def do_client_approve(link: ReviewLink, name: str, comment: str = "") -> list[Variant]:
    """The client approves the post through ``link`` (audited with their name)."""
    client = _client_name(name)
    _check_open(link)
    approved = approve_for(link.post, None, client, comment)
    _answered(link, client)
    return approved


def do_client_request_changes(link: ReviewLink, name: str, comment: str) -> list[Variant]:
    """The client sends the post back to its author with what should change."""
    client = _client_name(name)
    _check_open(link)
    returned = send_back_for(link.post, None, client, comment)
    _answered(link, client)
    return returned


def _check_open(link: ReviewLink) -> None:
    link.refresh_from_db(fields=["revoked", "expires"])
    if not link.is_open:
        raise PermissionDenied("This review link is closed.")


def _answered(link: ReviewLink, client: str) -> None:
    link.answered, link.answered_by = timezone.now(), client
    link.save(update_fields=["answered", "answered_by"])
