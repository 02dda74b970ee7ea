"""The inbox: the queue of conversations, one conversation, and the small actions on it.

Thin views: rows come through ``harken.core.access`` (another workspace's row is a 404),
roles are checked on the server (``workspace_view``), and the ``do_*`` functions of
``harken.inbox.actions`` do the work. An htmx request gets the conversation panel back;
a plain form post is redirected to the page (both work without JavaScript).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from harken.analysis.priority import duration
from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Authority, Member, Role
from harken.core.sections import section_facts
from harken.core.views.bell import STOP_POLLING
from harken.inbox import actions, canned, conversation_page, filters, presence, saved_views, sla
from harken.inbox.models import CannedReply, Conversation, Message, ServiceLevel, Tag
from harken.inbox.priority import COMPETITOR, INBOX_INTENTS, NOT_OWED
from harken.inbox.states import State
from harken.listening.models import Mention, Topic
from harken.networks.counting import count, unit_for
from harken.networks.models import Account
from harken.networks.registry import CONNECTORS, connector_class, network_label

PAGE = 25
Status = Conversation.Status
OPEN = [Status.NEW, Status.OPEN]


@dataclass(frozen=True)
class View:
    key: str
    label: str
    group: str


VIEWS = [
    View("needs_reply", "Needs reply", ""),
    View("mine", "Mine", ""),
    View("unassigned", "Unassigned", ""),
    View("direct", "Direct messages", ""),
    View("held", "Awaiting approval", ""),
    View("at_risk", "SLA at risk", "Service level"),
    View("overdue", "Overdue", "Service level"),
    View("questions", "Questions", "By intent"),
    View("complaints", "Complaints", "By intent"),
    View("praise", "Praise", "By intent"),
    View("purchase", "Purchase intent", "By intent"),
    View("competitor", "Competitor mentions", "By intent"),
    View("snoozed", "Snoozed", "Later"),
    View("resolved", "Resolved", "Later"),
    View("all", "All", "Later"),
]
VIEW_KEYS = {v.key for v in VIEWS}


def replyable_networks() -> list[str]:
    """The networks whose connector can answer (``reply`` among its capabilities): only
    their conversations can be owed an answer. A feed is read, never answered."""
    return [n for n in CONNECTORS if "reply" in connector_class(n).capabilities]


def view_filters(
    user: Any, now: datetime, warn: timedelta = timedelta(minutes=30), workspace: Any = None
) -> dict[str, Q]:
    """Each view as a filter; the counts and the list use the same ones. The views that
    mean "we owe an answer" hold only conversations on networks that can reply; the
    others stay in All (and Snoozed, Resolved).

    Held replies and direct messages are sets the database reads once (``pk__in``, of
    ``workspace`` when given), not a subquery a conversation: the counts test every
    conversation of the workspace, and a probe each cost most of the page at volume."""
    awake = Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    # A mention about a competitor alone, or a re-share, owes no answer
    # (``harken.inbox.priority``): competitor mentions have a view of their own, where a
    # team may look for whom a rival let down; re-shares stay in All.
    open_here = Q(status__in=OPEN) & awake & Q(network__in=replyable_networks())
    needs = open_here & ~Q(intent__in=NOT_OWED)
    held_replies = Message.objects.filter(state=State.HELD)
    if workspace is not None:
        held_replies = held_replies.filter(workspace=workspace)
    return {
        "needs_reply": needs,
        "mine": needs & Q(assignee=user),
        "unassigned": needs & Q(assignee__isnull=True),
        "direct": needs & Q(pk__in=filters.direct_ids(workspace)),
        "held": Q(pk__in=held_replies.values("conversation_id")),
        # Due within the workspace's warning time, overdue included (``harken.inbox.sla``).
        "at_risk": needs & Q(due_at__lte=now + warn),
        "overdue": needs & Q(due_at__lte=now),
        "questions": needs & Q(intent="question"),
        "complaints": needs & Q(intent="complaint"),
        "praise": needs & Q(intent="praise"),
        "purchase": needs & Q(intent="purchase_intent"),
        "competitor": open_here & Q(intent=COMPETITOR),
        "snoozed": Q(snoozed_until__gt=now) & ~Q(status=Status.RESOLVED),
        "resolved": Q(status=Status.RESOLVED),
        "all": Q(),
    }


def _filters(request: WorkspaceRequest, tags: list[Tag], members: list[Member]) -> dict[str, str]:
    """The list's filters from the address; an unknown value is ignored, never an error."""
    return filters.parse(request.GET, tags, members)


