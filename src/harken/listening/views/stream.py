"""The stream: mentions as they arrive, filtered, searched, and corrected in one click.

One view serves the page, its "load more" (``before``) and its 15-second poll for new
arrivals (``newer``); htmx requests get the partial. Mention text is attacker-controlled:
the templates only ever autoescape it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from harken.core.access import access_object, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.listening.enrich import optional_module
from harken.listening.filters import INTENTS, StreamFilter
from harken.listening.models import Mention, Source

PAGE = 25


def stream_mentions(request: HttpRequest) -> QuerySet[Mention]:
    """The workspace's mentions with everything a card shows, in three queries.

    Authors are prefetched, not joined: PostgreSQL cannot estimate how many rows a search
    keeps (``lower(text) LIKE``), guesses one, and joined authors by a nested loop that
    scanned the author table once per mention (minutes for a word in every mention).
    """
    return (
        scoped(request, Mention)
        .prefetch_related("author", "topics")
        .annotate(duplicate_count=_reshare_count())
        .order_by("-posted", "-id")
    )


def _reshare_count() -> Coalesce:
    # A correlated subquery, not annotate(Count("duplicates")): the join and GROUP BY made
    # the database aggregate every mention of the workspace before taking a page of 25.
    # This one runs for the rows shown only, each an index probe (mention_duplicates).
    reshares = (
        Mention.objects.filter(duplicate_of=OuterRef("pk"))
        .order_by()
        .values("duplicate_of")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(reshares), 0)


@workspace_view()
def stream(request: HttpRequest) -> HttpResponse:
    networks = sorted(set(scoped(request, Source).values_list("network", flat=True)))
    form = StreamFilter(request.GET or None, workspace=request.workspace, networks=networks)  # type: ignore[attr-defined]
    mentions = form.apply(stream_mentions(request))
    newer = _int(request.GET.get("newer"))
    if newer is not None:
        return _arrivals(request, mentions, newer)
    page = _page(mentions, _int(request.GET.get("before")))
    context = {
        "form": form,
        "mentions": page,
        "more": page[-1].pk if len(page) == PAGE else None,
        "newest": _newest(request),
        "query": _query_without(request, "before", "newer"),
        "section": "listening",
        **_card_context(request),
    }
    template = "listening/_stream_page.html" if request.htmx else "listening/stream.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _page(mentions: QuerySet[Mention], before: int | None) -> list[Mention]:
    if before is not None:
        # Keyset pagination on (posted, id): stable while new mentions arrive on top.
        anchor = mentions.filter(pk=before).values_list("posted", flat=True).first()
        if anchor is not None:
            mentions = mentions.filter(Q(posted__lt=anchor) | Q(posted=anchor, pk__lt=before))
    return list(mentions[:PAGE])


def _arrivals(request: HttpRequest, mentions: QuerySet[Mention], newer: int) -> HttpResponse:
    """Mentions stored since the page was drawn (ids grow with ingestion), and a new poller."""
    fresh = list(mentions.filter(pk__gt=newer)[:PAGE])
    context = {
        "mentions": fresh,
        "newest": max([newer, *(m.pk for m in fresh)]),
        "query": _query_without(request, "before", "newer"),
        **_card_context(request),
    }
    return render(request, "listening/_arrivals.html", context)


def _card_context(request: HttpRequest) -> dict[str, Any]:
    """What a mention card needs besides the mention: who may correct it, and the labels."""
    return {
        "can_correct": request.member.can(Role.RESPONDER),  # type: ignore[attr-defined]
        "intents": INTENTS,
        "sentiments": Mention.Sentiment.choices,
    }


def _newest(request: HttpRequest) -> int:
    return scoped(request, Mention).order_by("-pk").values_list("pk", flat=True).first() or 0


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


# One-click correction -------------------------------------------------------------------

LABELS = {
    "sentiment": {value for value, _ in Mention.Sentiment.choices},
    "intent": {value for value, _ in INTENTS},
}


@require_POST
@workspace_view(Role.RESPONDER)
def mention_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a mention's sentiment or intent as a person says it is, and teach the analysis."""
    mention = access_object(request, Mention, pk)
    field, label = request.POST.get("field", ""), request.POST.get("label", "")
    if label not in LABELS.get(field, ()):
        return HttpResponse("Unknown correction.", status=400)
    do_correct_mention(request.workspace, request.user, mention, field, label)  # type: ignore[attr-defined]
    mention = stream_mentions(request).get(pk=mention.pk)
    context = {"m": mention, **_card_context(request)}
    return render(request, "listening/_mention.html", context)


def do_correct_mention(workspace: Any, user: Any, mention: Mention, field: str, label: str) -> None:
    before = mention.sentiment if field == "sentiment" else list(mention.intents)
    if field == "sentiment":
        mention.sentiment = label
        mention.save(update_fields=["sentiment"])
    else:
        mention.intents = [label]
        mention.save(update_fields=["intents"])
    audit(workspace, user, "mention.corrected", mention, field=field, before=before, after=label)
    analysis = optional_module("harken.analysis")
    correct = getattr(analysis, "do_correct", None) if analysis else None
    if correct is not None:  # the analysis app learns from it, when it is there
        correct(workspace, user, mention.text, field, label, f"{mention.network}:{mention.pk}")
