"""The Calendar tab: month, week and list views, and moving a post to another time.

Thin views: rows come through ``harken.core.access`` (another workspace's row is a 404),
roles are checked on the server, and the work is done by ``board`` (what a page shows)
and ``moves.do_move`` (the same checks as scheduling). A drag in the month or week view
posts the move with ``fetch`` and gets JSON back; without JavaScript the "move" form
posts the same view and is redirected back (post/redirect/get).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from harken.core.access import WorkspaceRequest, access_object, check_role, workspace_view
from harken.core.models import Role
from harken.publishing.calendar import board, grid
from harken.publishing.calendar.events import settings_for
from harken.publishing.calendar.moves import do_move, local_moment
from harken.publishing.models import Post, Variant
from harken.publishing.states import EDITABLE, IllegalTransition, State
from harken.publishing.validation import CannotSchedule

#: The publishing tabs: label and path under /calendar/. A tab whose part of the app has
#: not arrived yet (nothing answers its path) is left out.
TABS = (("Calendar", ""), ("Approvals", "approvals/"), ("Campaigns", "campaigns/"))


def publishing_tabs(current: str) -> list[dict[str, Any]]:
    base = reverse("calendar")
    tabs = []
    for label, path in TABS:
        try:
            resolve(base + path)
        except Resolver404:
            continue
        tabs.append({"label": label, "url": base + path, "current": label == current})
    return tabs


def url_or_blank(name: str, *args: Any) -> str:
    """The address of another part's page, or "" while that part has not arrived."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def chosen_filters(request: WorkspaceRequest, accounts: list) -> board.Filters:
    """The account and state filters from the address; unknown values are ignored."""
    known = {str(a.pk): a.pk for a in accounts}
    picked = {known[v] for v in request.GET.getlist("account") if v in known}
    states = {v for v in request.GET.getlist("state") if v in State.values}
    return board.Filters(frozenset(picked), frozenset(states))


def today_in(zone: ZoneInfo) -> date:
    return timezone.now().astimezone(zone).date()


def compose_url(at: datetime | None = None, text: str = "", event: int | None = None) -> str:
    """The composer, prefilled (``?at=<iso>&text=&event=<id>``)."""
    query: dict[str, str] = {}
    if at is not None:
        query["at"] = at.isoformat()
    if text:
        query["text"] = text
    if event is not None:
        query["event"] = str(event)
    return reverse("calendar") + "compose/" + ("?" + urlencode(query) if query else "")


@workspace_view()
def calendar(request: WorkspaceRequest) -> HttpResponse:
    """One page of the calendar. Without a chosen view, the month on a wide screen and the
    same days as a list on a phone (the stylesheet shows the one that fits)."""
    workspace = request.workspace
    zone = ZoneInfo(workspace.time_zone)
    today = today_in(zone)
    chosen_kind = request.GET.get("view", "")
    kind = chosen_kind if chosen_kind in grid.KINDS else "month"
    anchor = grid.parse_anchor(request.GET.get("date"), today)
    window = grid.window(kind, anchor)
    accounts = board.accounts_of(workspace)
    filters = chosen_filters(request, accounts)
    days = board.days_for(workspace, window, filters)
    in_month = [d for d in days if kind != "month" or d.day.month == anchor.month]
    if not chosen_kind and any(d.day == today for d in in_month):
        # A phone opening the calendar sees from yesterday on, with what is running.
        in_month = [d for d in in_month if d.day >= today - timedelta(days=1)]
    keep = [(k, v) for k, v in request.GET.lists() if k in ("account", "state")]
    kept = urlencode([(k, v) for k, values in keep for v in values])
    context = {
        "section": "calendar",
        "title": "Calendar",
        "tabs": publishing_tabs("Calendar"),
        "kind": kind,
        "chosen_kind": chosen_kind,
        "window": window,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "list_days": list_days(in_month, today),
        "planned": any(d.chips for d in days),
        "today": today,
        "hours": range(24),
        "hour_rows": board.hour_rows(days, zone) if kind == "week" else [],
        "accounts": [(a, board.account_colour(a.pk)) for a in accounts],
        "states": State.choices,
        "filters": filters,
        "kept": kept,
        "zone": workspace.time_zone,
        "country": settings_for(workspace).country,
        "compose_url": compose_url(),
        "can_plan": request.member.can(Role.RESPONDER),
        "failed": sum(1 for d in days for c in d.chips if c.state == State.FAILED),
        "awaiting": sum(1 for d in days for c in d.chips if c.state == State.AWAITING_APPROVAL),
    }
    return render(request, "publishing/calendar/calendar.html", context)


def list_days(days: list[board.Day], today: date) -> list[board.ListDay]:
    """The list view's days: those with posts or beginning events, and today. The first
    names every event running on it (a season begun last week), the others only the
    events that begin on them."""
    listed = []
    for n, d in enumerate(days):
        events = d.events if n == 0 else d.list_events
        if d.chips or events or d.day == today:
            listed.append(board.ListDay(d, events))
    return listed


