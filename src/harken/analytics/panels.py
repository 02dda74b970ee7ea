"""Each figure as a panel of a page: loaded for a scope, computed, drawn as a chart.

A panel is found by its key (``PANELS``): the pages list the keys they show, and the CSV
download computes the same panel again and writes its table."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

from django.conf.locale import LANG_INFO
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from harken.analytics import load, segments
from harken.analytics.charts import Bar, Chart, Series, bars, funnel, heatmap, line, stacked
from harken.analytics.charts.chart import Cell
from harken.analytics.days import zone_of
from harken.analytics.figures import audience, listening, relationship
from harken.analytics.figures.rows import Row, tallies
from harken.analytics.models import ALL_TOPICS
from harken.analytics.periods import Period, Scope, today_in
from harken.analytics.rollups import SEGMENT_CONVERSATIONS
from harken.contacts import standing
from harken.contacts.standing import KINDS
from harken.listening.models import Author, Mention, Topic
from harken.networks.registry import network_label
from harken.publishing.gate import rules_for
from harken.publishing.models import Variant

#: What each figure sums the rollups by (see ``rows.tallies``).
DAY, DAY_KEY, KEY, TOPIC = ("day",), ("day", "key"), ("key",), ("topic",)


@dataclass
class Panel:
    key: str
    title: str
    sub: str
    chart: Chart | None = None
    empty: str = ""
    #: Anything else the panel's template shows (examples, a legend).
    extra: dict[str, Any] = field(default_factory=dict)
    wide: bool = False


def _ends_today(scope: Scope) -> bool:
    return scope.period.last == today_in(scope.workspace)


def _day_labels(days: list[dt.date]) -> list[str]:
    return [f"{day:%-d %b}" for day in days]


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def language_name(code: str) -> str:
    """ "en" → "English"; a code Django does not know (or "und") stays as it is."""
    if code == "und":
        return "Undetermined"
    return str(LANG_INFO.get(code, {}).get("name") or code)


def mentions(scope: Scope) -> Panel:
    days = scope.period.days
    rows = tallies(
        scope.workspace,
        scope.period,
        "all",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=DAY,
        segment=scope.segment,
    )
    series = [
        Series(
            "Mentions",
            [float(n) for n in listening.per_day(rows, days)],
            partial_last=_ends_today(scope),
        )
    ]
    before = scope.before
    if before is not None:
        old = tallies(
            scope.workspace,
            before,
            "all",
            topic=scope.topic,
            network=scope.network,
            account=scope.account,
            by=DAY,
            segment=scope.segment,
        )
        series.append(
            Series(
                "Previous period", [float(n) for n in listening.per_day(old, before.days)], "light"
            )
        )
    total = listening.total(rows)
    chart = line(
        "mentions",
        "Mentions per day",
        f"{total} mentions from {scope.period}, with the period before as a grey line.",
        _day_labels(days),
        series,
    )
    return Panel(
        "mentions",
        "Mentions per day",
        f"{total:,} mentions",
        chart,
        empty=_no_mentions(scope, total),
    )


def _no_mentions(scope: Scope, total: int) -> str:
    """What an empty period says (nothing when it holds mentions)."""
    if total:
        return ""
    if scope.account:
        return (
            "No mention of this account in this period: only the mentions its own sources "
            "found count for an account; a keyword search's belong to no account."
        )
    return "No mention in this period."


def sentiment(scope: Scope) -> Panel:
    days = scope.period.days
    rows = tallies(
        scope.workspace,
        scope.period,
        "sentiment",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=DAY_KEY,
        segment=scope.segment,
    )
    split = listening.sentiment_per_day(rows, days)
    chart = stacked(
        "sentiment",
        "Sentiment of mentions per day",
        "Positive, neutral and negative mentions on each day of the period.",
        _day_labels(days),
        [
            Series("Positive", [float(n) for n in split["positive"]], "positive"),
            Series("Neutral", [float(n) for n in split["neutral"]], "light"),
            Series("Negative", [float(n) for n in split["negative"]], "negative"),
        ],
    )
    rated = sum(sum(v) for v in split.values())
    return Panel(
        "sentiment",
        "Sentiment of mentions",
        f"{rated:,} rated mentions, per day; "
        f"{_positive_share({k: sum(v) for k, v in split.items()})}" + _positive_before(scope),
        chart,
        empty="" if rated else "No mention of this period has been rated yet.",
    )


def _positive_share(split: dict[str, int]) -> str:
    positive, rated = split["positive"], sum(split.values())
    return f"{100 * positive / rated:.0f} % positive" if rated else "none rated"


def _positive_before(scope: Scope) -> str:
    """The compared period's positive share, in words ("" without a comparison)."""
    before = scope.before
    if before is None:
        return ""
    rows = tallies(
        scope.workspace,
        before,
        "sentiment",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=KEY,
        segment=scope.segment,
    )
    return f" (before: {_positive_share(listening.sentiment_split(rows))})"


