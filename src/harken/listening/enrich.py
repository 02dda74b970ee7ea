"""The pipeline's calls into other apps: topic matching, analysis and alert rules.

The analysis app is a lower app and always there: it is imported directly. The matcher and
the alert rules are imported lazily, and the pipeline keeps storing mentions when one is
absent or broken. A failed analysis leaves fields blank; a broken alert rule is logged,
never a lost batch.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from django.db import transaction
from django.utils import timezone

from harken.analysis import Analysis, AnalysisContext, analyze, priority
from harken.core.models import Workspace
from harken.listening.models import Topic
from harken.listening.normalize import Prepared
from harken.networks.base import NormalizedItem

log = logging.getLogger(__name__)


def optional_module(name: str) -> ModuleType | None:
    """The module, or None when it is not installed yet (another part of Harken)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def match_topics(workspace: Workspace, items: Sequence[NormalizedItem]) -> list[set[int]]:
    """The ids of the workspace's enabled topics each item matches."""
    matcher = optional_module("harken.listening.matcher")
    topics = list(Topic.objects.filter(workspace=workspace, enabled=True))
    if matcher is None or not topics or not items:
        return [set() for _ in items]
    compiled = matcher.compile_topics(topics)
    return [{_topic_id(topic) for topic in found} for found in compiled.match_many(items)]


def _topic_id(topic: Any) -> int:
    return int(getattr(topic, "pk", topic))


def analyze_rows(workspace: Workspace, rows: Sequence[Prepared]) -> list[dict[str, Any] | None]:
    """Mention fields from the analysis app for each row (None where the analysis failed).

    The business's own posts (``is_own``) get a language and key phrases but no sentiment,
    intents or priority: they are the business's voice, not what its customers think, and
    counting them would tilt every sentiment figure toward the business's own politeness.
    """
    if not rows:
        return []
    try:
        context = analysis_context(workspace)
        results = analyze(
            [row.text for row in rows], context, languages=[row.item.language for row in rows]
        )
        now = timezone.now()
        per_author = Counter((row.network, row.author_id) for row in rows)
        return [
            _fields(row, result, now, per_author[(row.network, row.author_id)])
            for row, result in zip(rows, results, strict=True)
        ]
    except Exception:
        # Mentions matter more than their enrichment: store them bare, say so in the log.
        log.exception("Analysis failed for a batch of %d mentions; stored without it", len(rows))
        return [None] * len(rows)


def analysis_context(workspace: Workspace) -> AnalysisContext:
    """What the workspace knows about itself: its brand and product names, its competitors.

    The brand's names are the workspace's name (without the demo's "Sample: " label), the
    names of its brand topics and the quoted phrases and @handles in their queries; the
    competitors' likewise from the competitor topics.
    """
    topics = Topic.objects.filter(workspace=workspace, enabled=True).values_list(
        "kind", "name", "query"
    )
    own = [workspace.name.removeprefix("Sample: ")]
    competitors: list[str] = []
    for kind, name, query in topics:
        if kind == Topic.Kind.BRAND:
            own += [name, *_query_names(query)]
        elif kind == Topic.Kind.COMPETITOR:
            competitors += [name, *_query_names(query)]
    return AnalysisContext(
        workspace_id=workspace.pk,
        products=_distinct(own),
        competitors=_distinct(competitors),
    )


_QUOTED = re.compile(r'"([^"]{2,80})"')
_HANDLE = re.compile(r"(?<![\w@])@\w{2,50}")


def _query_names(query: str) -> list[str]:
    """The quoted phrases and @handles of a topic's query: names, not search syntax."""
    return [*_QUOTED.findall(query or ""), *_HANDLE.findall(query or "")]


def _distinct(names: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        name = name.strip()
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def _fields(row: Prepared, result: Analysis, now: Any, recent: int) -> dict[str, Any]:
    own = row.item.is_own
    fields: dict[str, Any] = {
        "sentiment": "" if own else result.sentiment[:8],
        "sentiment_scores": {} if own else dict(result.sentiment_scores),
        "intents": [] if own else list(result.intents),
        "key_phrases": list(result.key_phrases)[:20],
    }
    # The network's declared language first: the author said which language they wrote in.
    fields["language"] = (row.item.language or result.language or "")[:8]
    if not own:
        rank = priority(
            result,
            followers=row.item.author_followers or 0,
            is_customer=False,
            waiting_seconds=max(0.0, (now - row.posted).total_seconds()),
            author_recent_count=recent,
        )
        fields["priority"] = max(0, min(100, rank.score))
        fields["priority_reasons"] = "; ".join(rank.reasons)[:255]
    return fields


def _alerts_evaluate() -> Callable[..., Any] | None:
    """``harken.listening.alerts.evaluate``, whether the package exports it or a module of it."""
    alerts = optional_module("harken.listening.alerts")
    found = getattr(alerts, "evaluate", None) if alerts else None
    if isinstance(found, ModuleType):
        found = getattr(found, "evaluate", None)
    if found is None and alerts is not None:
        module = optional_module("harken.listening.alerts.evaluate")
        found = getattr(module, "evaluate", None) if module else None
    return found if callable(found) else None


def evaluate_alerts(workspace: Workspace, mention_ids: Sequence[int]) -> None:
    """Run the workspace's alert rules on the batch, inside its transaction (so an alert is
    recorded exactly when its mentions are). A failing rule is logged, not fatal."""
    evaluate = _alerts_evaluate()
    if evaluate is None or not mention_ids:
        return
    from harken.listening.models import AlertRule, Mention

    # Most workspaces have no enabled rule: one small query then, instead of a savepoint
    # and the rules' query with their topics and destinations on every batch.
    if not AlertRule.objects.filter(workspace=workspace, enabled=True).exists():
        return

    # A lazy queryset: a workspace without rules never loads the batch again.
    mentions = Mention.objects.filter(pk__in=list(mention_ids)).select_related("author")
    try:
        with transaction.atomic():  # a savepoint: a broken rule rolls back only itself
            evaluate(workspace, mentions)
    except Exception:
        log.exception("Alert rules failed for a batch of %d mentions", len(mention_ids))
