"""Contacts pages. Thin views: rows come through ``harken.core.access`` (another
workspace's contact is a 404), roles are checked on the server, and the ``do_*``
functions of ``harken.contacts.actions`` do the work."""

from __future__ import annotations

from typing import IO, cast

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.views.decorators.http import require_POST

from harken.contacts import actions
from harken.contacts.exports import csv_text
from harken.contacts.importing import ImportRefused, import_customers
from harken.contacts.linking import link_authors
from harken.contacts.models import Contact, Merge
from harken.contacts.standing import KINDS, listing
from harken.contacts.suggestions import suggest
from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.models import Role, Workspace
from harken.core.templatetags.ui import label, when
from harken.inbox.models import Conversation
from harken.listening.models import Mention

PAGE = 50
#: The largest customer file the page accepts (the command reads any size).
MAX_UPLOAD = 20 * 1024 * 1024
#: The contacts a list page shows, and the messages of evidence each; the export has all.
SHOWN, EVIDENCE = 100, 5
TITLES = {"advocates": "Advocates", "detractors": "Detractors", "recovered": "Recovered"}


def _workspace(request: WorkspaceRequest) -> Workspace:
    return request.workspace


def _can_edit(request: WorkspaceRequest) -> bool:
    return request.member.can(Role.RESPONDER)


@workspace_view()
def contact_list(request: WorkspaceRequest) -> HttpResponse:
    link_authors(_workspace(request))
    contacts = scoped(request, Contact).filter(merged_into=None)
    query, status = request.GET.get("q", "").strip()[:100], request.GET.get("status", "")
    if query:
        contacts = contacts.filter(
            Q(name__icontains=query)
            | Q(emails__icontains=query.lower())
            | Q(identities__handle__icontains=query.lower().removeprefix("@"))
        ).distinct()
    if status in Contact.Status.values:
        contacts = contacts.filter(status=status)
    contacts = contacts.annotate(identity_count=Count("identities")).prefetch_related("identities")
    page = Paginator(contacts.order_by("name", "pk"), PAGE).get_page(request.GET.get("page"))
    keep = urlencode({k: v for k, v in {"q": query, "status": status}.items() if v})
    return render(
        request,
        "contacts/contact_list.html",
        {
            "section": "inbox",
            "page": page,
            "query": query,
            "status": status,
            "statuses": Contact.Status.choices,
            "keep": keep,
        },
    )


@workspace_view()
def contact_detail(request: WorkspaceRequest, pk: int) -> HttpResponse:
    contact = access_object(request, Contact, pk, merged_into=None)
    identities = list(contact.identities.select_related("author"))
    authors = [i.author_id for i in identities if i.author_id]
    # By author alone (the identities are this workspace's): with the workspace as well,
    # SQLite walked the workspace's whole index instead of the author's (0.7 s at 50,000).
    mentions = Mention.objects.filter(author_id__in=authors)
    talks = set(mentions.exclude(conversation=None).values_list("conversation_id", flat=True))
    conversations = (
        scoped(request, Conversation).filter(pk__in=talks).order_by("-last_activity", "-id")[:50]
    )
    recent = mentions.select_related("author").order_by("-posted", "-id")[:30]
    feeling = mentions.filter(is_own=False).aggregate(
        **{s: Count("pk", filter=Q(sentiment=s)) for s in Mention.Sentiment.values}
    )
    merges = Merge.objects.filter(kept=contact).select_related("merged", "actor")[:10]
    return render(
        request,
        "contacts/contact_detail.html",
        {
            "section": "inbox",
            "contact": contact,
            "identities": identities,
            "conversations": conversations,
            "recent": recent,
            "feeling": feeling,
            "merges": merges,
            "statuses": Contact.Status.choices,
            "can_edit": _can_edit(request),
        },
    )


@require_POST
@workspace_view(Role.RESPONDER)
def contact_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    contact = access_object(request, Contact, pk, merged_into=None)
    try:
        actions.do_update_contact(
            contact,
            request.user,
            name=request.POST.get("name", contact.name),
            status=request.POST.get("status", contact.status),
            tags=request.POST.get("tags", ""),
            notes=request.POST.get("notes", ""),
        )
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, "Contact saved.")
    return redirect("contact_detail", pk=contact.pk)


@workspace_view()
def suggestions(request: WorkspaceRequest) -> HttpResponse:
    link_authors(_workspace(request))
    merges = scoped(request, Merge).select_related("kept", "merged", "actor")[:20]
    return render(
        request,
        "contacts/suggestions.html",
        {
            "section": "inbox",
            "suggestions": suggest(_workspace(request)),
            "merges": merges,
            "can_edit": _can_edit(request),
        },
    )