def share_of_voice(scope: Scope) -> Panel:
    topics = [
        (t.pk, t.name, t.kind) for t in load.topics(scope) if t.kind in ("brand", "competitor")
    ]
    ids = [t[0] for t in topics]
    rows = tallies(
        scope.workspace,
        scope.period,
        "all",
        topics=ids,
        network=scope.network,
        account=scope.account,
        by=TOPIC,
        segment=scope.segment,
    )
    before = scope.before
    old = (
        tallies(
            scope.workspace,
            before,
            "all",
            topics=ids,
            network=scope.network,
            account=scope.account,
            by=TOPIC,
            segment=scope.segment,
        )
        if before is not None
        else None
    )
    voices = listening.share_of_voice(rows, old, topics)
    has_competitor = any(t[2] == "competitor" for t in topics)
    chart = bars(
        "share-of-voice",
        "Share of voice",
        "Each brand and competitor topic's share of their mentions; the mark is the period before.",
        [
            Bar(
                v.name,
                round(v.mention_share, 1),
                round(v.before_share, 1) if v.before_share is not None else None,
                "accent" if v.kind == "brand" else "grey",
                strong=v.kind == "brand",
            )
            for v in voices
        ],
        unit=" %",
    )
    reach = bars(
        "share-of-voice-reach",
        "Share of voice by reach",
        "Each topic's share of the followers its mentions reached.",
        [
            Bar(v.name, round(v.reach_share, 1), colour="accent" if v.kind == "brand" else "grey")
            for v in voices
        ],
        unit=" %",
    )
    empty = ""
    if not has_competitor:
        empty = "Add a competitor topic under Listening › Topics to compare your voice with theirs."
    elif not sum(v.mentions for v in voices):
        empty = "No mention of your brand or competitors in this period."
    return Panel(
        "share-of-voice",
        "Share of voice",
        "Mentions of you and your competitors; the mark is the period before",
        chart,
        empty=empty,
        extra={"voices": voices, "reach": reach},
    )


def drivers(scope: Scope) -> Panel:
    rows = tallies(
        scope.workspace,
        scope.period,
        "phrase",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=KEY,
        top="count",
        limit=200,
        segment=scope.segment,
    )
    before = scope.before or scope.period.previous()
    old = tallies(
        scope.workspace,
        before,
        "phrase",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=KEY,
        keys=[r.key for r in rows],
        segment=scope.segment,
    )
    named = load.topics(scope)  # once: it is a query, and there are up to 200 rows
    rows = [r for r in rows if not names_a_topic(r.key, named)]
    found = listening.drivers(rows, old, limit=8)
    chart = bars(
        "drivers",
        "What people talk about",
        "Key phrases and hashtags that rose most against the period before.",
        [
            Bar(d.phrase, d.now, d.before, "negative" if d.mostly_negative else "accent")
            for d in found
        ],
        columns=["Phrase", "Mentions", "Before"],
    )
    return Panel(
        "drivers",
        "Conversation drivers",
        "Phrases and hashtags rising against the period before",
        chart,
        empty="" if found else "No phrase came up twice in this period.",
        extra={
            "drivers": found,
            "examples": _examples(scope, [d.phrase for d in found[:4]], each=1),
        },
    )


def names_a_topic(phrase: str, topics: list[Topic]) -> bool:
    """Whether ``phrase`` is a topic's name, or holds a business's (a brand's or a
    competitor's) as whole words: names come up in every mention their topics match, so
    "rival rings" and "tried rival rings" drive nothing; "silver jewelry" still does
    under an industry topic named "jewelry"."""
    said = phrase.lower()
    words = f" {said} "
    for topic in topics:
        name = topic.name.lower().strip()
        if name == said or (topic.kind in BUSINESSES and name and f" {name} " in words):
            return True
    return False


#: Topic kinds that name a business.
BUSINESSES = ("brand", "competitor")


