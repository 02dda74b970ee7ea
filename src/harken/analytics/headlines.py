"""The dashboard's headline figures, each with its change against the compared period."""

from __future__ import annotations

from dataclasses import dataclass

from harken.analytics import load
from harken.analytics.figures import audience, listening
from harken.analytics.figures.change import Change
from harken.analytics.figures.rows import tallies
from harken.analytics.periods import Period, Scope


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: float | None
    unit: str
    change: Change
    note: str = ""


def _mentions(scope: Scope, period: Period) -> int:
    rows = tallies(
        scope.workspace,
        period,
        "all",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=("topic",),
        segment=scope.segment,
    )
    return listening.total(rows)


def _positive(scope: Scope, period: Period) -> float | None:
    rows = tallies(
        scope.workspace,
        period,
        "sentiment",
        topic=scope.topic,
        network=scope.network,
        account=scope.account,
        by=("key",),
        segment=scope.segment,
    )
    split = listening.sentiment_split(rows)
    rated = sum(split.values())
    return 100 * split["positive"] / rated if rated else None


def _brand_share(scope: Scope, period: Period) -> tuple[float | None, str]:
    topics = [(t.pk, t.name, t.kind) for t in load.topics(scope)]
    topics = [t for t in topics if t[1] and t[2] in ("brand", "competitor")]
    if not any(t[2] == "competitor" for t in topics):
        return None, ""
    rows = tallies(
        scope.workspace,
        period,
        "all",
        topics=[t[0] for t in topics],
        network=scope.network,
        account=scope.account,
        by=("topic",),
        segment=scope.segment,
    )
    voices = listening.share_of_voice(rows, None, topics)
    if not sum(v.mentions for v in voices):
        return None, ""
    brand = sum(v.mention_share for v in voices if v.kind == "brand")
    rival = max((v for v in voices if v.kind == "competitor"), key=lambda v: v.mentions)
    return brand, f"{rival.name} {rival.mention_share:.0f} %"


def _followers(scope: Scope, period: Period) -> int | None:
    series = [
        audience.followers_per_day(rows, period.days)
        for rows in load.snapshots(scope, period).values()
    ]
    totals = audience.summed(series)
    return totals[-1] if totals else None


def headlines(scope: Scope) -> list[Stat]:
    now, before = scope.period, scope.before

    def pair(measure, unit: str = "", better: str = "up") -> Change:  # type: ignore[no-untyped-def]
        return Change(measure(scope, now), measure(scope, before) if before else None, unit, better)

    mentions = pair(_mentions)
    positive = pair(_positive, "%")
    share_now, rival = _brand_share(scope, now)
    share_before = _brand_share(scope, before)[0] if before else None
    answers = load.overall_responses(scope, now)
    answers_before = load.overall_responses(scope, before) if before else None
    median = Change(
        answers.median / 60 if answers.median is not None else None,
        answers_before.median / 60
        if answers_before and answers_before.median is not None
        else None,
        "min",
        "down",
    )
    within = Change(
        answers.within_goal, answers_before.within_goal if answers_before else None, "%"
    )
    followers = pair(_followers)
    stats = [
        Stat("mentions", "Mentions", mentions.now, "", mentions),
        Stat("positive", "Positive mentions", positive.now, "%", positive, "of rated mentions"),
        Stat(
            "share", "Share of voice", share_now, "%", Change(share_now, share_before, "%"), rival
        ),
        Stat("first-response", "Median first response", median.now, "min", median),
        Stat("within-goal", "Answered within the hour", within.now, "%", within, "goal: 1 h"),
        Stat("followers", _followers_label(scope), followers.now, "", followers),
    ]
    return [s for s in stats if s.value is not None]


def _followers_label(scope: Scope) -> str:
    return "Followers" if scope.account or scope.network else "Followers, all accounts"