def _back(request: WorkspaceRequest) -> str:
    """Where to go after a move: the page the person came from, when it is one of ours."""
    target = request.POST.get("next", "") or request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return reverse("calendar")


def _wants_json(request: WorkspaceRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def parse_move(request: WorkspaceRequest, variant: Variant, zone: ZoneInfo) -> datetime | None:
    """The new time from the posted ``date`` (YYYY-MM-DD) and ``time`` (HH:MM, local; the
    variant's own time of day when left out)."""
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
        raw_time = request.POST.get("time", "")
        if raw_time:
            at = time.fromisoformat(raw_time)
        elif variant.scheduled_at is not None:
            at = variant.scheduled_at.astimezone(zone).time()
        else:
            at = time(9, 0)
    except ValueError:
        return None
    return local_moment(day, at.replace(second=0, microsecond=0), zone)


@workspace_view()
def move_variant(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """GET: the post and the move form (the no-JavaScript way). POST (a responder or
    above): move the variant, or say why not."""
    variant: Variant = access_object(request, Variant, pk)
    if request.method == "POST":
        check_role(request, Role.RESPONDER)
    zone = ZoneInfo(request.workspace.time_zone)
    if request.method != "POST":
        local = variant.scheduled_at.astimezone(zone) if variant.scheduled_at else None
        return render(
            request,
            "publishing/calendar/move.html",
            {
                "section": "calendar",
                "title": "Move a post",
                "variant": variant,
                "local": local,
                "chip": board.chip_for(variant, zone, set()) if local else None,
                "next": _back(request),
                "movable": variant.state in EDITABLE and request.member.can(Role.RESPONDER),
                # The post's own page (approve, comment, retry a failure) and the composer.
                "post_url": url_or_blank("approvals_post", variant.post_id),
                "edit_url": url_or_blank("compose_edit", variant.post_id),
            },
        )
    when = parse_move(request, variant, zone)
    message, ok = "", False
    if when is None:
        message = "Give the new date as YYYY-MM-DD and the time as HH:MM."
    else:
        try:
            do_move(variant, when, actor=request.user)
            ok = True
        except CannotSchedule as refusal:
            message = "It cannot go out then: " + " ".join(p.message for p in refusal.problems)
        except IllegalTransition as exc:
            message = str(exc)
    if _wants_json(request):
        if ok:
            assert when is not None
            local = when.astimezone(zone)
            return JsonResponse(
                {"ok": True, "date": local.date().isoformat(), "time": f"{local:%H:%M}"}
            )
        return JsonResponse({"ok": False, "message": message}, status=409)
    if ok:
        assert when is not None
        flash.success(request, f"Moved to {when.astimezone(zone):%a %-d %b, %H:%M}.")
        return redirect(_back(request))
    flash.error(request, message)
    return redirect(
        reverse("calendar_move", args=[variant.pk]) + "?" + urlencode({"next": _back(request)})
    )


@workspace_view(Role.RESPONDER)
def move_post(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """POST: move a post's variants shown as one chip (``variants``, ids of this post) to
    the posted date and time, all or none: each is checked as when it was scheduled, and
    one refusal leaves every one where it was."""
    if request.method != "POST":
        return redirect(reverse("compose_edit", args=[pk]))
    post: Post = access_object(request, Post, pk)
    ids = [int(n) for n in request.POST.get("variants", "").split() if n.isdigit()]
    variants = list(post.variants.filter(pk__in=ids).select_related("account", "post"))  # type: ignore[attr-defined]
    zone = ZoneInfo(request.workspace.time_zone)
    when = parse_move(request, variants[0], zone) if variants else None
    message, ok = "", False
    if when is None:
        message = "Give the new date as YYYY-MM-DD and the time as HH:MM."
    else:
        try:
            with transaction.atomic():
                for variant in variants:
                    do_move(variant, when, actor=request.user)
            ok = True
        except CannotSchedule as refusal:
            message = "It cannot go out then: " + " ".join(p.message for p in refusal.problems)
        except IllegalTransition as exc:
            message = str(exc)
    return _moved(request, when, ok, message, zone)


def _moved(
    request: WorkspaceRequest, when: datetime | None, ok: bool, message: str, zone: ZoneInfo
) -> HttpResponse:
    if _wants_json(request):
        if ok and when is not None:
            local = when.astimezone(zone)
            return JsonResponse(
                {"ok": True, "date": local.date().isoformat(), "time": f"{local:%H:%M}"}
            )
        return JsonResponse({"ok": False, "message": message}, status=409)
    if ok and when is not None:
        flash.success(request, f"Moved to {when.astimezone(zone):%a %-d %b, %H:%M}.")
    else:
        flash.error(request, message)
    return redirect(_back(request))