def _examples(scope: Scope, phrases: list[str], each: int = 2) -> dict[str, list[Mention]]:
    """A couple of recent mentions for each phrase, looked for among the period's latest
    3,000 of the scope's network, topic and segment (never a scan of the whole table)."""
    if not phrases:
        return {}
    start, end = load.instants(scope, scope.period)
    recent = Mention.objects.filter(
        workspace=scope.workspace, is_own=False, posted__gte=start, posted__lt=end
    )
    if scope.network:
        recent = recent.filter(network=scope.network)
    if scope.account:
        recent = recent.filter(source__account_id=scope.account)
    if scope.topic:
        recent = recent.filter(topics=scope.topic)
    if scope.segment is not None:
        recent = recent.filter(author_id__in=segments.authors(scope.workspace, scope.segment))
    picked: dict[str, list[int]] = {p: [] for p in phrases}
    # The stored list as text, searched for each phrase as JSON spells it (escaped on
    # SQLite, raw UTF-8 in PostgreSQL's jsonb): parsing 3,000 lists cost more than the rest.
    spelled = {p: {json.dumps(p), json.dumps(p, ensure_ascii=False)} for p in phrases}
    for pk, text in _latest(
        recent, EXAMPLES_AMONG, lambda: all(len(p) == each for p in picked.values())
    ):
        for phrase, forms in spelled.items():
            if len(picked[phrase]) < each and any(form in (text or "") for form in forms):
                picked[phrase].append(pk)
    wanted = [pk for ids in picked.values() for pk in ids]
    by_id = Mention.objects.select_related("author").in_bulk(wanted)
    return {p: [by_id[pk] for pk in ids if pk in by_id] for p, ids in picked.items()}


#: How many of the period's latest mentions are searched for a phrase's examples.
EXAMPLES_AMONG = 3000
#: Read a page at a time: the busiest phrases' examples are mostly among the first page,
#: and with a topic chosen each row costs a lookup of its topics (11,000 for 3,000).
EXAMPLES_PAGE = 500


def _latest(
    mentions: QuerySet[Mention], among: int, done: Callable[[], bool]
) -> Iterator[tuple[int, str]]:
    """The id and key phrases (as text) of the latest ``among`` of ``mentions``, newest
    first, a page at a time until ``done()`` says no more are needed."""
    rows = mentions.order_by("-posted", "-pk").values_list(
        "pk", "posted", Cast("key_phrases", TextField())
    )
    page, read = rows, 0
    while read < among:
        found = list(page[: min(EXAMPLES_PAGE, among - read)])
        for pk, _, text in found:
            yield pk, text
        read += len(found)
        if len(found) < EXAMPLES_PAGE or done():
            return
        pk, posted, _ = found[-1]
        page = rows.filter(Q(posted__lt=posted) | Q(posted=posted, pk__lt=pk))


def influence(scope: Scope) -> Panel:
    rows = tallies(
        scope.workspace,
        scope.period,
        "author",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=("key", "network"),
        top="reach",
        limit=10,
        segment=scope.segment,
    )
    found = listening.influence(rows, limit=10)
    authors = Author.objects.in_bulk([i.author for i in found])
    names = [f"@{authors[i.author].handle}" if i.author in authors else "" for i in found]
    # One handle on two networks is two authors: the network tells their bars apart.
    twice = {n for n in names if names.count(n) > 1}
    before = _reach_before(scope, found)
    chart = bars(
        "influence",
        "Who carries your name furthest",
        "Authors by the followers their mentions reached in the period; the mark is "
        "the same author's reach in the period before.",
        [
            Bar(
                (f"{name} ({network_label(i.network)})" if name in twice else name)
                or f"author {i.author}",
                i.reach,
                before.get((str(i.author), i.network), 0) if before is not None else None,
                colour={"positive": "positive", "negative": "negative"}.get(i.leaning, "grey"),
            )
            for name, i in zip(names, found, strict=True)
        ],
        columns=["Author", "Reach"],
    )
    # The table says what the colours say (a colour alone reaches no screen reader, no
    # CSV): each author's mentions and how they leaned, beside the reach the bars draw,
    # and the reach the same author carried in the period before.
    chart = replace(
        chart,
        columns=[
            "Author",
            "Reach",
            "Mentions",
            "Positive",
            "Negative",
            # After the sentiment: the e-mail keeps a table's first five columns.
            *(["Reach before"] if before is not None else []),
            "Leaning",
            "Network",
        ],
        rows=[
            [
                row[0],
                i.reach,
                i.mentions,
                i.positive,
                i.negative,
                *([before.get((str(i.author), i.network), 0)] if before is not None else []),
                i.leaning,
                network_label(i.network),
            ]
            for row, i in zip(chart.rows, found, strict=True)
        ],
    )
    return Panel(
        "influence",
        "Influence",
        "Authors by reach; green leaned positive, red negative",
        chart,
        empty="" if found else "No author in this period.",
        extra={"influencers": [(i, authors.get(i.author)) for i in found]},
    )


def _reach_before(
    scope: Scope, found: list[listening.Influencer]
) -> dict[tuple[str, str], int] | None:
    """The reach each of ``found`` carried in the period before (one sum over their
    keys only: never the whole author rollup twice)."""
    if scope.before is None:
        return None
    if not found:
        return {}
    rows = tallies(
        scope.workspace,
        scope.before,
        "author",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=("key", "network"),
        keys=sorted({str(i.author) for i in found}),
        segment=scope.segment,
    )
    return {(r.key, r.network): r.reach for r in rows}