def _apply(
    queryset: QuerySet[Conversation], chosen: dict[str, str], zone: Any = UTC
) -> QuerySet[Conversation]:
    return queryset.filter(filters.as_q(chosen, zone))


def _cursor(raw: str) -> tuple[int, int] | None:
    try:
        priority, pk = (int(part) for part in raw.split(".", 1))
    except ValueError:
        return None
    return priority, pk


def explain(conversation: Conversation, now: datetime) -> str:
    """The row's priority in words, with the wait as of now."""
    parts = [p for p in (conversation.priority_reasons or "").split(" · ") if p]
    if conversation.waiting_since and conversation.needs_reply:
        waited = (now - conversation.waiting_since).total_seconds()
        if waited >= 60:
            at = next(
                (i for i, p in enumerate(parts) if p == "first message" or "message today" in p),
                len(parts),
            )
            parts.insert(at, f"waiting {duration(waited)}")
    return " · ".join(parts)


def _last_text() -> Subquery:
    latest = Mention.objects.filter(conversation=OuterRef("pk"), is_own=False).order_by(
        "-posted", "-id"
    )
    return Subquery(latest.values("text")[:1])


def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox's list. Its views' counts are polled while the page is open
    (``part=views``): a page whose session ended stops polling (htmx status 286) rather
    than drawing the sign-in form, which a redirect would lead htmx to, into the list."""
    if request.GET.get("part") == "views" and (
        not request.user.is_authenticated or getattr(request, "member", None) is None
    ):
        return HttpResponse("", status=STOP_POLLING)
    return _inbox(request)


@workspace_view()
def _inbox(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    base = scoped(request, Conversation)
    now = timezone.now()
    level = ServiceLevel.objects.filter(workspace=workspace).first()
    warn = timedelta(minutes=level.warn_minutes if level else 30)
    zone = ZoneInfo(workspace.time_zone or "UTC")
    by_view = view_filters(request.user, now, warn, workspace)
    tags = list(scoped(request, Tag))
    members = list(
        Member.objects.filter(workspace=workspace).select_related("user").order_by("user__username")
    )
    saved = list(saved_views.visible(request))
    counted = {key: Count("pk", filter=q) for key, q in by_view.items()}
    for view in saved:
        kept = filters.parse(view.filters, tags, members)
        start = by_view.get(view.filters.get("view", ""), Q())
        counted[f"saved_{view.pk}"] = Count("pk", filter=start & filters.as_q(kept, zone))
    counts = base.aggregate(**counted)
    polled = request.GET.get("part") == "views"
    if not counts["all"] and not polled:  # a poll keeps to the views, even at zero
        facts = section_facts("inbox", workspace)
        return render(
            request, "core/empty_inbox.html", {"section": "inbox", "title": "Inbox", **facts}
        )
    current = request.GET.get("view", "needs_reply")
    current = current if current in VIEW_KEYS else "needs_reply"
    chosen = _filters(request, tags, members)
    views = [
        {**v.__dict__, "count": counts[v.key], "url": "?" + urlencode({"view": v.key, **chosen})}
        for v in VIEWS
        if level is not None or v.group != "Service level"
    ]
    saved_id = request.GET.get("saved", "")
    saved_rows = [
        {
            "pk": v.pk,
            "name": v.name,
            "shared": v.shared,
            "mine": v.owner_id == request.user.pk,
            "count": counts[f"saved_{v.pk}"],
            "url": saved_views.url_of(v),
            "current": str(v.pk) == saved_id,
        }
        for v in saved
    ]
    keep = {"view": current, **chosen}
    views_url = reverse("inbox") + "?" + urlencode({**keep, "part": "views"})
    views_context = {
        "views": views,
        "current": current,
        "saved_current": any(v["current"] for v in saved_rows),
        "views_url": views_url,
        "saved_views": saved_rows,
        "may_share": request.member.can(Role.MANAGER),
    }
    if polled:  # the counts, polled while the page is open
        return render(request, "inbox/_views.html", views_context)
    rows = (
        _apply(base.filter(by_view[current]), chosen, zone)
        .select_related("assignee")
        .prefetch_related(Prefetch("tags", Tag.objects.order_by("name")))
        .annotate(
            preview=_last_text(),
            held=Exists(Message.objects.filter(conversation=OuterRef("pk"), state=State.HELD)),
            direct=filters.direct(),
        )
        # At a tie the oldest conversation comes first: under load many reach the cap,
        # and newest-first would leave the first to write waiting longest.
        .order_by("-priority", "id")
    )
    after = _cursor(request.GET.get("after", ""))
    if after:  # the keyset matches the order: lower priority, or the same and a later id
        rows = rows.filter(Q(priority__lt=after[0]) | Q(priority=after[0], pk__gt=after[1]))
    page = list(rows[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    replyable = set(replyable_networks())
    for row in page:
        row.sla = sla.badge(row, now, warn)  # type: ignore[attr-defined]
        row.explanation = explain(row, now)  # type: ignore[attr-defined]
        row.network_label = network_label(row.network)  # type: ignore[attr-defined]
        row.can_reply = row.network in replyable  # type: ignore[attr-defined]
    next_url = ""
    if more:
        last = page[-1]
        next_url = "?" + urlencode({**keep, "after": f"{last.priority}.{last.pk}"})
    context = {
        "section": "inbox",
        "title": "Inbox",
        **views_context,
        "current_label": next(v.label for v in VIEWS if v.key == current),
        "view_key": current,
        "rows": page,
        "next_url": next_url,
        "chosen": chosen,
        "tags": tags,
        "members": members,
        "networks": list(base.order_by("network").values_list("network", flat=True).distinct()),
        "statuses": Status.choices,
        "now": now,
        "may_triage": request.member.can(Role.RESPONDER),
        "intents": [i for i in INBOX_INTENTS if i != "other"],
        "sentiments": filters.SENTIMENTS,
        "topics": list(scoped(request, Topic).order_by("name").values_list("pk", "name")),
        "accounts": list(scoped(request, Account).order_by("handle").values_list("pk", "handle")),
    }
    more_rows = request.htmx and request.GET.get("after")
    template = "inbox/_rows.html" if more_rows else "inbox/inbox.html"
    return render(request, template, context)


# --- one conversation ----------------------------------------------------------------------


def access_conversation(request: WorkspaceRequest, pk: int) -> Conversation:
    """A conversation of the request's workspace, or 404."""
    return access_object(request, Conversation, pk)


