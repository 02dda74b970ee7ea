"""Source health: what Harken reads from, whether it worked, and when it reads next;
and managing sources: add a web feed (``harken.listening.feeds``) or a search
(``harken.listening.searches``), edit one, delete one (``harken.listening.sources``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.actions import audit
from harken.core.refused import bind, refused
from harken.listening.feeds import FeedForm, do_add_feed
from harken.listening.models import Mention, Source
from harken.listening.polling import POLLED
from harken.listening.searches import SearchForm, do_add_search
from harken.listening.sources import (
    MANAGED,
    SourceForm,
    check_managed,
    do_delete_source,
    do_edit_source,
    may_manage_sources,
)


def sources_with_health(request: WorkspaceRequest) -> QuerySet[Source]:
    """The workspace's sources with ``items_24h``, in one query however many there are.

    The count is a subquery per source, read from the (source, ingested) index alone: a
    join of every mention, grouped on every column of the source, took 0.2–0.9 s at
    50,000 mentions."""
    day_ago = timezone.now() - timedelta(days=1)
    last_day = (
        Mention.objects.filter(source=OuterRef("pk"), ingested__gte=day_ago)
        .order_by()
        .values("source")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        scoped(request, Source)
        .select_related("account")
        .annotate(items_24h=Coalesce(Subquery(last_day), 0))
        .order_by("name", "pk")
    )


@workspace_view()
def source_list(request: WorkspaceRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request: WorkspaceRequest, **forms_: object) -> HttpResponse:
    """The sources page; a refused add's page passes its form, with its errors, in ``forms_``."""
    workspace = request.workspace
    may_manage = may_manage_sources(request)  # one authority lookup, not one per flag
    sources = list(sources_with_health(request))  # the page shows them all anyway
    context = {
        "sources": sources,
        "can_manage": may_manage,
        "can_edit": may_manage,
        "managed": MANAGED,
        "polled": POLLED,
        "section": "listening",
        "has_firehose": any(source.kind == Source.Kind.STREAM for source in sources),
        "x_usage": _x_usage(request, sources),
        "feed_form": FeedForm(),
        "search_form": SearchForm(workspace),
        **forms_,
    }
    return render(request, "listening/sources.html", context)


def check_may_run_sources(request: WorkspaceRequest) -> None:
    """Switching sources on and off, polling now, the live stream and the X spend cap
    answer to the owner's ``may_connect_accounts`` authority, as adding sources does."""
    if not may_manage_sources(request):
        raise PermissionDenied("Your role may not run the workspace's sources.")


def check_may_add(request: WorkspaceRequest) -> None:
    """Adding feeds and searches answers to the rule that editing them does."""
    if not may_manage_sources(request):
        raise PermissionDenied("Your role may not add feeds or searches to the workspace.")