def _breakdown_panel(scope: Scope, key: str, title: str, dimension: str, by: str) -> Panel:
    def counted(period: Period) -> list[tuple[str, int]]:
        rows = tallies(
            scope.workspace,
            period,
            dimension,
            topic=scope.topic,
            network=scope.network,
            account=scope.account,
            by=(by,),
            segment=scope.segment,
        )
        return listening.breakdown(rows, by)

    counts = counted(scope.period)[:8]
    before = dict(counted(scope.before)) if scope.before is not None else None
    label = {"network": network_label, "language": language_name}.get(
        by if by == "network" else dimension, _words
    )
    chart = bars(
        key,
        title,
        f"Mentions per {dimension if by == 'key' else 'network'} in the period; the mark "
        "is the period before.",
        [Bar(label(k), n, before.get(k, 0) if before is not None else None) for k, n in counts],
        columns=["", "Mentions", "Before"] if before is not None else ["", "Mentions"],
    )
    return Panel(key, title, f"Mentions of {scope.period}", chart, empty="" if counts else "None.")


#: Each intent's colour by what it means (a complaint is red wherever it ranks).
INTENT_COLOURS = {
    "complaint": "negative",
    "praise": "positive",
    "question": "accent",
    "purchase_intent": "amber",
}


def intents(scope: Scope) -> Panel:
    days = scope.period.days

    def counted(period: Period) -> list[Row]:
        return tallies(
            scope.workspace,
            period,
            "intent",
            topic=scope.topic,
            network=scope.network,
            account=scope.account,
            by=DAY_KEY,
            segment=scope.segment,
        )

    rows = counted(scope.period)
    totals = [(k, n) for k, n in listening.breakdown(rows) if k != "other"][:5]
    keys = [k for k, _ in totals]
    over = listening.per_day_by_key(rows, days, keys)
    spare = iter(("ink", "grey", "light"))
    chart = line(
        "intents",
        "What people want, per day",
        "Mentions per day of the most common intents.",
        _day_labels(days),
        [
            Series(
                _words(k),
                [float(n) for n in over[k]],
                INTENT_COLOURS.get(k) or next(spare),
                partial_last=_ends_today(scope),
            )
            for k in keys
        ],
    )
    before = dict(listening.breakdown(counted(scope.before))) if scope.before else None
    sub = " · ".join(
        f"{_words(k)} {n:,}" + (f" (before {before.get(k, 0):,})" if before is not None else "")
        for k, n in totals
    )
    return Panel(
        "intents",
        "Intents over time",
        sub or "Questions, complaints, praise…",
        chart,
        empty="" if keys else "No intent recognised in this period.",
        wide=True,
    )


def languages(scope: Scope) -> Panel:
    return _breakdown_panel(scope, "languages", "Languages", "language", "key")


def networks(scope: Scope) -> Panel:
    return _breakdown_panel(scope, "networks", "Networks", "all", "network")


def responses(scope: Scope) -> Panel:
    rows = load.response_rows(scope, scope.period)
    by_network = relationship.responses_by(rows, "network")
    by_intent = relationship.responses_by(rows, "intent")
    by_member = relationship.responses_by(rows, "assignee")
    users = get_user_model().objects.in_bulk([int(r.key) for r in by_member if r.key != "0"])
    member_names = {
        r.key: (str(users[int(r.key)]) if int(r.key) in users else "Unassigned") for r in by_member
    }
    chart = bars(
        "responses",
        "Median first response by network",
        "Median minutes from a customer's first message to our first answer.",
        # A network nobody was answered on has no median: a bar at 0 would read "instant".
        [
            Bar(network_label(r.key), round(r.median / 60, 1))
            for r in by_network
            if r.median is not None
        ],
        unit=" min",
        columns=["Network", "Median minutes"],
    )
    return Panel(
        "responses",
        "Response times",
        f"Conversations begun in {scope.period}; the goal is an answer within the hour"
        + _segment_bound(scope),
        chart,
        empty="" if rows else "No conversation began in this period.",
        extra={
            "overall": load.overall_responses(scope, scope.period),
            "groups": [
                ("Network", [(network_label(r.key), r) for r in by_network]),
                ("Intent", [(_words(r.key) if r.key else "None", r) for r in by_intent]),
                ("Member", [(member_names[r.key], r) for r in by_member]),
            ],
        },
        wide=True,
    )


def _segment_bound(scope: Scope) -> str:
    """What a segment's response times rest on: its people's conversations are counted
    when asked, from the newest ``SEGMENT_CONVERSATIONS`` they took part in at most."""
    if scope.segment is None:
        return ""
    _, bounded = load.segment_responses(scope, scope.segment, scope.period)
    if not bounded:
        return f"; conversations begun by {scope.segment}"
    return (
        f"; conversations begun by {scope.segment}, counted from the newest "
        f"{SEGMENT_CONVERSATIONS:,} they took part in (there were more)"
    )