def access_message(request: WorkspaceRequest, pk: int) -> Message:
    """A reply or note of the request's workspace, or 404."""
    return get_object_or_404(
        scoped(request, Message).select_related("conversation", "account", "workspace"), pk=pk
    )


SNOOZES = [
    ("1h", "For an hour", timedelta(hours=1)),
    ("3h", "For 3 hours", timedelta(hours=3)),
    ("1d", "Until tomorrow", timedelta(days=1)),
    ("7d", "For a week", timedelta(days=7)),
]


def _badge(conversation: Conversation) -> sla.Badge | None:
    """Time left to answer; the warning time is read only when an answer is due."""
    if conversation.due_at is None:
        return None
    level = ServiceLevel.objects.filter(workspace_id=conversation.workspace_id).first()
    warn = timedelta(minutes=level.warn_minutes) if level else None
    return sla.badge(conversation, timezone.now(), warn)


def conversation_context(request: WorkspaceRequest, conversation: Conversation) -> dict[str, Any]:
    member: Member = request.member
    mentions = list(
        conversation.mentions.select_related("author", "source__account").order_by(  # type: ignore[attr-defined]
            "posted", "id"
        )
    )
    ours = list(
        conversation.messages.select_related("author", "approved_by").order_by("created", "id")  # type: ignore[attr-defined]
    )
    timeline: list[tuple[Any, str, Any]] = [(m.posted, "mention", m) for m in mentions]
    timeline += [(m.sent_at or m.created, "message", m) for m in ours]
    timeline.sort(key=lambda entry: (entry[0], entry[1] == "message"))
    subject = next((m.author for m in mentions if not m.is_own), None)
    target = next((m for m in reversed(mentions) if not m.is_own), None)
    account = actions.reply_account(conversation, target)
    limit = count(conversation.network, "", actions.config_of(account), reply=True)
    may_reply = bool(Authority.value_for(member.workspace, member.role, "may_reply"))
    members = list(
        Member.objects.filter(workspace=member.workspace)
        .select_related("user")
        .order_by("user__username")
    )
    return {
        "section": "inbox",
        "title": conversation.subject_handle or "Conversation",
        "conversation": conversation,
        "network_label": network_label(conversation.network),
        "can_reply": conversation.network in replyable_networks(),
        "timeline": timeline,
        "subject": subject,
        # The contact card, earlier conversations, thumbnails, corrections, presence.
        **conversation_page.extras(request, conversation, mentions, subject, ours),
        "held": [m for m in ours if m.state == State.HELD],
        "account": account,
        "limit": limit,
        "count_unit": unit_for(conversation.network),
        "may_reply": may_reply,
        "may_approve": member.can(Role.MANAGER),
        "may_triage": member.can(Role.RESPONDER),
        "members": members,
        "statuses": Status.choices,
        "snoozes": SNOOZES,
        "explanation": explain(conversation, timezone.now()),
        "sla": _badge(conversation),
        "State": State,
        # One per page view: the reply form posted twice finds the first message.
        "reply_token": secrets.token_hex(16),
    }


