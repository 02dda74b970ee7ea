"""State changes of topics. Each ``do_*`` function validates the query, saves, and audits.

A malformed query is never saved, whichever way it arrives (form, demo, API): the
``do_*`` functions parse it first and raise ``QueryError`` with its position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from harken.core.actions import audit
from harken.core.models import Workspace
from harken.listening.matcher import Item, compile_topics
from harken.listening.models import AlertEvent, AlertRule, Delivery, Mention, Topic
from harken.listening.query import parse

#: How many stored mentions the topic form's preview matches against.
PREVIEW_POOL = 1000
#: How many matching mentions the preview shows.
PREVIEW_SHOWN = 20

EDITABLE = ("name", "kind", "query", "enabled")


@transaction.atomic
def do_create_topic(
    workspace: Workspace, actor: Any, *, name: str, kind: str, query: str, enabled: bool = True
) -> Topic:
    parse(query)
    topic = Topic(workspace=workspace, name=name.strip(), kind=kind, query=query.strip())
    topic.enabled = enabled
    topic.full_clean(exclude=["workspace"])
    topic.save()
    audit(workspace, actor, "topic.create", topic, **{f: getattr(topic, f) for f in EDITABLE})
    return topic


@transaction.atomic
def do_update_topic(topic: Topic, actor: Any, **values: Any) -> Topic:
    """Change the given fields (name, kind, query, enabled); audit what changed, old and new."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Topics have no editable field {', '.join(sorted(unknown))}")
    if "query" in values:
        values["query"] = values["query"].strip()
        parse(values["query"])
    before = {f: getattr(topic, f) for f in values}
    for field, value in values.items():
        setattr(topic, field, value)
    changed = {f: [before[f], values[f]] for f in values if before[f] != values[f]}
    if changed:
        topic.full_clean(exclude=["workspace"])
        topic.save(update_fields=list(changed))
        audit(topic.workspace, actor, "topic.update", topic, **changed)
    return topic


class TopicInUse(Exception):
    """The topic has alert rules watching it; they must go (or change topic) first."""

    def __init__(self, rules: list[AlertRule]) -> None:
        self.rules = rules
        names = ", ".join(f"“{rule.name}”" for rule in rules)
        super().__init__(f"Alert rules watch this topic: {names}.")


def dependent_rules(topic: Topic) -> list[AlertRule]:
    """The alert rules that watch ``topic``, each with what deleting it would take along:
    ``event_count`` alerts noticed, ``pending_count`` deliveries not sent yet (first tries
    and retries) and ``held_count`` alerts waiting for a digest."""
    rule = OuterRef("pk")
    Status = Delivery.Status
    return list(
        topic.alert_rules.annotate(
            event_count=_count(AlertEvent.objects.filter(rule=rule), "rule"),
            pending_count=_count(
                Delivery.objects.filter(destination__rule=rule, status=Status.PENDING),
                "destination__rule",
            ),
            held_count=_count(
                AlertEvent.objects.filter(rule=rule, held=True, digest__isnull=True), "rule"
            ),
        ).order_by("name", "id")
    )


def _count(rows: QuerySet[Any], per: str) -> Coalesce:
    # Subqueries, not joins: two joined relations would multiply each other's counts.
    counted = rows.order_by().values(per).annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted), 0)


@transaction.atomic
def do_delete_topic(
    topic: Topic, actor: Any, *, with_rules: Iterable[int] | None = None
) -> list[str]:
    """Delete ``topic``; its mentions stay. Returns the names of the alert rules deleted.

    Alert rules that watch the topic are never deleted silently (with their history and
    any delivery still pending): without ``with_rules`` the delete raises ``TopicInUse``;
    with it, it must name exactly the rules that watch the topic now, so a rule added
    after the person read the confirmation stops the delete too.
    """
    rules = list(topic.alert_rules.select_for_update().order_by("name", "id"))
    if rules and {rule.pk for rule in rules} != set(with_rules or ()):
        raise TopicInUse(rules)
    for rule in rules:
        audit(topic.workspace, actor, "alert_rule.delete", rule, because="topic.delete")
        rule.delete()
    names = [rule.name for rule in rules]
    audit(
        topic.workspace,
        actor,
        "topic.delete",
        topic,
        query=topic.query,
        kind=topic.kind,
        alert_rules=names,
    )
    topic.delete()
    return names


@dataclass(frozen=True)
class Preview:
    """What a query would have matched among the workspace's latest stored mentions."""

    pool: int  # mentions looked at
    count: int  # of them, how many match
    shown: list[Mention]  # the first few matches, newest first


def preview_matches(workspace: Workspace, query: str) -> Preview:
    """Match ``query`` against the last ``PREVIEW_POOL`` mentions (raises ``QueryError``)."""
    parse(query)
    matcher = compile_topics([(0, query)])
    mentions = list(
        Mention.objects.filter(workspace=workspace)
        .select_related("author")
        .order_by("-posted")[:PREVIEW_POOL]
    )
    found = matcher.match_many(_items(mentions))
    matching = [m for m, topics in zip(mentions, found, strict=True) if topics]
    return Preview(pool=len(mentions), count=len(matching), shown=matching[:PREVIEW_SHOWN])


def _items(mentions: Iterable[Mention]) -> list[Item]:
    return [
        Item(
            text=m.text,
            language=m.language,
            network=m.network,
            author_handle=m.author.handle,
        )
        for m in mentions
    ]