def talk_to_listen(scope: Scope) -> Panel:
    """Posts we published against the conversations we answered (the response rollups:
    an answer counts whether it went out from Harken or from the network's own app) and
    the mentions we heard. Every account: mentions and answers are nobody's account, so
    the posts are counted for all of them too."""
    # The memo is shared: what this panel reads through it (the response rollups) is
    # the same for every account.
    scope = replace(scope, account=0)
    figure = _talk_and_listen(scope, scope.period)
    before = _talk_and_listen(scope, scope.before) if scope.before is not None else None
    chart = bars(
        "talk-to-listen",
        "Talk and listen",
        "Posts we published against the conversations we answered and the mentions we "
        "heard; the mark is the period before.",
        [
            Bar("Posts published", figure.posts, before.posts if before else None, colour="amber"),
            Bar("Answered", figure.answered, before.answered if before else None),
            Bar(
                "Mentions heard",
                figure.mentions,
                before.mentions if before else None,
                colour="grey",
            ),
        ],
        columns=["", "Count", "Before"] if before is not None else ["", "Count"],
    )
    return Panel(
        "talk-to-listen",
        "Talk-to-listen ratio",
        "Listen more than you talk: fewer posts than answers",
        chart,
        extra={"figure": figure, "before": before},
    )


def _talk_and_listen(scope: Scope, period: Period) -> relationship.TalkToListen:
    posts = load.published(scope, period).count()
    # Every topic's rows only (a conversation counts once there, and once more under
    # each of its topics), and everyone's: the panel does not narrow by topic or segment.
    everyone = replace(scope, topic=ALL_TOPICS, segment=None)
    answered = load.overall_responses(everyone, period).answered
    heard = listening.total(
        tallies(scope.workspace, period, "all", network=scope.network, by=TOPIC)
    )
    return relationship.TalkToListen(posts, answered, heard)


def content_mix(scope: Scope) -> Panel:
    rules = rules_for(scope.workspace.pk)

    def mixed(period: Period) -> relationship.ContentMix:
        categories = load.published(scope, period).values_list("post__category", flat=True)
        return relationship.content_mix(list(categories), rules.max_promotion_share)

    mix = mixed(scope.period)
    before = dict(mixed(scope.before).categories) if scope.before is not None else None
    chart = bars(
        "content-mix",
        "Content mix",
        f"Published posts per category; promotions and offers should stay under "
        f"{mix.target:.0f} %; the mark is the period before.",
        [
            Bar(
                _words(c),
                n,
                before.get(c, 0) if before is not None else None,
                colour="amber" if c in relationship.PROMOTIONS else "accent",
            )
            for c, n in mix.categories
        ],
        columns=["Category", "Posts", "Before"] if before is not None else ["Category", "Posts"],
    )
    return Panel(
        "content-mix",
        "Content mix",
        f"Promotion target: at most {mix.target:.0f} %",
        chart,
        empty="" if mix.categories else "Nothing published in this period.",
        extra={"mix": mix},
    )


def followers(scope: Scope) -> Panel:
    days = scope.period.days
    snaps = load.snapshots(scope, scope.period)
    names = {a.pk: f"{a.handle} ({network_label(a.network)})" for a in load.accounts(scope)}
    series = [
        Series(
            names.get(account, str(account)),
            [float(v) if v is not None else None for v in audience.followers_per_day(rows, days)],
            ("accent", "amber", "grey", "positive", "ink")[i % 5],
        )
        for i, (account, rows) in enumerate(sorted(snaps.items()))
    ]
    chart = line(
        "followers",
        "Followers per account",
        "Followers of each account on each day.",
        _day_labels(days),
        series,
    )
    gained = _followers_gained(scope)
    return Panel(
        "followers",
        "Followers over time",
        f"{gained}; a daily count from each account"
        if gained
        else "A daily count from each connected account",
        chart,
        empty=""
        if snaps
        else "No account has been counted yet: connect one under "
        "Settings › Accounts; Harken counts its followers every day.",
        extra={"gained": gained},
        wide=True,
    )


def _gained(scope: Scope, period: Period) -> int | None:
    found = [
        audience.gained(rows, period.first, period.last)
        for rows in load.snapshots(scope, period).values()
    ]
    known = [n for n in found if n is not None]
    return sum(known) if known else None


def _followers_gained(scope: Scope) -> str:
    """ "+100 followers in the period (before: +50)"; empty where no account was counted."""
    now = _gained(scope, scope.period)
    if now is None:
        return ""
    before = _gained(scope, scope.before) if scope.before is not None else None
    earlier = f" (before: {before:+,})" if before is not None else ""
    return f"{now:+,} followers in the period{earlier}".replace("-", "−")


