"""Mentions: the stream's filters and search, keyset pages, and one-click corrections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from harken.api.caller import Caller
from harken.api.errors import ApiError
from harken.core.access import access_object
from harken.core.models import Role
from harken.listening.filters import StreamFilter
from harken.listening.models import Mention, Topic
from harken.listening.views.stream import CARD_FIELDS, LABELS, do_correct_mention, stream_mentions

RESOURCE = "mentions"
#: The largest page a client may ask for.
MAX_LIMIT = 100
#: The filters of the stream the API accepts, by their query-string names.
#: What the API says of a mention beyond a stream card.
FIELDS = (*CARD_FIELDS, "external_id", "kind", "in_reply_to", "conversation", "duplicate_of")
FILTERS = ("q", "topic", "network", "sentiment", "intent", "language", "author", "since", "until")


@dataclass(frozen=True)
class Page:
    items: list[Mention]
    #: The ``before`` of the next page; None on the last.
    next_before: int | None


def filtered(caller: Caller, params: dict[str, Any]) -> QuerySet[Mention]:
    """The workspace's mentions narrowed by the stream's own filter form; any field it
    refuses is a 400 naming the field (the page leaves it out, an API says so)."""
    data = {k: str(v) for k, v in params.items() if v not in (None, "") and k in FILTERS}
    if params.get("reshares"):
        data["reshares"] = "on"
    form = StreamFilter(data, workspace=caller.workspace, networks=[])
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        raise ApiError(400, "invalid", " ".join(str(e) for e in errors), name)
    return form.apply(stream_mentions(caller.request))


def with_details(mentions: QuerySet[Mention]) -> QuerySet[Mention]:
    return (
        mentions.only(*FIELDS)
        .select_related("author")
        .prefetch_related(Prefetch("topics", Topic.objects.only("id", "name")))
    )


def list_mentions(
    caller: Caller, params: dict[str, Any], before: int | None = None, limit: int = 50
) -> Page:
    """A page of mentions, newest first; ``before`` is the last id of the previous page
    (keyset: stable while new mentions arrive on top)."""
    caller.needs(RESOURCE)
    limit = max(1, min(limit, MAX_LIMIT))
    mentions = filtered(caller, params)
    if before is not None:
        anchor = mentions.filter(pk=before).values_list("posted", flat=True).first()
        if anchor is None:
            raise ApiError(400, "invalid", "`before` is no mention of this list.", "before")
        # The stream's keyset, written the way its index serves it (see stream._page).
        mentions = mentions.filter(posted__lte=anchor).exclude(posted=anchor, pk__gte=before)
    items = list(with_details(mentions)[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, items[-1].pk if more and items else None)


def get_mention(caller: Caller, pk: int) -> Mention:
    caller.needs(RESOURCE)
    access_object(caller.request, Mention, pk)
    return with_details(stream_mentions(caller.request)).get(pk=pk)


def correct_mention(caller: Caller, pk: int, field: str, label: str) -> Mention:
    """Set a mention's sentiment or intent as a person says it is (the stream's one-click
    correction, which also teaches the analysis)."""
    caller.needs(RESOURCE, write=True, role=Role.RESPONDER)
    mention = access_object(caller.request, Mention, pk)
    if field not in LABELS:
        raise ApiError(400, "invalid", "Correct `sentiment` or `intent`.", "field")
    if label not in LABELS[field]:
        choices = ", ".join(sorted(LABELS[field]))
        raise ApiError(400, "invalid", f"A {field} is one of: {choices}.", "label")
    do_correct_mention(caller.workspace, caller.member.user, mention, field, label)
    return get_mention(caller, pk)
