"""The stream: mentions as they arrive, filtered, searched, and corrected in one click.

One view serves the page, its "load more" (``before``) and its 15-second poll for new
arrivals (``newer``); htmx requests get the partial. Mention text is attacker-controlled:
the templates only ever autoescape it.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from harken.core.access import WorkspaceRequest, access_object, scoped, workspace_view
from harken.core.actions import audit
from harken.core.models import Role
from harken.core.views.bell import STOP_POLLING
from harken.listening.cards import CardAuthor, CardOptions, render_cards
from harken.listening.enrich import optional_module
from harken.listening.filters import ANCHORS, INTENTS, PANEL, StreamFilter
from harken.listening.models import Author, Mention, Source

PAGE = 25
#: The most ids a poll for new arrivals looks at (the next poll goes on from there).
ARRIVALS_SCAN = 500


#: The columns a card shows; the others (JSON scores and key phrases among them) stay unread.
CARD_FIELDS = (
    "network",
    "author",
    "text",
    "url",
    "posted",
    "is_own",
    "rating",
    "language",
    "sentiment",
    "intents",
    "priority",
    "priority_reasons",
)


def stream_mentions(request: WorkspaceRequest) -> QuerySet[Mention]:
    """The workspace's mentions with what a card shows, newest first, in one query;
    ``_card_context`` reads their authors and topics' names in two more.

    Authors are read apart, not joined: PostgreSQL cannot estimate how many rows a search
    keeps (``lower(text) LIKE``), guesses one, and joined authors by a nested loop that
    scanned the author table once per mention (minutes for a word in every mention).
    """
    return (
        scoped(request, Mention)
        .exclude(kind="message")  # a direct message is private: the inbox shows it
        .only(*CARD_FIELDS)
        .annotate(duplicate_count=_reshare_count())
        .order_by("-posted", "-id")
    )


def _reshare_count() -> RawSQL:
    # A correlated subquery, not annotate(Count("duplicates")): the join and GROUP BY made
    # the database aggregate every mention of the workspace before taking a page of 25.
    # This one runs for the rows shown only, each an index probe (mention_duplicates).
    # Written out rather than Subquery(...): Django took 0.9 ms to resolve and compile that
    # one for each page, three times the database's time for the whole page. The outer
    # table keeps its own name as its alias in every query Django builds on it.
    return RawSQL(_RESHARES, [])  # noqa: S611 - constant SQL, no parameter


_RESHARES = (
    'SELECT COUNT(*) FROM "listening_mention" AS reshare'
    ' WHERE reshare."duplicate_of_id" = "listening_mention"."id"'
)


def stream(request: HttpRequest) -> HttpResponse:
    """The stream page. Its poll for arrivals (``newer``) from a page whose session ended
    stops polling (htmx status 286) rather than drawing the sign-in form, where a redirect
    would lead htmx, into the stream."""
    if "newer" in request.GET and (
        not request.user.is_authenticated or getattr(request, "member", None) is None
    ):
        return HttpResponse("", status=STOP_POLLING)
    return _stream(request)


@workspace_view()
def _stream(request: WorkspaceRequest) -> HttpResponse:
    # The network select's choices; an htmx request (poll, load more) draws no filters.
    htmx = request.htmx
    networks = (
        [] if htmx else sorted(set(scoped(request, Source).values_list("network", flat=True)))
    )
    form = StreamFilter(request.GET or None, workspace=request.workspace, networks=networks)
    mentions = form.apply(stream_mentions(request))
    anchors = form.valid_data()
    # A page anchor that is no mention's number: said, and answered 400 (never a 500).
    bad = [form[name] for name in ANCHORS if form[name].errors]
    status = 400 if bad else 200
    if bad and htmx:
        return render(request, "listening/_filter_error.html", {"field": bad[0]}, status=status)
    if anchors.get("newer") is not None:
        return _arrivals(request, mentions, anchors["newer"])
    page = _page(mentions, anchors.get("before"))
    active = form.active()
    query = _query_without(request, *ANCHORS)
    context = {
        "form": form,
        "mentions": page,
        "more": page[-1].pk if len(page) == PAGE else None,
        "newest": None if htmx else _newest(),  # for the page's poller
        "query": query,
        # Said above the panel: the page anchors and the author (a link's, not a field's).
        "top_errors": [*bad, *([form["author"]] if form["author"].errors else [])],
        "panel_errors": [form[n] for n in PANEL if n not in ("since", "until") and form[n].errors],
        "panel_open": any(form[name].errors for name in PANEL),
        "active": [(label, _query_without(request, *ANCHORS, name)) for name, label in active],
        "searched": form.searched(),
        "section": "listening",
        **_card_context(request, page),
    }
    template = "listening/_stream_page.html" if htmx else "listening/stream.html"
    return render(request, template, context, status=status)


def _page(mentions: QuerySet[Mention], before: int | None) -> list[Mention]:
    if before is not None:
        # Keyset pagination on (posted, id): stable while new mentions arrive on top.
        anchor = mentions.filter(pk=before).values_list("posted", flat=True).first()
        if anchor is not None:
            # A range on posted (the stream index serves it) less the anchor's own time's
            # later ids: the same rows as (posted < t) OR (posted = t AND id < n), which
            # SQLite answered by walking the index from the top (9 ms, 40,000 deep).
            mentions = mentions.filter(posted__lte=anchor).exclude(posted=anchor, pk__gte=before)
    return list(mentions[:PAGE])


def _arrivals(request: WorkspaceRequest, mentions: QuerySet[Mention], newer: int) -> HttpResponse:
    """Mentions stored since the page was drawn (ids grow with ingestion), and a new poller.

    Every open stream asks every 15 seconds, and most often nothing is new. So the ids
    stored since come first, from the primary key's range (every workspace's, oldest
    first, ``ARRIVALS_SCAN`` at most); only when some are this workspace's are they read
    with the filters. Asked in one query, SQLite took the workspace's stream index and
    walked all of it to find that nothing was new (20 ms at 50,000 mentions).
    """
    stored = list(
        Mention.objects.filter(pk__gt=newer)
        .order_by("pk")
        .values_list("pk", "workspace_id")[:ARRIVALS_SCAN]
    )
    workspace = request.workspace.pk
    ours = [pk for pk, owner in stored if owner == workspace]
    fresh = list(mentions.filter(pk__in=ours)[:PAGE]) if ours else []
    context = {
        "mentions": fresh,
        # Past every id looked at: another workspace's are not looked at again.
        "newest": stored[-1][0] if stored else newer,
        "query": _query_without(request, *ANCHORS),
        **_card_context(request, fresh),
    }
    return render(request, "listening/_arrivals.html", context)


def _card_context(request: WorkspaceRequest, mentions: list[Mention]) -> dict[str, Any]:
    """The mention cards, drawn (listening/cards.py), and the links around them."""
    options = CardOptions(
        stream_url=reverse("listening"),
        correct_url=reverse("mention_correct", args=[_PK]).replace(str(_PK), "{pk}"),
        can_correct=request.member.can(Role.RESPONDER),
    )
    cards = render_cards(mentions, _authors(mentions), _topic_names(mentions), options)
    return {"cards": cards, "stream_url": options.stream_url}


def _authors(mentions: list[Mention]) -> dict[int, CardAuthor]:
    """The mentions' authors by id, in one query (rows, not models: what a card shows)."""
    if not mentions:
        return {}
    ids = {m.author_id for m in mentions}
    rows = Author.objects.filter(pk__in=ids).values_list("pk", "handle", "followers")
    return {pk: CardAuthor(handle, followers) for pk, handle, followers in rows}