def posts(scope: Scope) -> Panel:
    days = scope.period.days
    found = load.post_figures(scope, scope.period)
    zone = zone_of(scope.workspace)
    per_day = dict.fromkeys(days, 0)
    engaged = dict.fromkeys(days, 0)
    for post in found:
        local = post.published.astimezone(zone).date()
        if local in per_day:
            per_day[local] += 1
            engaged[local] += post.engagement
    chart = stacked(
        "posts",
        "Posts published per day",
        "Posts published on each day of the period.",
        _day_labels(days),
        [Series("Posts", [float(per_day[d]) for d in days])],
    )
    total = audience.engagement(found)
    rate = f", {total.rate:.1f} % engagement rate" if total.rate is not None else ""
    before = scope.before
    earlier = f" (before: {len(load.post_figures(scope, before))} posts)" if before else ""
    return Panel(
        "posts",
        "Posts published",
        f"{len(found)} posts drew {total.engagement:,} engagements{rate}{earlier}",
        chart,
        empty="" if found else "Nothing published in this period.",
    )


def engagement(scope: Scope) -> Panel:
    """Likes, comments and shares per post on each network, and the rate against the
    impressions (or, where the network counts none, the followers)."""
    found = load.post_figures(scope, scope.period)
    networks = audience.by_network(found)
    total = audience.engagement(found)
    before = scope.before
    old = audience.engagement(load.post_figures(scope, before)) if before is not None else None
    chart = bars(
        "engagement",
        "Engagement per post by network",
        "Likes, comments and shares per published post on each network; the mark is the "
        "period before.",
        [
            Bar(
                network_label(n.label),
                round(n.per_post, 1),
                _network_before(scope, before, n.label),
            )
            for n in networks
        ],
    )
    # The table (and CSV) carries each network's counts beside the bars: reach and
    # impressions stay empty where the network gives none, never a zero.
    chart = replace(
        chart,
        columns=["Network", "Per post", "Before", *ENGAGEMENT_COLUMNS],
        rows=[
            [
                network_label(n.label),
                round(n.per_post, 1),
                _network_before(scope, before, n.label),
                *_engagement_cells(n),
            ]
            for n in networks
        ],
    )
    rows = [(network_label(n.label), n) for n in networks]
    return Panel(
        "engagement",
        "Engagement",
        "Per post and per network; the rate divides by impressions, or by followers "
        "where the network counts none",
        chart,
        empty="" if found else "Nothing published in this period.",
        extra={"total": total, "before_total": old, "networks": rows},
        wide=True,
    )


ENGAGEMENT_COLUMNS = ["Posts", "Likes", "Comments", "Shares", "Impressions", "Reach", "Rate %"]


def _engagement_cells(n: audience.Engagement) -> list[Cell]:
    rate = round(n.rate, 1) if n.rate is not None else None
    return [n.posts, n.likes, n.comments, n.shares, n.impressions, n.reach, rate]


def _network_before(scope: Scope, before: Any, network: str) -> float | None:
    if before is None:
        return None
    old = [p for p in load.post_figures(scope, before) if p.network == network]
    return round(audience.engagement(old).per_post, 1) if old else None


def top_posts(scope: Scope) -> Panel:
    """The period's most engaging posts, with their counts and rate."""
    found = audience.top_posts(load.post_figures(scope, scope.period), limit=5)
    texts: dict[int, str] = {}
    urls: dict[int, str] = {}
    for pk, text, url in Variant.objects.filter(pk__in=[p.variant for p in found]).values_list(
        "pk", "text", "url"
    ):
        texts[pk] = text
        # Only a web address is linked: the network's answer is not ours to trust blindly.
        urls[pk] = url if url.startswith(("https://", "http://")) else ""

    chart = bars(
        "top-posts",
        "Top posts",
        "The period's posts with the most likes, comments and shares.",
        [Bar(_snippet(texts.get(p.variant, "")), p.engagement) for p in found],
        columns=["Post", "Engagements"],
    )
    chart = replace(
        chart,
        columns=[*chart.columns, "Network", "Impressions", "Reach"],
        rows=[
            [*row, network_label(p.network), p.impressions, p.reach]
            for row, p in zip(chart.rows, found, strict=True)
        ],
    )
    return Panel(
        "top-posts",
        "Top posts",
        "By likes, comments and shares" + _best_before(scope),
        chart,
        empty="" if any(p.engagement for p in found) else "No post drew engagement yet.",
        extra={
            "posts": [
                (p, texts.get(p.variant, ""), urls.get(p.variant, ""), network_label(p.network))
                for p in found
            ]
        },
        wide=True,
    )


