"""``/l/<code>``: the tracked short link's redirect, kept plain and fast.

No session, no template, no login: one query finds the link with its campaign and
workspace, ``record_click`` stores the click (and pledges), and the answer is a 302 to
the destination with its UTM parameters. An unknown code gets a branded 404 page rendered
without the request (so no session or workspace lookup happens for it either).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_safe

from harken.publishing.links.clicks import Visit, find_target, record_click


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    target = find_target(code)
    if target is None:
        return HttpResponseNotFound(render_to_string("publishing/links/unknown.html"))
    meta = request.META
    record_click(
        target,
        Visit(
            at=timezone.now(),
            address=str(meta.get("REMOTE_ADDR") or ""),
            user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:500],
            referrer=str(meta.get("HTTP_REFERER", ""))[:2000],
            method=request.method or "GET",
        ),
    )
    response = HttpResponseRedirect(target.url)
    # Every visit must reach us to be counted; search engines index the destination.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
