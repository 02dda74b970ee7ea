"""Daily rollups of mentions and conversations, kept current by the queue.

``catch_up`` (a periodic task) rolls up again every day that gained mentions since the
last mention it saw (an id watermark), and the days of the conversations that changed
since the last change it saw; ``roll_all`` back-fills every day after an import, or once
after an upgrade changed the rows' ``FORMAT``, counting its progress on ``RollupState``.
Rolling up a day deletes its rows and writes them again from the stored mentions, in one
transaction: running it twice, or after a crash, gives the same rows. Lower apps never
import analytics: the watermark finds their new rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from harken.analytics.days import bounds, span, zone_of
from harken.analytics.figures.durations import Durations
from harken.analytics.models import ALL_ACCOUNTS, ALL_TOPICS, ResponseDay, RollupState, Tally
from harken.core.models import Workspace
from harken.inbox.models import Conversation
from harken.inbox.priority import NOT_OWED
from harken.listening.bulk import insert_ignoring_conflicts
from harken.listening.models import Author, Mention
from harken.networks.registry import connector_class
from harken.publishing.models import Variant
from harken.publishing.states import State

#: The rows' format: a workspace whose rollups were written in another is rolled up
#: again, whole, by the queue's next catch-up (2: phrases, authors and response times
#: per topic, response times per account; 3: mentions per account too).
FORMAT = 3
#: Phrases and authors kept per day, network, topic and account: enough for the period's
#: leaders.
KEEP = 100
#: Mentions below the watermark looked at again: a batch that committed late (a slower
#: transaction that took its ids first) is still rolled up.
LOOKBACK = 2_000
#: Conversation days rolled up again every time, however quiet: answers and resolutions
#: change a conversation long after it began.
RECENT_DAYS = 2

Counts = list[int]  # count, reach, positive, negative
Progress = Callable[[int, int], None]


def _inbound(workspace: Workspace) -> Iterable[Mention]:
    return Mention.objects.filter(workspace=workspace, is_own=False)


def roll_mention_day(workspace: Workspace, day: dt.date) -> int:
    """Write the tallies of ``day`` again from its mentions; returns the rows written."""
    start, end = bounds(day, zone_of(workspace))
    # Direct messages are private: they reach the inbox, never the public figures
    # (volume, share of voice, drivers) that speak of what people say in the open.
    mentions = Mention.objects.filter(
        workspace=workspace, is_own=False, posted__gte=start, posted__lt=end
    ).exclude(kind="message")
    rows = mentions.values_list(*MENTION_FIELDS)
    topics = topics_of(mentions)
    posts = our_posts(workspace)
    cube: dict[Cell, Counts] = defaultdict(lambda: [0, 0, 0, 0])
    for row in rows:
        network, sentiment, followers = row[1], row[2], row[7]
        reach = followers or 0
        pos, neg = int(sentiment == "positive"), int(sentiment == "negative")
        for topic, account, dimension, key in mention_cells(row, topics, posts):
            cell = cube[(network, topic, account, dimension, key)]
            cell[0] += 1
            cell[1] += reach
            cell[2] += pos
            cell[3] += neg
    written = [
        (workspace.pk, day, network, topic, account, dimension, key, *counts)
        for (network, topic, account, dimension, key), counts in _trimmed(cube)
    ]
    with transaction.atomic():
        Tally.objects.filter(workspace=workspace, day=day).delete()
        # By hand, not ``bulk_create``: its SQL compiler cost more than the database's
        # own work (150 us a row; a day holds a row per phrase and author of each topic).
        insert_ignoring_conflicts(Tally, TALLY_FIELDS, written)
    return len(written)


#: The columns a tally is written with, in the order of ``roll_mention_day``'s rows.
TALLY_FIELDS = (
    "workspace",
    "day",
    "network",
    "topic",
    "account",
    "dimension",
    "key",
    "count",
    "reach",
    "positive",
    "negative",
)


#: What a mention's cells are read from (``mention_cells`` takes a row of these).
MENTION_FIELDS = (
    "pk",
    "network",
    "sentiment",
    "language",
    "intents",
    "key_phrases",
    "author_id",
    "author__followers",
    "in_reply_to",
    "source__account_id",
)
#: A rollup cell: network, topic, account, dimension, key.
Cell = tuple[str, int, int, str, str]


def topics_of(mentions: Iterable[Mention]) -> dict[int, list[int]]:
    """Mention id → the ids of the topics it matched."""
    topics: dict[int, list[int]] = defaultdict(list)
    for mention_id, topic_id in Mention.topics.through.objects.filter(
        mention__in=mentions
    ).values_list("mention_id", "topic_id"):
        topics[mention_id].append(topic_id)
    return topics


def mention_cells(
    row: tuple, topics: dict[int, list[int]], posts: dict[tuple[str, str], int]
) -> list[tuple[int, int, str, str]]:
    """The (topic, account, dimension, key) cells one mention counts in (a row of
    ``MENTION_FIELDS``): shared by the daily rollup and a segment's figures. Each cell is
    counted under ``ALL_TOPICS`` and under every topic the mention matched, so a chosen
    topic's drivers and influence are its own, and so again under the account whose
    source found it (people mentioning it); replies to our posts only under
    ``ALL_TOPICS`` and ``ALL_ACCOUNTS`` (a post's engagement has neither)."""
    pk, network, sentiment, language, intents, phrases, author, _, parent, account = row
    cells: list[tuple[int, int, str, str]] = []
    said = {str(phrase)[:255] for phrase in phrases or ()}
    for topic in (ALL_TOPICS, *topics.get(pk, ())):
        for found_by in (ALL_ACCOUNTS, account) if account else (ALL_ACCOUNTS,):
            cells += [
                (topic, found_by, "all", ""),
                (topic, found_by, "sentiment", sentiment or "unrated"),
                (topic, found_by, "language", language or "und"),
                (topic, found_by, "author", str(author)),
            ]
            cells += [(topic, found_by, "intent", str(intent)) for intent in set(intents or ())]
            cells += [(topic, found_by, "phrase", phrase) for phrase in said]
    variant = posts.get((network, parent)) if parent else None
    if variant is not None:
        cells.append((ALL_TOPICS, ALL_ACCOUNTS, "post", str(variant)))
    return cells


def _trimmed(cube: dict[Cell, Counts]) -> list[tuple[Cell, Counts]]:
    """Every cell, but only the ``KEEP`` busiest phrases (by count) and authors (by reach)
    of each network, topic and account: a day's long tail of one-off phrases would
    outweigh the figures, and a small topic's phrases must not be crowded out by the
    whole's."""
    kept, ranked = [], defaultdict(list)
    for cell, counts in cube.items():
        if cell[3] in ("phrase", "author"):
            ranked[cell[:4]].append((cell, counts))
        else:
            kept.append((cell, counts))
    for (_network, _topic, _account, dimension), cells in ranked.items():
        by = 1 if dimension == "author" else 0
        cells.sort(key=lambda item: (-item[1][by], -item[1][0], item[0][4]))
        kept.extend(cells[:KEEP])
    return kept


def our_posts(workspace: Workspace) -> dict[tuple[str, str], int]:
    """(network, external id) → variant id of the workspace's published posts: a mention
    that answers one counts as a reply to that post (its engagement)."""
    rows = Variant.objects.filter(
        workspace=workspace, state=State.PUBLISHED, external_id__gt=""
    ).values_list("account__network", "external_id", "pk")
    return {(network, external): pk for network, external, pk in rows}


#: What a conversation's response times are read from (``response_groups`` takes these).
CONVERSATION_FIELDS = (
    "pk",
    "network",
    "intent",
    "assignee_id",
    "first_message_at",
    "first_response_at",
    "resolved_at",
)
#: A group of conversations: network, intent, assignee, topic, account.
ResponseKey = tuple[str, str, int, int, int]


@dataclass(frozen=True)
class FirstMention:
    """What a conversation's first customer mention says about it: what it was about
    when it began (the conversation's own intent follows what is still unanswered and
    empties once we answer), the topics it matched, our account it came through."""

    intent: str
    topics: tuple[int, ...]
    account: int
    author: int


@dataclass
class ResponseGroup:
    """Conversations of one group, with the seconds to our first answer and resolution."""

    conversations: int = 0
    first_response: list[int] = field(default_factory=list)
    resolution: list[int] = field(default_factory=list)


def roll_response_day(workspace: Workspace, day: dt.date) -> int:
    """Write the response times of the conversations that began on ``day`` again, as
    histograms per network, intent, assignee, topic and account (``figures.durations``)."""
    start, end = bounds(day, zone_of(workspace))
    conversations = list(
        Conversation.objects.filter(
            workspace=workspace, first_message_at__gte=start, first_message_at__lt=end
        ).values_list(*CONVERSATION_FIELDS)
    )
    conversations = owed_an_answer(conversations)
    groups = response_groups(conversations, first_mentions([row[0] for row in conversations]))
    with transaction.atomic():
        ResponseDay.objects.filter(workspace=workspace, day=day).delete()
        ResponseDay.objects.bulk_create(
            ResponseDay(
                workspace=workspace,
                day=day,
                network=network,
                intent=intent,
                assignee=assignee,
                topic=topic,
                account=account,
                conversations=g.conversations,
                first_response=Durations.of(g.first_response).to_bytes(),
                resolution=Durations.of(g.resolution).to_bytes(),
            )
            for (network, intent, assignee, topic, account), g in groups.items()
        )
    return len(groups)


def owed_an_answer(conversations: list[tuple]) -> list[tuple]:
    """The conversations (rows of ``CONVERSATION_FIELDS``) owed an answer: a web feed's
    article is read, never answered; a competitor's mention or a re-share is left
    unanswered on purpose (the inbox files it apart), unless we answered it after all."""
    return [
        row
        for row in conversations
        if _answerable(row[1]) and not (row[2] in NOT_OWED and row[5] is None)
    ]


def response_groups(
    conversations: list[tuple], first: dict[int, FirstMention]
) -> dict[ResponseKey, ResponseGroup]:
    """The conversations (rows of ``CONVERSATION_FIELDS``) grouped with their seconds to
    an answer and to resolution: each under ``ALL_TOPICS`` and once under every topic
    its first customer mention matched, like the tallies."""
    groups: dict[ResponseKey, ResponseGroup] = defaultdict(ResponseGroup)
    for pk, network, intent, assignee, began, answered, resolved in conversations:
        found = first.get(pk)
        about = (found.intent if found else "") or intent or ""
        account = found.account if found else 0
        for topic in (ALL_TOPICS, *(found.topics if found else ())):
            group = groups[(network, about, assignee or 0, topic, account)]
            group.conversations += 1
            for seconds, at in ((group.first_response, answered), (group.resolution, resolved)):
                if at is not None and began is not None and at >= began:
                    seconds.append(round((at - began).total_seconds()))
    return groups


#: A segment's response times are counted when asked, from at most this many of the
#: period's conversations its people took part in (the newest): the panel says so if more.
SEGMENT_CONVERSATIONS = 20_000


def segment_response_groups(
    workspace: Workspace,
    authors: QuerySet[Any, Any],
    start: dt.datetime,
    end: dt.datetime,
    limit: int = SEGMENT_CONVERSATIONS,
) -> tuple[dict[ResponseKey, ResponseGroup], bool]:
    """``response_groups`` of the conversations begun in [start, end) whose first
    customer mention's author is one of ``authors`` (a subquery of author ids: a
    segment's people), counted when asked, as ``roll_response_day`` counts a day; and
    whether they took part in more than ``limit`` (only the newest ``limit`` are read)."""
    heard = Mention.objects.filter(
        workspace=workspace, is_own=False, conversation__isnull=False, author_id__in=authors
    ).values("conversation_id")
    began = Conversation.objects.filter(
        workspace=workspace, first_message_at__gte=start, first_message_at__lt=end, pk__in=heard
    ).order_by("-first_message_at", "-pk")
    rows = list(began.values_list(*CONVERSATION_FIELDS)[: limit + 1])
    bounded = len(rows) > limit
    rows = owed_an_answer(rows[:limit])
    first = first_mentions([row[0] for row in rows])
    # One of them may have joined a conversation someone else began: not theirs.
    theirs = set(
        Author.objects.filter(pk__in=authors)
        .filter(pk__in={f.author for f in first.values()})
        .values_list("pk", flat=True)
    )
    rows = [row for row in rows if row[0] in first and first[row[0]].author in theirs]
    return response_groups(rows, first), bounded


def first_mentions(conversation_ids: list[int]) -> dict[int, FirstMention]:
    """Each conversation's first customer mention, as ``FirstMention``."""
    found: dict[int, FirstMention] = {}
    for start in range(0, len(conversation_ids), 500):
        # A row per mention and topic (one query, not a second for the topics): a
        # mention's rows follow each other in this order.
        rows = (
            Mention.objects.filter(conversation_id__in=conversation_ids[start : start + 500])
            .filter(is_own=False)
            .order_by("conversation_id", "posted", "pk")
            .values_list(
                "conversation_id", "pk", "intents", "source__account_id", "author_id", "topics"
            )
        )
        # (mention, intents, account, author) of each conversation's earliest.
        firsts: dict[int, tuple[int, list, int | None, int]] = {}
        topics: dict[int, set[int]] = defaultdict(set)
        for conversation, pk, intents, account, author, topic in rows:
            first = firsts.setdefault(conversation, (pk, intents, account, author))
            if first[0] == pk and topic is not None:
                topics[conversation].add(topic)
        for conversation, first in firsts.items():
            found[conversation] = FirstMention(
                intent=str(first[1][0]) if first[1] else "",
                topics=tuple(sorted(topics[conversation])),
                account=first[2] or 0,
                author=first[3],
            )
    return found


def _answerable(network: str) -> bool:
    try:
        return "reply" in connector_class(network).capabilities
    except KeyError:  # an imported row's network, with no connector
        return False


def mention_days(workspace: Workspace, after_id: int = 0) -> list[dt.date]:
    """The local days of the workspace's mentions with an id above ``after_id``."""
    days = (
        Mention.objects.filter(workspace=workspace, is_own=False, pk__gt=after_id)
        .annotate(local=TruncDate("posted", tzinfo=zone_of(workspace)))
        .values_list("local", flat=True)
        .distinct()
    )
    return sorted(set(days))


def conversation_days(workspace: Workspace, since: dt.datetime | None) -> list[dt.date]:
    """The days conversations that changed since ``since`` began on, and the last few."""
    zone = zone_of(workspace)
    changed = Conversation.objects.filter(workspace=workspace, first_message_at__isnull=False)
    if since is not None:
        changed = changed.filter(last_activity__gte=since)
    days = set(
        changed.annotate(local=TruncDate("first_message_at", tzinfo=zone))
        .values_list("local", flat=True)
        .distinct()
    )
    today = timezone.now().astimezone(zone).date()
    days.update(today - dt.timedelta(days=n) for n in range(RECENT_DAYS))
    return sorted(days)


def catch_up(workspace: Workspace, progress: Progress | None = None) -> int:
    """Roll up what changed since the last run; returns the days rolled up. Rows of an
    older ``FORMAT`` are all rolled up again instead (once: ``roll_all`` records it)."""
    state, _ = RollupState.objects.get_or_create(workspace=workspace)
    if state.format != FORMAT:
        return roll_all(workspace, progress)
    started = timezone.now()
    newest = Mention.objects.filter(workspace=workspace).aggregate(top=Max("pk"))["top"] or 0
    days: list[dt.date] = []
    if newest > state.mention_id:
        days = mention_days(workspace, max(0, state.mention_id - LOOKBACK))
    answered = conversation_days(workspace, state.conversations_at)
    _roll(state, days, answered, progress)
    state.mention_id = max(state.mention_id, newest)
    state.conversations_at = started
    state.save()
    return len(days) + len(answered)


def roll_all(workspace: Workspace, progress: Progress | None = None) -> int:
    """Back-fill: roll up every day from the first mention or conversation to today."""
    state, _ = RollupState.objects.get_or_create(workspace=workspace)
    started = timezone.now()
    newest = Mention.objects.filter(workspace=workspace).aggregate(top=Max("pk"))["top"] or 0
    zone = zone_of(workspace)
    first = [
        Mention.objects.filter(workspace=workspace).aggregate(at=Min("posted"))["at"],
        Conversation.objects.filter(workspace=workspace).aggregate(at=Min("first_message_at"))[
            "at"
        ],
    ]
    known = [at.astimezone(zone).date() for at in first if at is not None]
    today = timezone.now().astimezone(zone).date()
    days = span(min(known), today) if known else []
    if days:
        Tally.objects.filter(workspace=workspace).exclude(day__range=(days[0], days[-1])).delete()
    # Every day, not only those with mentions now: a day whose mentions were deleted
    # must lose its old rows too.
    _roll(state, days, days, progress)
    state.mention_id = newest
    state.conversations_at = started
    state.format = FORMAT
    state.save()
    return len(days)


def _roll(
    state: RollupState,
    mention_days: list[dt.date],
    conversation_days: list[dt.date],
    progress: Progress | None,
) -> None:
    """Roll up the days given, newest first (the dashboard's default range fills first),
    saving the progress every few days so the page can show a progress bar."""
    workspace = state.workspace
    jobs = [(day, roll_mention_day) for day in mention_days]
    jobs += [(day, roll_response_day) for day in conversation_days]
    jobs.sort(key=lambda job: job[0], reverse=True)
    state.days_total, state.days_done = len(jobs), 0
    state.save(update_fields=["days_total", "days_done", "updated"])
    for done, (day, roll) in enumerate(jobs, start=1):
        roll(workspace, day)
        if done % 10 == 0 or done == len(jobs):
            state.days_done = done
            state.save(update_fields=["days_done", "updated"])
            if progress is not None:
                progress(done, len(jobs))
