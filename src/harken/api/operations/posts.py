"""Posts and their variants: list and read (every member), compose and submit (authors:
responders up, as the composer), approve and send back (approvers, as the approvals
page). Each change goes through ``harken.publishing``' own functions, which run the
variant state machine and the guidelines gate: a token never schedules what its member
could not, and a post whose author needs approval waits for an approver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.core.access import access_object, scoped
from harken.core.models import Role
from harken.publishing.approvals import actions as approvals
from harken.publishing.compose.saving import Composed, do_compose
from harken.publishing.compose.views import AUTHOR, publishable
from harken.publishing.models import Category, Post, Stage, Variant

RESOURCE = "posts"
MAX_LIMIT = 100


@dataclass(frozen=True)
class Page:
    items: list[Post]
    next_before: int | None


def _rows(caller: Caller) -> QuerySet[Post]:
    variants = Variant.objects.select_related("account").order_by("pk")
    return scoped(caller.request, Post).prefetch_related(Prefetch("variants", variants))


def list_posts(caller: Caller, before: int | None = None, limit: int = 25) -> Page:
    """Posts newest first; ``before`` is the last id of the previous page."""
    caller.needs(RESOURCE)
    limit = max(1, min(limit, MAX_LIMIT))
    rows = _rows(caller).order_by("-pk")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, items[-1].pk if more and items else None)


def get_post(caller: Caller, pk: int) -> Post:
    caller.needs(RESOURCE)
    access_object(caller.request, Post, pk)
    return _rows(caller).get(pk=pk)


def compose(caller: Caller, values: dict[str, Any], *, schedule: bool) -> Post:
    """A new post with one variant per account; with ``schedule`` it is scheduled at
    ``at``, or sent for approval when the member's posts need it."""
    caller.needs(RESOURCE, write=True, role=AUTHOR)
    usable = {a.pk: a for a in publishable(caller.request)}
    ids = list(dict.fromkeys(values["accounts"]))
    unknown = [pk for pk in ids if pk not in usable]
    if unknown:
        raise ApiError(
            400, "invalid", f"No account of this workspace can publish as {unknown[0]}.", "accounts"
        )
    _check_choice("category", values["category"], Category.values)
    _check_choice("stage", values["stage"], Stage.values)
    at: datetime | None = values.get("at")
    if at is not None and at.tzinfo is None:
        raise ApiError(400, "invalid", "Give the time with its offset (…Z or +02:00).", "at")
    texts = {int(k): v for k, v in (values.get("texts") or {}).items() if int(k) in usable}
    composed = Composed(
        text=values["text"],
        persona=values.get("persona", ""),
        stage=values["stage"],
        category=values["category"],
        sponsored=values.get("sponsored", False),
        at=at,
        accounts=[usable[pk] for pk in ids],
        texts=texts,
    )
    post = do_compose(composed, caller.member, schedule=schedule)
    return get_post(caller, post.pk)


def _check_choice(field: str, value: str, choices: list[str]) -> None:
    if value not in choices:
        raise ApiError(400, "invalid", f"A {field} is one of: {', '.join(choices)}.", field)


def submit(caller: Caller, pk: int) -> Post:
    """Send the post's drafts on: scheduled, or awaiting approval (by authority)."""
    caller.needs(RESOURCE, write=True, role=AUTHOR)
    post = access_object(caller.request, Post, pk)
    approvals.do_submit(post, caller.member)
    return get_post(caller, pk)


def approve(caller: Caller, pk: int, comment: str = "") -> Post:
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    post = access_object(caller.request, Post, pk)
    approvals.do_approve(post, caller.member, comment)
    return get_post(caller, pk)


def send_back(caller: Caller, pk: int, comment: str) -> Post:
    caller.needs(RESOURCE, write=True, role=Role.MANAGER)
    post = access_object(caller.request, Post, pk)
    approvals.do_send_back(post, caller.member, comment)
    return get_post(caller, pk)
