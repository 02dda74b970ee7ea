"""The composer's pages: a new post, an existing one, and the live check beside the text.

Thin views: accounts and posts come through ``harken.core.access`` (another workspace's
row is a 404), composing needs the responder role, and ``saving.do_compose`` does the
work. A refusal keeps what was typed and says which rule of which network broke
(``harken.core.refused``); nothing is saved.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages as flash
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Role
from harken.core.refused import bind, refused
from harken.networks.counting import limits, unit_for
from harken.networks.models import Account
from harken.networks.registry import connector_class, network_label
from harken.publishing.calendar.queues import NoFreeSlot, next_free_slot
from harken.publishing.compose import media as media_files
from harken.publishing.compose.checks import columns
from harken.publishing.compose.forms import ComposeForm
from harken.publishing.compose.saving import (
    OVERRIDER,
    Composed,
    Refused,
    describe,
    do_compose,
    locked,
    needs_approval,
)
from harken.publishing.compose.threads import can_thread
from harken.publishing.demo import DEMO_NOTE, is_demo_account
from harken.publishing.models import Campaign, Media, Post
from harken.publishing.states import State

AUTHOR = Role.RESPONDER


def publishable(request: WorkspaceRequest) -> list[Account]:
    """The workspace's accounts whose network Harken can publish to."""
    out = []
    for account in scoped(request, Account).order_by("network", "handle"):
        try:
            cls = connector_class(account.network)
        except (KeyError, ImportError):
            continue
        if "publish" in cls.capabilities:
            out.append(account)
    return out


def composed_from(form: ComposeForm, request: WorkspaceRequest) -> Composed:
    """The form's content; usable from a form with errors (the live check reads it too)."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    chosen = form.chosen() if "accounts" in data else []
    owned = {str(m.pk): m for m in scoped(request, Media)}
    posted: Any = form.data
    return Composed(
        text=data.get("text", "") or "",
        persona=data.get("persona", "") or "",
        stage=data.get("stage") or "awareness",
        category=data.get("category") or "educational",
        sponsored=bool(data.get("sponsored")),
        campaign=data.get("campaign"),
        at=data.get("at") if isinstance(data.get("at"), datetime) else None,
        accounts=chosen,
        texts={a.pk: data.get(f"text_{a.pk}", "") or "" for a in chosen},
        comments={a.pk: (data.get(f"comment_{a.pk}", "") or "").strip() for a in chosen},
        threads={a.pk: bool(data.get(f"thread_{a.pk}")) for a in chosen},
        numbered={a.pk: bool(data.get(f"numbered_{a.pk}")) for a in chosen},
        media={
            a.pk: [owned[i] for i in posted.getlist(f"media_{a.pk}") if i in owned] for a in chosen
        },
        overrides={a.pk: form.overrides_for(a) for a in chosen},
        options={a.pk: form.options_for(a) for a in chosen},
        keep_links=set(posted.getlist("keep_link")),
    )


def _initial(request: WorkspaceRequest, post: Post | None, zone: ZoneInfo) -> dict[str, Any]:
    """An existing post's values, or what the calendar's link prefills."""
    if post is not None:
        variants = list(post.variants.all())  # type: ignore[attr-defined]
        first = next((v.scheduled_at for v in variants if v.scheduled_at), None)
        initial: dict[str, Any] = {
            "text": post.text or (variants[0].text if variants else ""),
            "persona": post.persona,
            "stage": post.stage,
            "category": post.category,
            "sponsored": post.sponsored,
            "campaign": post.campaign_id,
            "accounts": [str(v.account_id) for v in variants],
            "at": first.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if first else "",
        }
        for v in variants:
            initial[f"text_{v.account_id}"] = v.text
            initial[f"comment_{v.account_id}"] = v.first_comment
            initial[f"thread_{v.account_id}"] = v.thread
            initial[f"numbered_{v.account_id}"] = v.numbered
            for name, value in (v.post_options or {}).items():
                initial[f"{name}_{v.account_id}"] = value
        return initial
    get = request.GET
    initial = {"text": get.get("text", "")[:2000]}
    # A thread is numbered ("1/3") unless the author says otherwise.
    initial.update({f"numbered_{a.pk}": True for a in publishable(request)})
    try:
        at = datetime.fromisoformat(get.get("at", ""))
        initial["at"] = (at.astimezone(zone) if at.tzinfo else at).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        pass
    event_id = get.get("event", "")
    if event_id.isdigit():
        from harken.publishing.models import Event

        event = scoped(request, Event).filter(pk=int(event_id)).first()
        if event is not None:
            initial["category"] = "event"
            initial.setdefault("at", f"{event.starts:%Y-%m-%d}T10:00")
            if not initial["text"]:
                initial["text"] = event.title
    return initial


@workspace_view(AUTHOR)
def compose(request: WorkspaceRequest, pk: int | None = None) -> HttpResponse:
    post = access_object(request, Post, pk) if pk is not None else None
    accounts = publishable(request)
    zone = ZoneInfo(request.workspace.time_zone)
    kwargs: dict[str, Any] = {"accounts": accounts, "time_zone": request.workspace.time_zone}
    if request.method != "POST" and not hasattr(request, "_refused_form"):
        kwargs["initial"] = _initial(request, post, zone)
    form = bind(request, ComposeForm, **kwargs)
    form.fields["campaign"].queryset = scoped(request, Campaign)  # type: ignore[attr-defined]
    if request.method == "POST":
        return _save(request, form, post)
    return render(request, "publishing/compose.html", _context(request, form, post, accounts))


def _save(request: WorkspaceRequest, form: ComposeForm, post: Post | None) -> HttpResponse:
    if not form.is_valid():
        return refused(request, form)
    action = form.cleaned_data["action"]
    schedule = action in ("schedule", "queue")
    composed = composed_from(form, request)
    if action == "queue":
        try:
            composed.times = queue_times(composed)
        except NoFreeSlot as error:
            form.add_error(None, str(error))
            return refused(request, form)
    kept: list[Media] = []
    try:
        # One transaction: a refusal keeps no upload and no alt text change either.
        with transaction.atomic():
            kept = media_files.receive(request, composed)
            post = do_compose(composed, request.member, post, schedule=schedule)
    except (media_files.Unusable, Refused) as error:
        for item in kept:  # the row is rolled back; its file is removed here
            item.file.delete(save=False)
        if isinstance(error, Refused):
            by_handle = {a.handle: a for a in composed.accounts}
            for sentence in describe(error.problems, by_handle):
                form.add_error(None, sentence)
        else:
            form.add_error(None, str(error))
        return refused(request, form)
    if not schedule:
        flash.success(request, "Saved as a draft.")
    elif needs_approval(request.member):
        flash.success(request, "Sent for approval; it is scheduled once a manager approves it.")
    else:
        flash.success(request, "Scheduled.")
    return redirect("compose_edit", pk=post.pk)


def queue_times(composed: Composed) -> dict[int, datetime]:
    """Each chosen account's next free queue slot (``calendar.queues``)."""
    now = timezone.now()
    return {a.pk: next_free_slot(a, now) for a in composed.accounts}