def _best_before(scope: Scope) -> str:
    """The yardstick a top post is read against: the period before's best post."""
    if scope.before is None:
        return ""
    best = audience.top_posts(load.post_figures(scope, scope.before), limit=1)
    return f"; the period before's best drew {best[0].engagement:,}" if best else ""


def _snippet(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def best_times(scope: Scope) -> Panel:
    """Engagement per post by weekday and hour of publishing, over the last 90 days at
    least (fewer posts would leave most cells resting on one)."""
    period = scope.period
    if period.length < 90:
        period = type(period)(period.last - dt.timedelta(days=89), period.last)
    found = load.post_figures(scope, period)
    grid = audience.best_times(
        ((p.published, p.engagement) for p in found), zone_of(scope.workspace)
    )
    best = audience.best_cell(grid)
    chart = heatmap(
        "best-times",
        "Best times to post",
        "Likes, comments and shares per post by the weekday and hour it was published, in "
        "the business's time zone; each cell's table row says how many posts it rests on.",
        list(audience.WEEKDAYS),
        [f"{h}h" for h in range(24)],
        [[c.per_post for c in row] for row in grid],
        [[c.posts for c in row] for row in grid],
    )
    return Panel(
        "best-times",
        "Best times to post",
        f"Engagement per post by weekday and hour, {period}, {scope.workspace.time_zone} time",
        chart,
        empty="" if found else "No post published in the last 90 days to learn from.",
        extra={"best": best, "weekdays": audience.WEEKDAYS},
        wide=True,
    )


def journey(scope: Scope) -> Panel:
    """From the followers a post could reach to the people who clicked and pledged, each
    stage beside the same stage of the period before; with a segment chosen, its people
    as far as they can be told apart."""
    if scope.segment is not None:
        return _segment_journey(scope, scope.segment)
    found = load.post_figures(scope, scope.period)
    stages = _journey_stages(scope, scope.period)
    before = scope.before
    old = _journey_stages(scope, before) if before is not None else None
    chart = funnel(
        "journey",
        "From followers to action",
        "Followers of the accounts, likes, comments and shares of our posts, people who "
        "clicked a tracked link (once a day each), and clicks that pledged.",
        stages,
    )
    earlier = ""
    if old is not None:
        chart = replace(
            chart,
            columns=[*chart.columns, "Before"],
            rows=[[*row, n] for row, (_, n) in zip(chart.rows, old, strict=True)],
        )
        earlier = f" (before: {old[2][1]:,} clicked, {old[3][1]:,} pledged)"
    reached, engaged, visits = (n for _, n in stages[:3])
    return Panel(
        "journey",
        "Buyer's journey",
        f"{len(found)} posts published; clicks by people, never link-preview bots{earlier}",
        chart,
        empty="" if reached or visits or engaged else "No follower count, engagement or click yet.",
    )


def _segment_journey(scope: Scope, segment: segments.Segment) -> Panel:
    """A persona's journey: the segment's people, those of them who mentioned us, and
    their replies to our posts. Followers, likes, clicks and pledges are counts that name
    no person (a tracked link records a visit, never who made it): they are not split,
    and the panel says so instead of showing everyone's under the segment's name."""
    stages = _segment_stages(scope, segment, scope.period)
    before = scope.before
    chart = funnel(
        "journey",
        f"The journey of {segment}",
        "The segment's people, those of them who mentioned us in the period, and those "
        "who replied to one of our posts.",
        stages,
    )
    if before is not None:
        old = _segment_stages(scope, segment, before)
        chart = replace(
            chart,
            columns=[*chart.columns, "Before"],
            rows=[[*row, n] for row, (_, n) in zip(chart.rows, old, strict=True)],
        )
    return Panel(
        "journey",
        "Buyer's journey",
        f"{segment}: followers, engagement, clicks and pledges name no person, so they "
        "are not split by segment",
        chart,
        empty="" if stages[0][1] else "Nobody in this segment.",
    )


def _segment_stages(
    scope: Scope, segment: segments.Segment, period: Period
) -> list[tuple[str, float]]:
    """People at each stage, never messages: a person who mentioned us five times, on
    two networks, is one."""
    people = segments.contacts(scope.workspace, segment)
    spoke, replied = segments.people_heard(scope.workspace, segment, period, scope.network)
    return [
        ("People in the segment", people.count()),
        ("Mentioned us", spoke),
        ("Replied to our posts", replied),
    ]


def _journey_stages(scope: Scope, period: Period) -> list[tuple[str, float]]:
    engaged = sum(p.engagement for p in load.post_figures(scope, period))
    people = load.clicks(scope, period)
    return [
        ("Followers", _followers_at(scope, period)),
        ("Engaged", engaged),
        ("Clicked", people.filter(unique_of_day=True).count()),
        ("Pledged", people.filter(pledged=True).count()),
    ]


def _followers_at(scope: Scope, period: Period) -> int:
    """Every account's followers on the period's last day, added up."""
    totals = audience.summed(
        [
            audience.followers_per_day(rows, [period.last])
            for rows in load.snapshots(scope, period).values()
        ]
    )
    return (totals[-1] or 0) if totals else 0


def clicks(scope: Scope) -> Panel:
    """Human clicks on tracked links per day, and each campaign's pledges against its cap."""
    days = scope.period.days
    per_day = load.clicks_per_day(scope, scope.period)
    posts = load.published(scope, scope.period).count()
    total = sum(per_day)
    series = [Series("Clicks", [float(n) for n in per_day], partial_last=_ends_today(scope))]
    before = scope.before
    if before is not None:
        old = load.clicks_per_day(scope, before)
        series.append(Series("Previous period", [float(n) for n in old], "light"))
    chart = line(
        "clicks",
        "Link clicks per day",
        "Clicks by people on the workspace's tracked links on each day, with the period "
        "before as a grey line.",
        _day_labels(days),
        series,
    )
    campaigns = [
        (c, 100 * c.pledged_cents / c.cap_cents if c.cap_cents else None)
        for c in load.campaigns(scope)
    ]
    per_post = f"; {total / posts:.1f} a published post" if posts else ""
    return Panel(
        "clicks",
        "Click-through",
        f"{total:,} clicks{per_post}" + _click_through(scope),
        chart,
        empty="" if total or campaigns else "No tracked link was clicked in this period.",
        extra={"campaigns": campaigns},
    )


def _click_through(scope: Scope) -> str:
    """The click-through rate of the period's posts that carried a tracked link, in words
    with the period before's ("" when no post carried one)."""

    def rate(period: Period) -> audience.ClickThrough:
        linked, clicks = load.post_clicks(scope, period)
        return audience.click_through(load.post_figures(scope, period), linked, clicks)

    now = rate(scope.period)
    if not now.posts:
        return ""
    posts = f"{now.posts} post{'s' if now.posts != 1 else ''}"
    if now.rate is None:
        return f" · {now.clicks:,} on the links of {posts}"
    words = f" · click-through {now.rate:.1f} % on the {posts} with a tracked link"
    old = rate(scope.before) if scope.before is not None else None
    if old is not None and old.rate is not None:
        words += f" (before: {old.rate:.1f} %)"
    return words


def people(scope: Scope) -> Panel:
    """Advocates, detractors and recovered detractors among the contacts (all time: the
    contacts app's own lists, which the bars link to)."""
    counts = _standing_counts(scope)
    chart = bars(
        "people",
        "Advocates and detractors",
        "Contacts who praised more than once, who complained, and complainers who turned "
        "round after our answer.",
        [
            Bar("Advocates", counts["advocates"], colour="positive"),
            Bar("Detractors", counts["detractors"], colour="negative"),
            Bar("Recovered", counts["recovered"], colour="accent"),
        ],
        columns=["", "Contacts"],
    )
    return Panel(
        "people",
        "Advocates and recovered detractors",
        "Contacts, all time; the lists are under Contacts",
        chart,
        empty="" if any(counts.values()) else "No contact has praised or complained yet.",
        extra={"kinds": KINDS},
    )


def _standing_counts(scope: Scope) -> dict[str, int]:
    """How many contacts each list holds: the contacts app reads every mention of every
    contact for it, so the counts are kept until a mention, contact or identity changes."""
    parts = f"{scope.workspace.pk}|{load.people_version(scope)}"
    key = "people-counts:" + hashlib.sha256(parts.encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        counts = {kind: len(standing.listing(scope.workspace, kind, each=0)) for kind in KINDS}
        cache.set(key, counts, 3600)
    return cast(dict[str, int], counts)


PANELS: dict[str, Callable[[Scope], Panel]] = {
    "mentions": mentions,
    "sentiment": sentiment,
    "share-of-voice": share_of_voice,
    "drivers": drivers,
    "influence": influence,
    "intents": intents,
    "languages": languages,
    "networks": networks,
    "responses": responses,
    "talk-to-listen": talk_to_listen,
    "content-mix": content_mix,
    "followers": followers,
    "posts": posts,
    "engagement": engagement,
    "top-posts": top_posts,
    "best-times": best_times,
    "journey": journey,
    "clicks": clicks,
    "people": people,
}


def chart_of(panel: Panel, key: str) -> Chart | None:
    """The panel's main chart, or a second one it carries under ``extra`` (by its key)."""
    if panel.chart is not None and panel.chart.key == key:
        return panel.chart
    for value in panel.extra.values():
        if isinstance(value, Chart) and value.key == key:
            return value
    return None