def _panel(
    request: WorkspaceRequest, conversation: Conversation, error: str = "", draft: str = ""
) -> HttpResponse:
    conversation.refresh_from_db()
    context = conversation_context(request, conversation)
    context["error"] = error
    context["draft"] = draft  # what was typed stays in the box when it was refused
    if request.htmx:
        return render(request, "inbox/_conversation.html", context)
    if error:
        flash.error(request, error)
    return redirect("inbox_conversation", pk=conversation.pk)


def _done(
    request: WorkspaceRequest, conversation: Conversation, call: Any, draft: str = ""
) -> HttpResponse:
    try:
        call()
    except ValidationError as invalid:
        return _panel(request, conversation, " ".join(invalid.messages), draft)
    return _panel(request, conversation)


@workspace_view()
def conversation(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    return render(request, "inbox/conversation.html", conversation_context(request, found))


@require_POST
@workspace_view(Role.RESPONDER)
def reply(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    member = request.member
    text = request.POST.get("text", "")
    token = request.POST.get("token", "")
    # A teammate's reply since the page was drawn is shown first, never answered blind.
    clash = presence.replied_since(found, member, request.POST.get("seen", ""))
    if clash is not None:
        return _panel(request, found, presence.clash_words(clash), draft=text)
    return _done(
        request, found, lambda: actions.do_reply(found, member, text, token=token), draft=text
    )


@require_POST
@workspace_view(Role.RESPONDER)
def note(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    member = request.member
    return _done(
        request, found, lambda: actions.do_note(found, member, request.POST.get("text", ""))
    )


@require_POST
@workspace_view(Role.RESPONDER)
def assign(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    member = request.member
    raw = request.POST.get("assignee", "")
    if raw == "me":
        raw = str(request.user.pk)
    assignee = (
        Member.objects.filter(workspace=member.workspace, user_id=raw)
        .select_related("user")
        .first()
        if raw.isdigit()
        else None
    )
    if raw and assignee is None:
        return _panel(request, found, "Choose a member of this workspace.")
    return _done(request, found, lambda: actions.do_assign(found, member, assignee))


@require_POST
@workspace_view(Role.RESPONDER)
def status(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    member = request.member
    value = request.POST.get("status", "")
    return _done(request, found, lambda: actions.do_set_status(found, member, value))


@require_POST
@workspace_view(Role.RESPONDER)
def snooze(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    member = request.member
    choice = request.POST.get("for", "")
    if choice == "wake":
        return _done(request, found, lambda: actions.do_unsnooze(found, member))
    span = next((d for key, _, d in SNOOZES if key == choice), None)
    if span is None:
        return _panel(request, found, "Choose how long to snooze.")
    return _done(request, found, lambda: actions.do_snooze(found, member, timezone.now() + span))


@require_POST
@workspace_view(Role.RESPONDER)
def tag(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_conversation(request, pk)
    member = request.member
    remove = request.POST.get("remove", "")
    if remove.isdigit():
        chosen = get_object_or_404(scoped(request, Tag), pk=int(remove))
        return _done(request, found, lambda: actions.do_untag(found, member, chosen))
    return _done(
        request, found, lambda: actions.do_tag(found, member, request.POST.get("name", ""))
    )


@require_POST
@workspace_view(Role.MANAGER)
def approve(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = access_message(request, pk)
    member = request.member
    text = request.POST.get("text")
    return _done(request, message.conversation, lambda: actions.do_approve(message, member, text))


@require_POST
@workspace_view(Role.MANAGER)
def send_back(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = access_message(request, pk)
    member = request.member
    comment = request.POST.get("comment", "")
    return _done(
        request, message.conversation, lambda: actions.do_send_back(message, member, comment)
    )


@require_POST
@workspace_view(Role.RESPONDER)
def retry(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = access_message(request, pk)
    member = request.member
    return _done(request, message.conversation, lambda: actions.do_retry(message, member))


@require_POST
@workspace_view(Role.RESPONDER)
def revise(request: WorkspaceRequest, pk: int) -> HttpResponse:
    message = access_message(request, pk)
    member = request.member
    text = request.POST.get("text", "")
    return _done(request, message.conversation, lambda: actions.do_revise(message, member, text))


def conversation_url(conversation: Conversation) -> str:
    return reverse("inbox_conversation", args=[conversation.pk])


# --- canned replies -------------------------------------------------------------------------


def _canned_page(
    request: WorkspaceRequest, editing: CannedReply | None, form: dict[str, str], status: int = 200
) -> HttpResponse:
    context = {
        "section": "settings",
        "tab": "canned",
        "title": "Canned replies",
        "replies": list(scoped(request, CannedReply).select_related("created_by")),
        "editing": editing,
        "form": form,
        "variables": canned.VARIABLES,
        "max_name": canned.MAX_NAME,
        "max_text": canned.MAX_TEXT,
    }
    return render(request, "inbox/canned.html", context, status=status)


def _save_canned(request: WorkspaceRequest, editing: CannedReply | None) -> HttpResponse:
    member = request.member
    form = {"name": request.POST.get("name", ""), "text": request.POST.get("text", "")}
    try:
        saved = canned.do_save_canned(member, form["name"], form["text"], editing)
    except ValidationError as invalid:
        flash.error(request, " ".join(invalid.messages))
        return _canned_page(request, editing, form, status=400)
    flash.success(request, f"Saved “{saved.name}”.")
    return redirect("inbox_canned")


@workspace_view(Role.MANAGER)
def canned_replies(request: WorkspaceRequest) -> HttpResponse:
    """Settings → Canned replies: the list, and a form for a new one."""
    if request.method == "POST":
        return _save_canned(request, None)
    return _canned_page(request, None, {"name": "", "text": ""})


@workspace_view(Role.MANAGER)
def canned_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_object(request, CannedReply, pk)
    if request.method == "POST":
        return _save_canned(request, found)
    return _canned_page(request, found, {"name": found.name, "text": found.text})


@require_POST
@workspace_view(Role.MANAGER)
def canned_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    found = access_object(request, CannedReply, pk)
    canned.do_delete_canned(request.member, found)
    flash.success(request, f"Deleted “{found.name}”.")
    return redirect("inbox_canned")


@workspace_view(Role.RESPONDER)
def canned_search(request: WorkspaceRequest, pk: int) -> JsonResponse:
    """The canned replies matching ``q``, filled in for conversation ``pk`` (as text: the
    reply box inserts them as they are)."""
    found = access_conversation(request, pk)
    member = request.member
    values = canned.values_for(found, member)
    matches = canned.search(member.workspace, request.GET.get("q", ""))
    return JsonResponse(
        {"results": [{"name": c.name, "text": canned.fill(c.text, values)} for c in matches]}
    )


# --- bulk actions ---------------------------------------------------------------------------


#: The list's address parts a bulk form carries back (``inbox`` checks them again).
KEPT = ("view", *filters.KEYS)


def _back_to_list(request: WorkspaceRequest) -> str:
    """The list the form was sent from (its view and filters, read again, never echoed)."""
    keep = {k: request.POST.get(f"keep_{k}", "") for k in KEPT}
    query = {
        k: v
        for k, v in keep.items()
        if v and len(v) <= 32 and v.replace("_", "").replace("-", "").isalnum()
    }
    return reverse("inbox") + ("?" + urlencode(query) if query else "")


@require_POST
@workspace_view(Role.RESPONDER)
def bulk(request: WorkspaceRequest) -> HttpResponse:
    """One action (assign, tag, resolve, spam) on the selected rows of the list. Rows of
    another workspace are not found and not touched."""
    member = request.member
    ids = sorted({int(i) for i in request.POST.getlist("ids") if i.isdigit()})
    action = request.POST.get("action", "")
    found = list(
        scoped(request, Conversation)
        .filter(pk__in=ids[: actions.BULK_LIMIT + 1])
        .select_related("workspace", "assignee")
    )
    assignee = None
    raw = request.POST.get("assignee", "")
    if action == "assign" and raw:
        raw = str(request.user.pk) if raw == "me" else raw
        assignee = (
            Member.objects.filter(workspace=member.workspace, user_id=raw)
            .select_related("user")
            .first()
            if raw.isdigit()
            else None
        )
        if assignee is None:
            flash.error(request, "Choose a member of this workspace.")
            return redirect(_back_to_list(request))
    try:
        done = actions.do_bulk(
            found, member, action, assignee=assignee, tag=request.POST.get("tag", "")
        )
    except ValidationError as invalid:
        flash.error(request, " ".join(invalid.messages))
        return redirect(_back_to_list(request))
    words = {
        "assign": "Assigned",
        "tag": "Tagged",
        "resolve": "Resolved",
        "spam": "Marked as spam",
    }[action]
    flash.success(request, f"{words} {done} conversation{'s' if done != 1 else ''}.")
    return redirect(_back_to_list(request))
