"""The approvals queue and the post page.

Thin views: rows come through ``harken.core.access`` (another workspace's post is a 404),
roles are checked on the server in ``actions``, and a refused form comes back to the page
it was sent from (``harken.core.refused``), so every form of the post page posts to the
page itself with a ``do`` field naming what to do (``approve``, ``retry-12`` …).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from harken.core.access import (
    WorkspaceRequest,
    access_object,
    check_role,
    scoped,
    workspace_view,
)
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.networks.registry import network_label
from harken.publishing.approvals import actions, review
from harken.publishing.approvals.forms import (
    ActionForm,
    ApproveForm,
    CommentForm,
    OverrideForm,
    SendBackForm,
    ShareForm,
)
from harken.publishing.approvals.preview import Preview, preview
from harken.publishing.calendar.views import publishing_tabs
from harken.publishing.compose.views import AUTHOR
from harken.publishing.demo import DEMO_NOTE
from harken.publishing.gate import findings_for
from harken.publishing.guidelines import Finding
from harken.publishing.models import ApprovalComment, Post, ReviewLink, Variant
from harken.publishing.states import EDITABLE, IllegalTransition, State
from harken.publishing.validation import CannotSchedule

#: States in which the gate's findings still matter (nothing is scheduled yet).
UNDECIDED = (State.DRAFT, State.AWAITING_APPROVAL, State.FAILED)
#: The queue's views: label, the variants' state, and which posts of it (a post sent
#: back is a draft that an approver or a client returned with a comment).
QUEUE_VIEWS: dict[str, tuple[str, State, Q]] = {
    "awaiting": ("Awaiting approval", State.AWAITING_APPROVAL, Q()),
    "sent_back": ("Sent back", State.DRAFT, Q(comments__decision="sent_back")),
    "failed": ("Failed", State.FAILED, Q()),
}
SHOWN_LINK = "approvals_review_link"


def awaiting_count(workspace: Any) -> int:
    """Posts with a variant awaiting approval (the sub-navigation's count)."""
    return (
        Post.objects.filter(workspace=workspace, variants__state=State.AWAITING_APPROVAL)
        .distinct()
        .count()
    )


def _in_view(posts: QuerySet[Post], state: State, which: Q) -> QuerySet[Post]:
    return posts.filter(pk__in=posts.filter(which, variants__state=state).values("pk"))


def _queue_rows(posts: QuerySet[Post], state: State, which: Q) -> list[Post]:
    rows: list[Post] = list(
        _in_view(posts, state, which)
        .annotate(
            waiting=Count("variants", filter=Q(variants__state=state), distinct=True),
            first_at=Min("variants__scheduled_at", filter=Q(variants__state=state)),
            last_at=Max("variants__scheduled_at", filter=Q(variants__state=state)),
        )
        .select_related("author__user")
        .order_by("first_at", "pk")[:200]
    )
    variants = (
        Variant.objects.filter(post__in=rows, state=state).select_related("account").order_by("pk")
    )
    by_post: dict[int, list[Variant]] = {}
    for variant in variants:
        variant.network_label = network_label(variant.account.network)  # type: ignore[attr-defined]
        by_post.setdefault(variant.post_id, []).append(variant)
    for row in rows:
        row.shown = by_post.get(row.pk, [])  # type: ignore[attr-defined]
    return rows


@workspace_view()
def queue(request: WorkspaceRequest) -> HttpResponse:
    current = request.GET.get("view", "awaiting")
    current = current if current in QUEUE_VIEWS else "awaiting"
    posts = scoped(request, Post)
    counts = {
        key: _in_view(posts, state, which).count() for key, (_, state, which) in QUEUE_VIEWS.items()
    }
    tabs = [
        {"key": key, "label": label, "count": counts[key], "url": f"?view={key}"}
        for key, (label, _, _) in QUEUE_VIEWS.items()
    ]
    label, state, which = QUEUE_VIEWS[current]
    return render(
        request,
        "publishing/approvals/queue.html",
        {
            "section": "calendar",
            "title": label,
            "tabs": tabs,
            "current": current,
            "rows": _queue_rows(posts, state, which),
            "awaiting_total": counts["awaiting"],
            "publishing_tabs": publishing_tabs("Approvals"),
            "may_approve": actions.may_approve(request.member),
        },
    )


# --- the post page -------------------------------------------------------------------------


@dataclass
class Row:
    """One variant as the post page shows it, with its own forms."""

    variant: Variant
    network: str
    preview: Preview
    findings: list[Finding] = field(default_factory=list)
    overridden: list[str] = field(default_factory=list)
    comments: list[ApprovalComment] = field(default_factory=list)
    comment_form: forms.Form | None = None
    override_form: forms.Form | None = None
    retry_form: forms.Form | None = None


def _findings(variant: Variant) -> list[Finding]:
    if variant.state not in UNDECIDED or variant.scheduled_at is None:
        return []
    return findings_for(variant, variant.scheduled_at)


def _rows(request: WorkspaceRequest, post: Post, comments: list[ApprovalComment]) -> list[Row]:
    rows = []
    variants = post.variants.select_related("account", "post", "workspace").order_by("pk")  # type: ignore[attr-defined]
    for variant in variants:
        found = _findings(variant)
        row = Row(
            variant,
            network_label(variant.account.network),
            preview(variant),
            found,
            list(variant.overrides or []),
            [c for c in comments if c.variant_id == variant.pk],
        )
        row.comment_form = bind(request, CommentForm, prefix=f"comment-{variant.pk}")
        if found:
            rules = [(f.rule, f.why) for f in found]
            row.override_form = bind(
                request, OverrideForm, prefix=f"override-{variant.pk}", rules=rules
            )
        if variant.state == State.FAILED:
            row.retry_form = bind(request, ActionForm, prefix=f"retry-{variant.pk}")
        rows.append(row)
    return rows


def _context(request: WorkspaceRequest, post: Post) -> dict[str, Any]:
    member = request.member
    comments = list(
        ApprovalComment.objects.filter(post=post)
        .select_related("author__user")
        .order_by("created", "pk")
    )
    rows = _rows(request, post, comments)
    states = {row.variant.state for row in rows}
    now = timezone.now()
    late = [
        r.variant
        for r in rows
        if r.variant.state == State.AWAITING_APPROVAL
        and r.variant.scheduled_at is not None
        and r.variant.scheduled_at < now
    ]
    may_approve = actions.may_approve(member)
    links = (
        list(ReviewLink.objects.filter(post=post).order_by("-created")[:10]) if may_approve else []
    )
    return {
        "section": "calendar",
        "title": f"Post {post.pk}",
        "post": post,
        "rows": rows,
        "comments": [c for c in comments if c.variant_id is None],
        "State": State,
        "awaiting": State.AWAITING_APPROVAL in states,
        "late": late,
        "has_drafts": State.DRAFT in states,
        # Nothing of it has gone out: the composer may change it (and it is approved again).
        "editable": bool(states) and states <= set(EDITABLE),
        "may_approve": may_approve,
        "may_write": member.can(Role.RESPONDER),
        "needs_approval": actions.needs_approval(member),
        "links": links,
        "shown_link": request.session.pop(SHOWN_LINK, None) if request.method == "GET" else None,
        "submit_form": bind(request, ActionForm, prefix="submit"),
        "approve_form": bind(request, ApproveForm, prefix="approve"),
        "send_back_form": bind(request, SendBackForm, prefix="send_back"),
        "comment_form": bind(request, CommentForm, prefix="comment"),
        "share_form": bind(request, ShareForm, prefix="share"),
        "revoke_form": bind(request, ActionForm, prefix="revoke"),
        "awaiting_total": awaiting_count(request.workspace),
        "publishing_tabs": publishing_tabs("Approvals"),
        "demo_note": DEMO_NOTE,
    }


def access_post(request: WorkspaceRequest, pk: int) -> Post:
    return access_object(request, Post, pk)


@workspace_view()
def post_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    post = access_post(request, pk)
    if request.method == "POST":
        return _act(request, post)
    return render(request, "publishing/approvals/post.html", _context(request, post))


def _variant(post: Post, raw: str) -> Variant | None:
    if not raw.isdigit():
        return None
    return (
        Variant.objects.filter(post=post, pk=int(raw))
        .select_related("account", "post", "workspace")
        .first()
    )


def _act(request: WorkspaceRequest, post: Post) -> HttpResponse:
    """Run what the ``do`` field names; a refusal goes back to its form on the page."""
    do, _, target = request.POST.get("do", "").partition("-")
    variant = _variant(post, target) if target else None
    if target and variant is None:
        flash.error(request, "That variant is not part of this post any more.")
        return redirect("approvals_post", pk=post.pk)
    prefix = f"{do}-{target}" if target else do
    handler = HANDLERS.get(do)
    if handler is None or (do in PER_VARIANT and variant is None):
        flash.error(request, "Choose what to do with the post.")
        return redirect("approvals_post", pk=post.pk)
    form, call, done = handler(request, post, variant, prefix)
    if not form.is_valid():
        return refused(request, form)
    try:
        call(form.cleaned_data)
    except (ValidationError, PermissionDenied, CannotSchedule, IllegalTransition) as error:
        form.add_error(None, _words(error))
        return refused(request, form)
    if done:
        flash.success(request, done)
    return redirect("approvals_post", pk=post.pk)


def _words(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, CannotSchedule):
        return "It cannot be scheduled yet: " + " ".join(p.message for p in error.problems)
    return str(error) or "You cannot do that."


Handler = tuple[forms.Form, Any, str]


def _submit(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    # Whoever may write in the composer (a responder or above, any member's draft, as
    # the composer lets them) may send a draft on: refused here before any form is read.
    member = check_role(request, AUTHOR)
    done = (
        "Sent for approval; the approvers are told."
        if actions.needs_approval(member)
        else "Scheduled."
    )
    return bind(request, ActionForm, prefix=prefix), lambda _: actions.do_submit(post, member), done


def _approve(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    form = bind(request, ApproveForm, prefix=prefix)
    return (
        form,
        lambda data: actions.do_approve(post, request.member, data["comment"]),
        "Approved: it is scheduled, and the author is told.",
    )


def _send_back(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    form = bind(request, SendBackForm, prefix=prefix)
    return (
        form,
        lambda data: actions.do_send_back(post, request.member, data["comment"]),
        "Sent back to the author with your comment.",
    )


def _comment(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    form = bind(request, CommentForm, prefix=prefix)
    return form, lambda data: actions.do_comment(post, request.member, data["text"], variant), ""


def _override(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    rules = [(f.rule, f.why) for f in _findings(variant)] if variant else []
    form = bind(request, OverrideForm, prefix=prefix, rules=rules)
    return (
        form,
        lambda data: actions.do_override(variant, request.member, data["rule"], data["reason"]),
        "Guideline overridden; the audit log keeps your reason.",
    )


def _retry(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    form = bind(request, ActionForm, prefix=prefix)
    return (
        form,
        lambda _: actions.do_retry_variant(variant, request.member),
        "Queued again: it goes out at the next tick.",
    )


def _share(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    form = bind(request, ShareForm, prefix=prefix)

    def share(data: dict[str, Any]) -> None:
        _, token = review.do_create_link(post, request.member, data["days"])
        request.session[SHOWN_LINK] = request.build_absolute_uri(
            reverse("publishing_review", args=[token])
        )

    return form, share, "Review link made. Copy it now: it is shown only once."


def _revoke(request: WorkspaceRequest, post: Post, variant: Any, prefix: str) -> Handler:
    form = bind(request, ActionForm, prefix=prefix)

    def revoke(_: dict[str, Any]) -> None:
        raw = request.POST.get("link", "")
        link = ReviewLink.objects.filter(post=post, pk=int(raw)).first() if raw.isdigit() else None
        if link is None:
            raise ValidationError("That link is not one of this post's.")
        review.do_revoke_link(link, request.member)

    return form, revoke, "Review link revoked: it opens nothing now."


PER_VARIANT = {"override", "retry"}
HANDLERS = {
    "submit": _submit,
    "approve": _approve,
    "send_back": _send_back,
    "comment": _comment,
    "override": _override,
    "retry": _retry,
    "share": _share,
    "revoke": _revoke,
}
