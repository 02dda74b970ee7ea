"""The pipeline's calls into other apps: topic matching, analysis and alert rules.

Each is imported lazily: they are separate modules (the matcher, the analysis app, the
alert rules), and the pipeline must keep storing mentions when one is absent or broken.
A broken enrichment leaves fields blank; a broken alert rule is logged, never a lost batch.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

from django.db import transaction
from django.utils import timezone

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
    """Mention fields from the analysis app for each row (None where there is no analysis)."""
    analysis = optional_module("harken.analysis")
    if analysis is None or not hasattr(analysis, "analyze"):
        return [None] * len(rows)
    try:
        context = _context(analysis, workspace)
        results = analysis.analyze([row.text for row in rows], context)
        now = timezone.now()
        per_author = Counter((row.network, row.author_id) for row in rows)
        return [
            _fields(analysis, row, result, now, per_author[(row.network, row.author_id)])
            for row, result in zip(rows, results, strict=True)
        ]
    except Exception:
        # Mentions matter more than their enrichment: store them bare, say so in the log.
        log.exception("Analysis failed for a batch of %d mentions; stored without it", len(rows))
        return [None] * len(rows)


def _context(analysis: ModuleType, workspace: Workspace) -> Any:
    """An AnalysisContext with what the workspace knows: its name, competitors, industry."""
    factory = getattr(analysis, "AnalysisContext", None)
    if factory is None:
        return None
    topics = Topic.objects.filter(workspace=workspace, enabled=True).values_list("kind", "name")
    by_kind: dict[str, list[str]] = {}
    for kind, name in topics:
        by_kind.setdefault(kind, []).append(name)
    offered = {
        "workspace": workspace,
        "workspace_id": workspace.pk,
        "brand": workspace.name,
        "brand_names": [workspace.name, *by_kind.get("brand", [])],
        "brands": [workspace.name, *by_kind.get("brand", [])],
        "competitors": by_kind.get("competitor", []),
        "industry": by_kind.get("industry", []),
    }
    return factory(**_accepted(factory, offered))


def _accepted(factory: Any, offered: dict[str, Any]) -> dict[str, Any]:
    """Only the keyword arguments ``factory`` takes: the context's fields are its owner's call."""
    if dataclasses.is_dataclass(factory):
        names = {f.name for f in dataclasses.fields(factory)}
    else:
        try:
            names = set(inspect.signature(factory).parameters)
        except (TypeError, ValueError):
            return {}
    return {key: value for key, value in offered.items() if key in names}


def _fields(
    analysis: ModuleType, row: Prepared, result: Any, now: Any, recent: int
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "sentiment": (getattr(result, "sentiment", "") or "")[:8],
        "sentiment_scores": dict(getattr(result, "sentiment_scores", {}) or {}),
        "intents": list(getattr(result, "intents", ()) or ()),
        "key_phrases": list(getattr(result, "key_phrases", ()) or ())[:20],
    }
    language = row.item.language or getattr(result, "language", "") or ""
    fields["language"] = language[:8]
    scorer = getattr(analysis, "priority", None)
    if scorer is not None and not row.item.is_own:
        rank = scorer(
            result,
            followers=row.item.author_followers or 0,
            is_customer=False,
            waiting_seconds=max(0.0, (now - row.posted).total_seconds()),
            author_recent_count=recent,
        )
        fields["priority"] = max(0, min(100, int(getattr(rank, "score", 0))))
        fields["priority_reasons"] = "; ".join(map(str, getattr(rank, "reasons", ()) or ()))[:255]
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
