"""The client's review page: no login, no workspace navigation, one post, read-only but
for "Approve" and "Request changes". CSRF protects its form like every other (the
cookie is set on the GET); the link's token is the only key, and it is checked on every
request, so a link revoked while the page is open refuses the answer."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie

from harken.core.refused import bind, refused
from harken.networks.registry import network_label
from harken.publishing.approvals import review
from harken.publishing.approvals.forms import ClientAnswerForm
from harken.publishing.approvals.preview import preview
from harken.publishing.models import Media, ReviewLink
from harken.publishing.states import IllegalTransition, State
from harken.publishing.validation import CannotSchedule

CLOSED = {
    "expired": (
        "This review link has expired",
        "Review links last a few days. Ask the team that sent it for a new one.",
    ),
    "revoked": (
        "This review link was withdrawn",
        "The team that sent it closed it. Ask them for a new one if you still need to review.",
    ),
    "invalid": (
        "This review link does not work",
        "Check that the whole address was copied, or ask the team that sent it for a new one.",
    ),
}
STATUS = {"expired": 410, "revoked": 410, "invalid": 404}


def _private(response: HttpResponse) -> HttpResponse:
    """The page is for the link's holder only: not cached, not indexed."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _closed(request: HttpRequest, reason: str) -> HttpResponse:
    title, advice = CLOSED[reason]
    response = render(
        request,
        "publishing/approvals/review_closed.html",
        {"title": title, "advice": advice},
        status=STATUS[reason],
    )
    return _private(response)


@ensure_csrf_cookie
def review_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = review.open_link(token)
    except review.LinkClosed as closed:
        return _closed(request, closed.reason)
    form = bind(request, ClientAnswerForm)
    if request.method == "POST":
        return _answer(request, link, form, token)
    with timezone.override(_zone(link.workspace.time_zone)):
        context = {**_context(link, form), "token": token}
        response = render(request, "publishing/approvals/review.html", context)
    return _private(response)


def review_media(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """An image of the link's post, to the link's holder only (uploads have no public URL)."""
    try:
        link = review.open_link(token)
    except review.LinkClosed as closed:
        raise Http404 from closed
    item = get_object_or_404(Media.objects.filter(variants__post=link.post).distinct(), pk=pk)
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        item.file.open("rb"), content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)


def _answer(
    request: HttpRequest, link: ReviewLink, form: ClientAnswerForm, token: str
) -> HttpResponse:
    if not form.is_valid():
        return refused(request, form)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            review.do_client_approve(link, data["name"], data["comment"])
        else:
            review.do_client_request_changes(link, data["name"], data["comment"])
    except (ValidationError, PermissionDenied, CannotSchedule, IllegalTransition) as error:
        form.add_error(None, _words(error))
        return refused(request, form)
    return redirect("publishing_review", token=token)


def _words(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, CannotSchedule):
        return "The team has to change something before this post can be approved: " + " ".join(
            p.message for p in error.problems
        )
    return str(error)


def _context(link: ReviewLink, form: ClientAnswerForm) -> dict[str, object]:
    post = link.post
    variants = list(post.variants.select_related("account").order_by("pk"))  # type: ignore[attr-defined]
    for variant in variants:
        variant.network_label = network_label(variant.account.network)  # type: ignore[attr-defined]
        variant.preview = preview(variant)  # type: ignore[attr-defined]
    states = {v.state for v in variants}
    return {
        "title": f"Review a post for {link.workspace.name}",
        "workspace_name": link.workspace.name,
        "post": post,
        "variants": variants,
        "link": link,
        "form": form,
        "awaiting": State.AWAITING_APPROVAL in states,
        "approved": bool(states) and states <= {State.SCHEDULED, State.PUBLISHING, State.PUBLISHED},
        "sent_back": State.DRAFT in states and State.AWAITING_APPROVAL not in states,
        "State": State,
    }


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
