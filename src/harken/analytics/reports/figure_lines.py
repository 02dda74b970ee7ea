"""Each panel's figures that its chart does not draw, as plain sentences for the report's
PDF and e-mail: the page shows them in its own markup (``_panel.html``), a report has
only text and tables. "Median first response 18 min (p90 2 h)"; "Best time: Thursday
19:00–20:00". Every sentence is plain text: the templates escape it (a post's or a
campaign's words are user text)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harken.analytics.figures.relationship import Responses
from harken.analytics.panels import Panel
from harken.analytics.templatetags.analytics import cents, duration, weekday_name

#: Rows of each group (member, intent, network) a report names: the busiest.
GROUP_ROWS = 4


def _share(value: float | None) -> str:
    return f"{value:.0f} %" if value is not None else "–"


def _responses(extra: dict[str, Any]) -> list[str]:
    overall: Responses = extra["overall"]
    lines = [
        f"Median first response {duration(overall.median)} (p90 {duration(overall.p90)}); "
        f"{_share(overall.within_goal)} answered within the hour; median resolution "
        f"{duration(overall.resolution_median)}; {overall.answered:,} of "
        f"{overall.conversations:,} conversations answered."
    ]
    for name, rows in extra["groups"]:
        named = [
            f"{label} {duration(r.median)} (p90 {duration(r.p90)}, "
            f"{_share(r.within_goal)} within 1 h)"
            for label, r in rows[:GROUP_ROWS]
        ]
        if named:
            lines.append(f"By {name.lower()}: " + "; ".join(named) + ".")
    return lines


def _talk(extra: dict[str, Any]) -> list[str]:
    f, b = extra["figure"], extra.get("before")
    ratio = (
        f"{f.ratio:.2f} posts for every conversation answered"
        if f.ratio is not None
        else "No conversation answered"
    )
    if b is not None and b.ratio is not None:
        ratio += f" (before: {b.ratio:.2f})"
    return [
        f"{ratio} ({f.posts:,} posts, {f.answered:,} conversations answered, "
        f"{f.mentions:,} mentions heard); {_share(f.answered_share)} of mentions answered."
    ]


def _mix(extra: dict[str, Any]) -> list[str]:
    m = extra["mix"]
    if m.promotion_share is None:
        return []
    over = ": over the target" if m.over_target else ""
    return [
        f"Promotions and offers: {m.promotion_share:.0f} % of posts "
        f"(target at most {m.target:.0f} %){over}."
    ]


def _engagement(extra: dict[str, Any]) -> list[str]:
    t, b = extra["total"], extra["before_total"]
    rate = f", {t.rate:.1f} % engagement rate" if t.rate is not None else ""
    before = f" (before: {b.rate:.1f} %)" if b is not None and b.rate is not None else ""
    lines = [f"{t.engagement:,} engagements on {t.posts:,} posts{rate}{before}."]
    # Reach and impressions only where the network gives them: the others are unknown,
    # not zero, and the line says so by leaving them out.
    counted = [
        f"{label} {_known(n.reach, 'reached')}, {_known(n.impressions, 'impressions')}"
        for label, n in extra.get("networks", [])
        if n.reach is not None or n.impressions is not None
    ]
    if counted:
        lines.append("Where the network gives them: " + "; ".join(counted) + ".")
    return lines


def _known(value: int | None, noun: str) -> str:
    return f"{value:,} {noun}" if value is not None else f"– {noun}"


def _best(extra: dict[str, Any]) -> list[str]:
    best = extra.get("best")
    if best is None:
        return []
    return [
        f"Best time: {weekday_name(best.weekday)} {best.hour}:00–{best.hour + 1}:00, "
        f"{best.per_post:.1f} engagements a post, from {best.posts} posts."
    ]


def _campaigns(extra: dict[str, Any]) -> list[str]:
    return [
        f"{c.name}: {cents(c.pledged_cents)} of {cents(c.cap_cents)} {c.currency} pledged "
        f"({share:.0f} % of the cap)."
        if c.cap_cents
        else f"{c.name}: no pledge cap."
        for c, share in extra.get("campaigns", [])
    ]


def _top_posts(extra: dict[str, Any]) -> list[str]:
    return [
        f"“{_clip(text)}” ({network}, {p.published:%-d %b}): {p.likes:,} likes, "
        f"{p.comments:,} comments, {p.shares:,} shares"
        + (f", {p.reach:,} reached" if p.reach is not None else "")
        + (f", {p.impressions:,} impressions" if p.impressions is not None else "")
        + (f", {p.rate:.1f} %." if p.rate is not None else ".")
        for p, text, _url, network in extra.get("posts", [])
    ]


def _examples(extra: dict[str, Any]) -> list[str]:
    return [
        f"“{phrase}”: “{_clip(m.text)}” (@{m.author.handle})"
        for phrase, found in extra.get("examples", {}).items()
        for m in found[:1]
    ]


def _clip(text: str, limit: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _followers(extra: dict[str, Any]) -> list[str]:
    return [f"{extra['gained']}."] if extra.get("gained") else []


WRITERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "responses": _responses,
    "followers": _followers,
    "talk-to-listen": _talk,
    "content-mix": _mix,
    "engagement": _engagement,
    "best-times": _best,
    "clicks": _campaigns,
    "top-posts": _top_posts,
    "drivers": _examples,
}


def lines(panel: Panel) -> list[str]:
    """The panel's figures beyond its chart, as sentences; none for an empty panel."""
    writer = WRITERS.get(panel.key)
    return writer(panel.extra) if writer and not panel.empty else []
