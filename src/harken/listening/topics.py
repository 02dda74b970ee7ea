"""State changes of topics. Each ``do_*`` function validates the query, saves, and audits.

A malformed query is never saved, whichever way it arrives (form, demo, API): the
``do_*`` functions parse it first and raise ``QueryError`` with its position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from harken.core.actions import audit
from harken.core.models import Workspace
from harken.listening.matcher import Item, compile_topics
from harken.listening.models import Mention, Topic
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


@transaction.atomic
def do_delete_topic(topic: Topic, actor: Any) -> None:
    audit(topic.workspace, actor, "topic.delete", topic, query=topic.query, kind=topic.kind)
    topic.delete()


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
