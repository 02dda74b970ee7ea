"""Queues: each account's weekly slots, suggested times, and "add to queue"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, access_object, check_role, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.publishing.calendar.board import account_colour, accounts_of
from harken.publishing.calendar.forms import WEEKDAYS, SlotForm
from harken.publishing.calendar.moves import do_move, problems_at
from harken.publishing.calendar.queues import NoFreeSlot, next_free_slot, suggested_slots
from harken.publishing.calendar.series import needs_approval
from harken.publishing.calendar.views import publishing_tabs
from harken.publishing.models import QueueSlot, Variant
from harken.publishing.scheduling import do_schedule
from harken.publishing.states import IllegalTransition, State, transition
from harken.publishing.validation import CannotSchedule

DAY_NAMES = dict(WEEKDAYS)


@workspace_view()
def queues(request: WorkspaceRequest) -> HttpResponse:
    form = bind(request, SlotForm, workspace=request.workspace)
    if request.method == "POST":
        check_role(request, Role.MANAGER)
        if not form.is_valid():
            return refused(request, form)
        slot = QueueSlot.objects.create(
            workspace=request.workspace,
            account=form.cleaned_data["account"],
            weekday=form.cleaned_data["weekday"],
            time=form.cleaned_data["time"],
        )
        audit(request.workspace, request.user, "queue.slot_add", slot)
        return redirect("calendar_queues")
    slots = scoped(request, QueueSlot).order_by("weekday", "time")
    by_account: dict[int, list[dict]] = {}
    for slot in slots:
        by_account.setdefault(slot.account_id, []).append(
            {"pk": slot.pk, "day": DAY_NAMES[slot.weekday], "time": slot.time}
        )
    accounts = [
        {
            "account": a,
            "colour": account_colour(a.pk),
            "slots": by_account.get(a.pk, []),
            "suggested": [
                {
                    "day": DAY_NAMES[s.weekday],
                    "time": s.time,
                    "source": s.source,
                    "rate": s.engagement_per_post,
                    "needed": s.posts_needed,
                }
                for s in suggested_slots(a)
            ],
        }
        for a in accounts_of(request.workspace)
    ]
    return render(
        request,
        "publishing/calendar/queues.html",
        {
            "section": "calendar",
            "title": "Queues",
            "tabs": publishing_tabs(""),
            "accounts": accounts,
            "form": form,
            "can_manage": request.member.can(Role.MANAGER),
        },
    )


@require_POST
@workspace_view(Role.MANAGER)
def slot_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    slot = access_object(request, QueueSlot, pk)
    slot.delete()
    audit(request.workspace, request.user, "queue.slot_remove", slot)
    return redirect("calendar_queues")


def queue(variant: Variant, when: datetime, request: WorkspaceRequest) -> None:
    """A draft goes to ``when`` as its author may send it: for approval, or scheduled."""
    if variant.state != State.DRAFT:
        do_move(variant, when, actor=request.user)
    elif needs_approval(request.member):
        problems = problems_at(variant, when)
        if problems:
            raise CannotSchedule(problems)
        variant.scheduled_at = when
        if not transition(variant, State.AWAITING_APPROVAL, scheduled_at=when):
            raise IllegalTransition("Someone else changed this post; reload it.")
    else:
        do_schedule(variant, when, actor=request.user)


@require_POST
@workspace_view(Role.RESPONDER)
def add_to_queue(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Give the variant its account's next free slot (with the same checks as any
    scheduling); a draft is scheduled there, a planned post moved there."""
    variant: Variant = access_object(request, Variant, pk)
    zone = ZoneInfo(request.workspace.time_zone)
    try:
        when = next_free_slot(variant.account, timezone.now())
        queue(variant, when, request)
    except NoFreeSlot as exc:
        flash.error(request, str(exc))
    except CannotSchedule as refusal:
        flash.error(
            request, "The next slot is refused: " + " ".join(p.message for p in refusal.problems)
        )
    except IllegalTransition as exc:
        flash.error(request, str(exc))
    else:
        flash.success(request, f"Queued for {when.astimezone(zone):%a %-d %b, %H:%M}.")
    return redirect("calendar_move", pk=variant.pk)