def _context(
    request: WorkspaceRequest, form: ComposeForm, post: Post | None, accounts: list[Account]
) -> dict[str, Any]:
    variants = list(post.variants.select_related("account")) if post else []  # type: ignore[attr-defined]
    by_account = {v.account_id: v for v in variants}
    cards = []
    for account in accounts:
        cls = connector_class(account.network)
        limit, url_weight = limits(cls, account.config)  # type: ignore[arg-type]
        cards.append(
            {
                "account": account,
                "label": network_label(account.network),
                "unit": unit_for(account.network),
                "limit": cls.post_max_chars or limit or "",
                "url_weight": url_weight or "",
                "can_reply": "reply" in cls.capabilities,
                "can_thread": can_thread(account),
                "text": form[f"text_{account.pk}"],
                "comment": form[f"comment_{account.pk}"],
                "thread": form[f"thread_{account.pk}"],
                "numbered": form[f"numbered_{account.pk}"],
                "variant": by_account.get(account.pk),
                "demo": is_demo_account(account),
                "post_fields": [
                    {"spec": spec, "field": form[f"{spec.name}_{account.pk}"]}
                    for spec in cls.post_fields
                ],
            }
        )
    return {
        "section": "calendar",
        "title": "Edit post" if post else "New post",
        "form": form,
        "post": post,
        "cards": cards,
        "variants": variants,
        "locked": any(locked(v) for v in variants),
        # Saving an edit as a draft takes a scheduled or waiting post off the calendar.
        "waiting": any(
            v.state in (State.SCHEDULED, State.AWAITING_APPROVAL) and not locked(v)
            for v in variants
        ),
        "zone": request.workspace.time_zone,
        "needs_approval": needs_approval(request.member),
        "may_override": request.member.can(OVERRIDER),
        "media": media_files.for_post(request, post),
        "check_url": reverse("compose_check"),
        "demo_note": DEMO_NOTE,
    }


@workspace_view(AUTHOR)
def check(request: WorkspaceRequest) -> HttpResponse:
    """The live check: counts, thread parts, the network's rules and the guidelines."""
    form = ComposeForm(
        data=request.POST, accounts=publishable(request), time_zone=request.workspace.time_zone
    )
    form.fields["campaign"].queryset = scoped(request, Campaign)  # type: ignore[attr-defined]
    form.is_valid()
    post = None
    raw = request.POST.get("post", "")
    if raw.isdigit():
        post = access_object(request, Post, int(raw))
    composed = composed_from(form, request)
    shown = columns(composed, request.workspace, post)
    kept = set(request.POST.getlist("keep_link"))
    for col in shown:
        reasons = composed.overrides.get(col.account.pk, {})
        col.notes = [
            SimpleNamespace(**vars(f), reason=reasons.get(f.rule, "")) for f in col.findings
        ]
        col.link_rows = [{"url": url, "kept": url in kept} for url in col.links]
    return render(
        request,
        "publishing/compose_checks.html",
        {
            "columns": shown,
            "may_override": request.member.can(OVERRIDER),
            "needs_approval": needs_approval(request.member),
            "at_error": form.errors.get("at"),
        },
    )


@workspace_view()
def media_file(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """One of the workspace's images, to its members only (uploads have no public URL)."""
    item = access_object(request, Media, pk)
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        item.file.open("rb"), content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def public_media(request: HttpRequest, token: str) -> HttpResponse:
    """An image by its signed, expiring address (``media.public_url``), with no login: a
    network that fetches images itself (Facebook, Instagram) reads it from here."""
    pk = media_files.from_public_token(token)
    item = Media.objects.filter(pk=pk).first() if pk is not None else None
    if item is None:
        raise Http404("No such image, or its address has expired.")
    response: HttpResponse = FileResponse(  # type: ignore[assignment]
        item.file.open("rb"), content_type=item.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
