"""The analytics pages: the dashboard, one page per area, and each chart's CSV.

Thin views: the scope comes from the URL (``periods.scope_from``), every figure from the
rollups (``panels``); nothing here counts mentions. Any member may look (viewer role)."""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.shortcuts import render

from harken.analytics import load, segments
from harken.analytics.charts.csv import chart_csv
from harken.analytics.headlines import headlines
from harken.analytics.models import ALL_TOPICS, RollupState, Tally
from harken.analytics.panels import PANELS, chart_of
from harken.analytics.periods import COMPARISONS, RANGES, Scope, scope_from
from harken.core.access import WorkspaceRequest, workspace_view
from harken.listening.models import Mention
from harken.networks.registry import CONNECTORS

#: Each page: its tab's label and the panels it shows, in order.
AREAS = {
    "overview": (
        "Overview",
        [
            "mentions",
            "sentiment",
            "share-of-voice",
            "drivers",
            "engagement",
            "responses",
            "best-times",
        ],
    ),
    "listening": (
        "Listening",
        [
            "mentions",
            "sentiment",
            "share-of-voice",
            "drivers",
            "influence",
            "intents",
            "networks",
            "languages",
        ],
    ),
    "relationship": (
        "Relationship",
        ["responses", "people", "talk-to-listen", "content-mix"],
    ),
    "audience": (
        "Audience & posts",
        ["followers", "posts", "engagement", "top-posts", "best-times", "clicks", "journey"],
    ),
    # Pages of their own (voice_views, report_views): routed before the area pages.
    "typical-customer": ("Typical customer", []),
    "report": ("Reports", []),
}


#: The panels a segment filter narrows (the mention figures); the others (posts, answers,
#: followers) are the business's own and say that they show everyone.
SPLIT_BY_SEGMENT = frozenset(
    {
        "mentions",
        "sentiment",
        "share-of-voice",
        "drivers",
        "influence",
        "intents",
        "languages",
        "networks",
    }
)


def _page(request: WorkspaceRequest, area: str) -> HttpResponse:
    scope = scope_from(request.workspace, request.GET)
    for problem in scope.problems:
        flash.warning(request, problem)
    label, keys = AREAS[area]
    shown = [PANELS[key](scope) for key in keys]
    if scope.segment is not None:
        for panel in shown:
            if panel.key not in SPLIT_BY_SEGMENT:
                panel.sub = f"{panel.sub} · everyone: not split by segment"
    state = RollupState.objects.filter(workspace=request.workspace).first()
    context = {
        "section": "analytics",
        "title": "Analytics" if area == "overview" else f"Analytics · {label}",
        "area": area,
        "areas": [(key, name) for key, (name, _) in AREAS.items()],
        "scope": scope,
        "query": scope.query(),
        "ranges": RANGES,
        "comparisons": COMPARISONS,
        "topics": load.topics(scope),
        "accounts": load.accounts(scope),
        "networks": _networks(request),
        "stats": headlines(scope) if area == "overview" else [],
        "panels": shown,
        "segment_choices": segments.offered(request.workspace),
        "rollup": state,
        "never_rolled": state is None and _has_mentions(request),
        "nothing_yet": not _has_mentions(request),
    }
    return render(request, "analytics/page.html", context)


def _networks(request: WorkspaceRequest) -> list[str]:
    """The networks the workspace has heard from (the filter offers nothing else)."""
    heard = set(
        Tally.objects.filter(workspace=request.workspace, dimension="all", topic=ALL_TOPICS)
        .values_list("network", flat=True)
        .distinct()
    )
    return [n for n in CONNECTORS if n in heard]


def _has_mentions(request: WorkspaceRequest) -> bool:
    return Mention.objects.filter(workspace=request.workspace).exists()


@workspace_view()
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    return _page(request, "overview")


@workspace_view()
def area(request: WorkspaceRequest, area: str) -> HttpResponse:
    if area not in AREAS or area == "overview" or not AREAS[area][1]:
        raise Http404("No such page")
    return _page(request, area)


@workspace_view()
def chart_download(request: WorkspaceRequest, key: str) -> HttpResponse:
    """One chart's table as CSV, for the scope in the URL."""
    scope: Scope = scope_from(request.workspace, request.GET)
    panel_key = key.removesuffix("-reach")
    if panel_key not in PANELS:
        raise Http404("No such chart")
    chart = chart_of(PANELS[panel_key](scope), key)
    if chart is None:
        raise Http404("No such chart")
    response = HttpResponse(chart_csv(chart), content_type="text/csv; charset=utf-8")
    name = f"{request.workspace.slug}-{key}-{scope.period.first}-{scope.period.last}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
