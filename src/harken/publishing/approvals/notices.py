"""Telling people about approvals: the approvers when a post waits for them, the author
when it is approved or sent back. Delivery (e-mail, ntfy push where the member set it
up) is ``harken.core.notify``'s; each call here is one event, keyed by its time, so a
post submitted again after changes is told again."""

from __future__ import annotations

import secrets

from django.urls import reverse
from django.utils import timezone

from harken.core.models import Member, Role
from harken.core.notify import notify, register_kind
from harken.publishing.models import Post

AWAITING = register_kind("post_awaiting_approval", "A post awaits my approval", 4).key
DECIDED = register_kind("post_decided", "My post is approved or sent back", 3).key


def _event(post: Post, what: str) -> str:
    # Each submission or decision is its own event, however close in time to the last.
    return f"publishing.post:{post.pk}:{what}:{timezone.now():%Y%m%dT%H%M%S}:{secrets.token_hex(4)}"


def _preview(post: Post) -> str:
    first = post.variants.order_by("pk").first()  # type: ignore[attr-defined]
    text = first.text if first is not None else ""
    return text if len(text) <= 280 else text[:279] + "…"


def approvers(post: Post) -> list[Member]:
    return list(
        Member.objects.filter(workspace_id=post.workspace_id, role__in=[Role.OWNER, Role.MANAGER])
        .select_related("user", "workspace")
        .order_by("pk")
    )


def awaiting(post: Post, author: Member | None) -> int:
    """Tell every approver (but the author) that ``post`` awaits approval."""
    who = author.user.get_username() if author is not None else "Someone"
    url = reverse("approvals_post", args=[post.pk])
    key = _event(post, "awaiting")
    told = 0
    for member in approvers(post):
        if author is not None and member.pk == author.pk:
            continue
        if notify(
            member,
            AWAITING,
            f"{who} asks you to approve a post",
            f"{_preview(post)}\n\nApprove it or send it back with a comment.",
            url,
            about=key,
        ):
            told += 1
    return told


def decided(post: Post, *, approved: bool, by: str, comment: str) -> bool:
    """Tell the post's author that ``by`` approved it or sent it back."""
    author = post.author
    if author is None:
        return False
    if approved:
        subject = f"{by} approved your post"
        body = "It is scheduled and goes out at its time."
    else:
        subject = f"{by} sent your post back"
        body = "Change it and submit it again."
    if comment:
        body = f"“{comment}”\n\n{body}"
    url = reverse("approvals_post", args=[post.pk])
    made = notify(
        author, DECIDED, subject, f"{_preview(post)}\n\n{body}", url, about=_event(post, "decided")
    )
    return made is not None