def _topic_names(mentions: list[Mention]) -> dict[int, list[str]]:
    """Each mention's topic names, in the topics' order, in one query.

    Names, not Topic rows through prefetch_related: a related manager and a queryset per
    card cost more than the rows (a third of a 50-card page's drawing).
    """
    if not mentions:
        return {}
    links = (
        Mention.topics.through.objects.filter(mention_id__in=[m.pk for m in mentions])
        .order_by("topic__kind", "topic__name")
        .values_list("mention_id", "topic__name")
    )
    names: dict[int, list[str]] = {}
    for mention_id, name in links:
        names.setdefault(mention_id, []).append(name)
    return names


#: A stand-in id, reversed once for a page and replaced by each card's own.
_PK = 918273645


def _newest() -> int:
    """The highest mention id stored so far, in any workspace.

    Arrivals are asked for by id (``newer``), within the workspace and its filters, so any
    id stored before the page was drawn marks where they start; the table's highest is
    read from the primary key's end at once, where the workspace's own highest made
    SQLite walk the workspace's index and sort it (12 ms at 50,000 mentions).
    """
    return Mention.objects.aggregate(newest=Max("pk"))["newest"] or 0


def _query_without(request: WorkspaceRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


# One-click correction -------------------------------------------------------------------

LABELS = {
    "sentiment": {value for value, _ in Mention.Sentiment.choices},
    "intent": {value for value, _ in INTENTS},
}


@require_POST
@workspace_view(Role.RESPONDER)
def mention_correct(request: WorkspaceRequest, pk: int) -> HttpResponse:
    """Set a mention's sentiment or intent as a person says it is, and teach the analysis."""
    mention = access_object(request, Mention, pk)
    # The button pressed names the field and carries the label: sentiment=negative.
    fields = [field for field in LABELS if field in request.POST]
    if len(fields) != 1 or request.POST[fields[0]] not in LABELS[fields[0]]:
        return HttpResponse("Unknown correction.", status=400)
    field, label = fields[0], request.POST[fields[0]]
    do_correct_mention(request.workspace, request.user, mention, field, label)
    mentions = [stream_mentions(request).get(pk=mention.pk)]
    return HttpResponse(_card_context(request, mentions)["cards"])


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
