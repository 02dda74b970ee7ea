"""The analytics pages: the dashboard, one page per area, and each chart's CSV.

Thin views: the scope comes from the URL (``periods.scope_from``), every figure from the
rollups (``panels``); nothing here counts mentions. Any member may look (viewer role)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages as flash
from django.http import Http404, HttpResponse
from django.shortcuts import render

from harken.analytics import load, segments
from harken.analytics.charts.csv import chart_csv
from harken.analytics.headlines import Stat, headlines
from harken.analytics.models import ALL_ACCOUNTS, ALL_TOPICS, RollupState, Tally
from harken.analytics.panels import PANELS, Panel, chart_of
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


#: The filters each panel narrows by. A chosen filter a panel cannot honour is named on
#: it ("every topic"), so no figure silently shows more than the filters say. With an
#: account chosen, mentions are those its sources found (people mentioning it), not a
#: keyword search's, which belong to no account; share of voice compares the topics; the
#: business's own posts and followers have no topic and no segment. Response times
#: follow the conversation's first customer mention: its topics, the account it came
#: through, its author's segment (``rollups.response_groups``).
LISTENED = frozenset({"account", "network", "topic", "segment"})
OWN = frozenset({"account", "network"})
NARROWED_BY: dict[str, frozenset[str]] = {
    "mentions": LISTENED,
    "sentiment": LISTENED,
    "intents": LISTENED,
    "languages": LISTENED,
    "networks": LISTENED,
    "share-of-voice": frozenset({"account", "network", "segment"}),
    "drivers": LISTENED,
    "influence": LISTENED,
    "responses": frozenset({"account", "network", "topic", "segment"}),
    "people": frozenset(),
    "talk-to-listen": frozenset({"network"}),
    "content-mix": OWN,
    "followers": OWN,
    "posts": OWN,
    "engagement": OWN,
    "top-posts": OWN,
    "best-times": OWN,
    "clicks": OWN,
    # With a segment, the journey becomes the segment's people (``panels.journey``).
    "journey": OWN | {"segment"},
}
#: How a panel says that it shows more than a chosen filter.
NOT_NARROWED = {
    "account": "every account",
    "network": "every network",
    "topic": "every topic",
    "segment": "everyone: not split by segment",
}


def chosen_filters(scope: Scope) -> list[str]:
    return [
        name
        for name, value in (
            ("account", scope.account),
            ("network", scope.network),
            ("topic", scope.topic),
            ("segment", scope.segment),
        )
        if value
    ]


#: The panel whose filters each headline figure follows.
STAT_PANELS = {
    "mentions": "mentions",
    "positive": "sentiment",
    "share": "share-of-voice",
    "first-response": "responses",
    "within-goal": "responses",
    "followers": "followers",
}


def stats_naming_what_is_not_narrowed(stats: list[Stat], chosen: list[str]) -> list[Stat]:
    """The headline figures, each saying which chosen filters it shows more than."""
    named = []
    for stat in stats:
        honoured = NARROWED_BY.get(STAT_PANELS.get(stat.key, ""), frozenset())
        ignored = [NOT_NARROWED[f] for f in chosen if f not in honoured]
        note = " · ".join(part for part in (stat.note, *ignored) if part)
        named.append(replace(stat, note=note))
    return named


def name_what_is_not_narrowed(panel: Panel, chosen: list[str]) -> None:
    """Say on ``panel`` which chosen filters it shows more than."""
    ignored = [NOT_NARROWED[f] for f in chosen if f not in NARROWED_BY.get(panel.key, ())]
    if ignored:
        panel.sub = " · ".join([panel.sub, *ignored])


def _page(request: WorkspaceRequest, area: str) -> HttpResponse:
    scope = scope_from(request.workspace, request.GET)
    for problem in scope.problems:
        flash.warning(request, problem)
    label, keys = AREAS[area]
    shown = [PANELS[key](scope) for key in keys]
    chosen = chosen_filters(scope)
    for panel in shown:
        name_what_is_not_narrowed(panel, chosen)
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
        "stats": stats_naming_what_is_not_narrowed(headlines(scope), chosen)
        if area == "overview"
        else [],
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
        Tally.objects.filter(
            workspace=request.workspace, dimension="all", topic=ALL_TOPICS, account=ALL_ACCOUNTS
        )
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