# Adding a feed or a search posts to its own address; a refused one is sent back there
# (``harken.core.refused``), whose GET is the Sources page with that form as it was sent,
# so a reload is a plain GET. Kept apart, the two forms' refusals never mix.
@require_http_methods(["GET", "POST"])
@workspace_view()
def feed_add(request: WorkspaceRequest) -> HttpResponse:
    check_may_add(request)
    form = bind(request, FeedForm)
    if request.method != "POST":
        return _list_page(request, feed_form=form)
    if form.is_valid():
        try:
            source = do_add_feed(
                request.workspace,
                request.user,
                form.cleaned_data["url"],
                form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            messages.success(request, f"Harken now follows the feed “{source.name}”.")
            return redirect("source_list")
    return refused(request, form)


@require_http_methods(["GET", "POST"])
@workspace_view()
def search_add(request: WorkspaceRequest) -> HttpResponse:
    check_may_add(request)
    form = bind(request, SearchForm, workspace=request.workspace)
    if request.method != "POST":
        return _list_page(request, search_form=form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            source = do_add_search(
                request.workspace,
                request.user,
                data["network"],
                data["query"],
                data["account"],
                data["interval"],
            )
        except ValidationError as exc:
            form.add_error("query", exc)
        else:
            messages.success(request, f"Harken now runs the search “{source.name}”.")
            return redirect("source_list")
    return refused(request, form)


def _x_usage(request: WorkspaceRequest, sources: list[Source]) -> object | None:
    """This month's X reads and spend, shown where the workspace reads from X."""
    if not any(source.network == "x" for source in sources):
        return None
    from harken.networks.x.budget import usage_for

    return usage_for(request.workspace)


@require_POST
@workspace_view()
def source_x_cap(request: WorkspaceRequest) -> HttpResponse:
    """Set the workspace's monthly spend cap on X (reads are billed per post)."""
    check_may_run_sources(request)
    from harken.networks.models import NetworkBudget

    try:
        cap = Decimal(request.POST.get("monthly_cap", "").strip())
        if not cap.is_finite() or cap < 0 or cap > 100_000:
            raise InvalidOperation
    except InvalidOperation:
        messages.error(request, "The monthly cap must be an amount between 0 and 100000.")
        return redirect("source_list")
    workspace = request.workspace
    NetworkBudget.objects.update_or_create(
        workspace=workspace, network="x", defaults={"monthly_cap": cap.quantize(Decimal("0.01"))}
    )
    audit(workspace, request.user, "budget.set", "X monthly cap", monthly_cap=str(cap))
    messages.success(request, f"X monthly cap set to ${cap:.2f}.")
    return redirect("source_list")


@require_POST
@workspace_view()
def source_firehose(request: WorkspaceRequest) -> HttpResponse:
    """Add the Bluesky live stream: `harken jetstream` (started by `harken serve`) reads it."""
    check_may_run_sources(request)
    source, created = Source.objects.get_or_create(
        workspace=request.workspace,
        kind=Source.Kind.STREAM,
        network="bluesky",
        defaults={"name": "Bluesky live stream (all public posts)"},
    )
    if created:
        audit(source.workspace, request.user, "source.create", source)
    return redirect("source_list")


def _row(request: WorkspaceRequest, pk: int) -> HttpResponse:
    context = {
        "source": sources_with_health(request).get(pk=pk),
        "can_manage": True,
        "can_edit": may_manage_sources(request),
        "managed": MANAGED,
        "polled": POLLED,
    }
    return render(request, "listening/_source.html", context)


@require_POST
@workspace_view()
def source_toggle(request: WorkspaceRequest, pk: int) -> HttpResponse:
    source = access_object(request, Source, pk)
    check_may_run_sources(request)
    do_set_source_enabled(source, request.user, not source.enabled)
    return _row(request, source.pk)


def do_set_source_enabled(source: Source, actor: object, enabled: bool) -> Source:
    source.enabled = enabled
    fields = ["enabled"]
    if enabled:  # a re-enabled source is read at once, its old backoff forgotten
        source.next_poll, source.failures = None, 0
        fields += ["next_poll", "failures"]
    source.save(update_fields=fields)
    audit(source.workspace, actor, "source.enabled" if enabled else "source.disabled", source)
    return source


@require_POST
@workspace_view()
def source_poll(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Poll now: queued for a worker (run inline when the queue is immediate)."""
    from harken.listening.tasks import poll_source_task

    source = access_object(request, Source, pk, kind__in=POLLED)
    check_may_run_sources(request)
    audit(source.workspace, request.user, "source.poll_now", source)
    poll_source_task(source.pk, force=True)
    return _row(request, source.pk)


def access_managed_source(request: WorkspaceRequest, pk: int) -> Source:
    """A feed or search of this workspace (404 for another's) that the member may change."""
    source = access_object(request, Source, pk)
    if not may_manage_sources(request):
        raise PermissionDenied("Your role may not change the workspace's feeds and searches.")
    return source


def _refused(request: WorkspaceRequest, source: Source) -> HttpResponse | None:
    """Sources that come with an account, the live stream and imports: say why not."""
    try:
        check_managed(source)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("source_list")
    return None


def _back_to_list(request: WorkspaceRequest) -> HttpResponse:
    if request.htmx:
        return HttpResponseClientRedirect(reverse("source_list"))
    return redirect("source_list")


@workspace_view()
def source_edit(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """A search's query and interval, a feed's name and interval. The form posts with
    htmx where it can and as a plain form where it cannot.

    Refused, a plain post is redirected to this page's GET with the form as it was sent
    (``harken.core.refused``), so a reload does not post again. An htmx post is answered
    in place with the form and its errors: htmx swaps it into the page without a
    navigation, so the page's URL stays this GET and no reload can post it again."""
    source = access_managed_source(request, pk)
    if (not_managed := _refused(request, source)) is not None:
        return not_managed
    if request.method == "POST":
        form = SourceForm(source, request.POST)
    else:
        form = bind(request, SourceForm, source=source)
    if request.method == "POST" and form.is_valid():
        try:
            changes = do_edit_source(source, request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("query" if "query" in form.fields else None, exc)
        else:
            saved = "Saved" if changes else "Nothing changed in"
            messages.success(request, f"{saved} “{source.name}”.")
            return _back_to_list(request)
    context = {"source": source, "form": form, "section": "listening"}
    if request.method == "POST":
        if request.htmx:
            # 200, not 400: htmx does not swap an error status in, and the form with its
            # messages is exactly what should replace the one that was sent.
            return render(request, "listening/_source_form.html", context)
        return refused(request, form)
    return render(request, "listening/source_form.html", context)


@workspace_view()
def source_delete(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """GET asks (a page, or the row turned into the question under htmx); POST deletes."""
    source = access_managed_source(request, pk)
    if (not_managed := _refused(request, source)) is not None:
        return not_managed
    if request.method != "POST":
        context = {"source": source, "kept": source.mentions.count(), "section": "listening"}
        template = "_source_delete_row" if request.htmx else "source_delete"
        return render(request, f"listening/{template}.html", context)
    name = source.name
    kept = do_delete_source(source, request.user)
    if request.htmx:
        return HttpResponse("")  # the row is swapped for nothing
    kept_note = f"; the {kept} mention{'s' if kept != 1 else ''} it found stay" if kept else ""
    messages.success(request, f"Deleted “{name}”{kept_note}.")
    return redirect("source_list")