@require_POST
@workspace_view(Role.RESPONDER)
def merge(request: WorkspaceRequest) -> HttpResponse:
    kept = access_object(request, Contact, _pk(request.POST.get("keep")), merged_into=None)
    merged = access_object(request, Contact, _pk(request.POST.get("merge")), merged_into=None)
    reasons = request.POST.getlist("reason")[:10]
    try:
        actions.do_merge(kept, merged, request.user, [r[:300] for r in reasons])
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
        return redirect("contact_suggestions")
    flash.success(request, f"Merged {merged} into {kept}. You can undo it below.")
    return redirect("contact_suggestions")


@require_POST
@workspace_view(Role.RESPONDER)
def distinct(request: WorkspaceRequest) -> HttpResponse:
    one = access_object(request, Contact, _pk(request.POST.get("keep")), merged_into=None)
    other = access_object(request, Contact, _pk(request.POST.get("merge")), merged_into=None)
    try:
        actions.do_mark_distinct(one, other, request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, f"{one} and {other} will not be suggested again.")
    return redirect("contact_suggestions")


def _pk(raw: str | None) -> int:
    if not raw or not raw.isdigit():
        raise Http404("No such contact")
    return int(raw)


@require_POST
@workspace_view(Role.RESPONDER)
def merge_undo(request: WorkspaceRequest, pk: int) -> HttpResponse:
    record = access_object(request, Merge, pk)
    try:
        actions.do_undo_merge(record, request.user)
    except ValidationError as exc:
        flash.error(request, " ".join(exc.messages))
    else:
        flash.success(request, f"Undone: {record.merged} is a contact of its own again.")
    return redirect("contact_suggestions")


@workspace_view(Role.MANAGER)
def import_page(request: WorkspaceRequest) -> HttpResponse:
    report, refused = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            refused = "Choose a CSV file to import."
        elif upload.size and upload.size > MAX_UPLOAD:
            refused = f"{upload.name} is over 20 MB: import it with `harken contacts import`."
        else:
            try:
                report = import_customers(
                    _workspace(request),
                    cast(IO[bytes], upload.file),
                    upload.name or "file",
                    request.user,
                )
            except ImportRefused as exc:
                refused = str(exc)
        if report is not None and report.ok:
            flash.success(
                request, f"Imported: {report.created} new contacts, {report.updated} updated."
            )
            return redirect("contact_list")
    status = 400 if refused or (report and not report.ok) else 200
    return render(
        request,
        "contacts/import.html",
        {"section": "inbox", "report": report, "refused": refused},
        status=status,
    )


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Http404("No such list")
    return kind


@workspace_view()
def standing_list(request: WorkspaceRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    link_authors(_workspace(request))
    rows = listing(_workspace(request), kind, limit=SHOWN, each=EVIDENCE)
    names: dict[str, str] = {}
    return render(
        request,
        "contacts/standing.html",
        {
            "section": "inbox",
            "kind": kind,
            "title": TITLES[kind],
            "rows": [
                (s, [_evidence_line(m, names) for m in shown], len(facts) - len(shown))
                for s in rows
                for shown, facts in [(s.evidence(kind), s.evidence_facts(kind))]
            ],
            "export": reverse("contact_standing_export", args=[kind]),
        },
    )


def _evidence_line(mention: Mention, names: dict[str, str]) -> SafeString:
    """One message of a contact's evidence as a list item, every value escaped.

    Drawn here, not by the template: a page shows up to 500 of them, and the template
    engine's lookups for each took most of the page's time (80 ms of CPU for 100 contacts).
    ``names`` keeps each network's name once a page (the filter reads the connector class).
    """
    if mention.network not in names:
        names[mention.network] = label(mention.network)
    link = mention.link
    original = (
        format_html(
            ' <a href="{}" rel="noopener noreferrer nofollow" target="_blank">Original</a>', link
        )
        if link
        else ""
    )
    return format_html(
        '<li><span class="badge {}">{}</span> <span class="muted">{} · {}</span> {}{}</li>',
        mention.sentiment,
        mention.get_sentiment_display(),
        names[mention.network],
        when(mention.posted),
        mention.text,
        original,
    )


@workspace_view()
def standing_export(request: WorkspaceRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    link_authors(_workspace(request))
    header = ["name", "e-mail", "status", "identities", "positive", "negative", "reach"]
    header += ["answered at", "message posted", "sentiment", "message", "link"]
    rows = []
    for s in listing(_workspace(request), kind, each=None):
        c = s.contact
        who = "; ".join(f"{i.network}:@{i.handle}" for i in c.identities.all())
        base = [c.name, c.email, c.get_status_display(), who, s.positive, s.negative, s.reach]
        base.append(s.answered_at.isoformat() if s.answered_at else "")
        for m in s.evidence(kind):
            rows.append([*base, m.posted.isoformat(), m.sentiment, m.text, m.link])
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}.csv"'
    return response
