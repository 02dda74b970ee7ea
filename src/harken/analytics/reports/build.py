"""A report's content for one workspace and period: headline figures, charts (the
dashboard's own panels), the typical customer, and the summary written from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from harken.analytics import load
from harken.analytics.figures.rows import tallies
from harken.analytics.headlines import Stat, headlines
from harken.analytics.panels import PANELS, Panel, names_a_topic
from harken.analytics.periods import Period, Scope
from harken.analytics.reports import figure_lines, summary
from harken.analytics.voice_load import Typical, typical
from harken.core.models import Workspace

#: Every panel of the analytics pages, in the pages' order (listening, relationship,
#: audience): the report is the dashboard on paper, so no figure is left behind.
PANEL_KEYS = (
    "mentions",
    "sentiment",
    "share-of-voice",
    "drivers",
    "influence",
    "intents",
    "networks",
    "languages",
    "responses",
    "people",
    "talk-to-listen",
    "content-mix",
    "followers",
    "posts",
    "engagement",
    "top-posts",
    "best-times",
    "clicks",
    "journey",
)


@dataclass
class Report:
    workspace: Workspace
    scope: Scope
    cadence: str
    stats: list[Stat]
    lines: list[str]
    panels: list[Panel] = field(default_factory=list)
    typical: Typical | None = None

    @property
    def title(self) -> str:
        kind = {"weekly": "Weekly", "monthly": "Monthly"}.get(self.cadence, "")
        return (
            f"{self.workspace.name}: {kind + ' report' if kind else 'Report'}, {self.scope.period}"
        )

    @property
    def sections(self) -> list[tuple[Panel, list[str]]]:
        """Each panel with its figures beyond the chart, in words (the PDF and e-mail)."""
        return [(panel, figure_lines.lines(panel)) for panel in self.panels]

    @property
    def filename(self) -> str:
        p = self.scope.period
        return f"{self.workspace.slug}-report-{p.first}-{p.last}.pdf"


def complaint_counts(scope: Scope, period: Period) -> dict[str, int]:
    """Negative mentions per key phrase (the rollups' busiest phrases)."""
    rows = tallies(
        scope.workspace,
        period,
        "phrase",
        network=scope.network,
        account=scope.account,
        by=("key",),
        top="count",
        limit=200,
    )
    # A topic's or a business's name comes up in every mention it matched: no complaint.
    named = load.topics(scope)
    return {r.key: r.negative for r in rows if r.negative and not names_a_topic(r.key, named)}


def build(workspace: Workspace, period: Period, cadence: str = "") -> Report:
    # Compared with as many days just before (a month's charts draw both periods day by
    # day, so they must be as long): October against 31 August – 30 September.
    scope = Scope(workspace, period, compare="previous")
    before = period.previous()
    stats = headlines(scope)
    figures = [summary.Figure(s.label, s.change) for s in stats]
    lines = summary.summarise(
        figures,
        summary.complaints(complaint_counts(scope, period), complaint_counts(scope, before)),
    )
    return Report(
        workspace=workspace,
        scope=scope,
        cadence=cadence,
        stats=stats,
        lines=lines,
        panels=[PANELS[key](scope) for key in PANEL_KEYS],
        typical=typical(scope),
    )
