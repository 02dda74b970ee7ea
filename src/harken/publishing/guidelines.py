"""The guidelines gate: rules a post is checked against when it is scheduled and again
just before it goes out. Each finding says why it matters and how to fix it.

The rules are data (``Rules``), one set per workspace with sensible defaults; the checks
are pure functions of the text, the time and the account's other posts, so the composer,
the scheduler and the tick all ask the same question and get the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Any

_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_WORD = re.compile(r"\w+")
_LINK = re.compile(r"https?://\S+")
#: A run of letters that is not a hashtag's, a mention's or part of a word with digits.
_LETTERS = re.compile(r"(?<![\w#@])[^\W\d_]+(?![\w])")
_MENTION = re.compile(r"(?<![\w@])@\w[\w.]*(?:@[\w.-]+)?")


@dataclass(frozen=True)
class Rules:
    """One workspace's guidelines. A number at 0 turns its rule off."""

    #: No clustered updates: minutes between two posts on one account.
    min_gap_minutes: int = 60
    #: Posts per account per day (the day of the post's time, UTC).
    daily_cap: int = 5
    #: Days back to look for the same or nearly the same text on the account.
    duplicate_days: int = 14
    #: How alike two texts must be (0–1) to count as the same.
    duplicate_similarity: float = 0.9
    #: Hashtags per post, per network; "*" is every other network.
    max_hashtags: dict[str, int] = field(
        default_factory=lambda: {"*": 3, "x": 2, "bluesky": 3, "mastodon": 5}
    )
    #: Mentions per post, per network; "*" is every other network.
    max_mentions: dict[str, int] = field(default_factory=lambda: {"*": 5, "x": 3})
    #: The largest share of promotions and offers among the workspace's posts of the
    #: last 30 days ("the customers aren't there to be sold something every time").
    max_promotion_share: float = 0.3
    #: Posts in those 30 days before the share is judged (a new workspace is not).
    promotion_share_after: int = 5
    #: Words the brand never uses (whole words, any case).
    banned_words: tuple[str, ...] = ()
    #: What a post marked sponsored must say.
    sponsored_disclosure: str = "#ad"
    #: Exclamation marks per post.
    max_exclamations: int = 3
    #: The largest share of a post's words written all in capitals ("shouting"); only
    #: words of four letters or more count, so acronyms (USA, FAQ) and
    #: hashtags, mentions and links do not. 0 turns the rule off.
    max_capitals_share: float = 0.5
    #: Seconds each link in the text may take to answer that it is online (HEAD, then
    #: GET) when scheduling; 0 turns the check off (``harken.publishing.linkcheck``).
    link_timeout_seconds: float = 3.0

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Rules:
        """The defaults with ``data``'s known keys over them (unknown keys are ignored)."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in (data or {}).items() if k in known}
        if "banned_words" in given:
            given["banned_words"] = tuple(given["banned_words"])
        return replace(cls(), **given)


@dataclass(frozen=True)
class Finding:
    rule: str
    why: str
    fix: str

    @property
    def message(self) -> str:
        return f"{self.why} {self.fix}"


@dataclass(frozen=True)
class Draft:
    """What is checked: one variant's text, its network and time, and whether sponsored."""

    text: str
    network: str
    at: datetime
    sponsored: bool = False
    category: str = ""


@dataclass(frozen=True)
class Other:
    """Another post on the same account (scheduled or published), for the time rules."""

    text: str
    at: datetime


def check(
    draft: Draft, others: Iterable[Other], rules: Rules, recent_categories: Iterable[str] = ()
) -> list[Finding]:
    """Every guideline ``draft`` breaks, given the account's ``others`` and the categories
    of the workspace's posts of the last 30 days."""
    others = list(others)
    return [
        *check_promotion_share(draft, list(recent_categories), rules),
        *check_mentions(draft, rules),
        *check_gap(draft, others, rules),
        *check_daily_cap(draft, others, rules),
        *check_duplicate(draft, others, rules),
        *check_hashtags(draft, rules),
        *check_banned_words(draft, rules),
        *check_disclosure(draft, rules),
        *check_exclamations(draft, rules),
        *check_capitals(draft, rules),
    ]


def check_gap(draft: Draft, others: list[Other], rules: Rules) -> list[Finding]:
    if not rules.min_gap_minutes:
        return []
    gap = timedelta(minutes=rules.min_gap_minutes)
    close = [o for o in others if abs(o.at - draft.at) < gap]
    if not close:
        return []
    nearest = min(abs(o.at - draft.at) for o in close)
    return [
        Finding(
            "min_gap",
            f"Another post on this account goes out {_minutes(nearest)} apart from this one; "
            "clustered updates crowd followers' feeds.",
            f"Move it at least {rules.min_gap_minutes} minutes away from the other post.",
        )
    ]


def check_daily_cap(draft: Draft, others: list[Other], rules: Rules) -> list[Finding]:
    if not rules.daily_cap:
        return []
    same_day = [o for o in others if o.at.date() == draft.at.date()]
    if len(same_day) < rules.daily_cap:
        return []
    return [
        Finding(
            "daily_cap",
            f"This account already has {len(same_day)} posts that day; the limit is "
            f"{rules.daily_cap}.",
            "Move it to another day.",
        )
    ]


def check_duplicate(draft: Draft, others: list[Other], rules: Rules) -> list[Finding]:
    if not rules.duplicate_days:
        return []
    window = timedelta(days=rules.duplicate_days)
    mine = _normalized(draft.text)
    for other in others:
        if abs(other.at - draft.at) > window:
            continue
        if (
            SequenceMatcher(None, mine, _normalized(other.text)).ratio()
            >= rules.duplicate_similarity
        ):
            return [
                Finding(
                    "duplicate",
                    f"The same or nearly the same text goes out on this account on "
                    f"{other.at:%Y-%m-%d}; followers notice repeats.",
                    "Say it differently, or post it on another account.",
                )
            ]
    return []


def check_hashtags(draft: Draft, rules: Rules) -> list[Finding]:
    limit = rules.max_hashtags.get(draft.network, rules.max_hashtags.get("*", 0))
    count = len(_HASHTAG.findall(draft.text))
    if not limit or count <= limit:
        return []
    return [
        Finding(
            "hashtags",
            f"{count} hashtags; more than {limit} reads as spam on this network.",
            f"Keep the {limit} that matter most.",
        )
    ]


PROMOTIONS = frozenset({"promotion", "offer"})


def check_promotion_share(draft: Draft, recent: list[str], rules: Rules) -> list[Finding]:
    if draft.category not in PROMOTIONS or len(recent) < rules.promotion_share_after:
        return []
    share = (sum(1 for c in recent if c in PROMOTIONS) + 1) / (len(recent) + 1)
    if share <= rules.max_promotion_share:
        return []
    return [
        Finding(
            "content_mix",
            f"With this one, {share:.0%} of the last 30 days' posts sell something; the "
            f"target is at most {rules.max_promotion_share:.0%}. Customers aren't there to "
            "be sold something every time.",
            "Plan something useful, a question or a look behind the scenes first.",
        )
    ]


def check_mentions(draft: Draft, rules: Rules) -> list[Finding]:
    limit = rules.max_mentions.get(draft.network, rules.max_mentions.get("*", 0))
    count = len(_MENTION.findall(draft.text))
    if not limit or count <= limit:
        return []
    return [
        Finding(
            "mentions",
            f"{count} mentions; more than {limit} reads as spam on this network.",
            "Mention only the people the post is about.",
        )
    ]


def check_banned_words(draft: Draft, rules: Rules) -> list[Finding]:
    banned = {w.lower() for w in rules.banned_words}
    used = sorted({w for w in _WORD.findall(draft.text.lower()) if w in banned})
    if not used:
        return []
    return [
        Finding(
            "banned_words",
            f"The brand's voice rules exclude {', '.join(repr(w) for w in used)}.",
            "Use other words.",
        )
    ]


def check_disclosure(draft: Draft, rules: Rules) -> list[Finding]:
    tag = rules.sponsored_disclosure
    if not (draft.sponsored and tag) or tag.lower() in draft.text.lower():
        return []
    return [
        Finding(
            "disclosure",
            "This post is marked sponsored and does not say so.",
            f"Add {tag} to the text.",
        )
    ]


def check_exclamations(draft: Draft, rules: Rules) -> list[Finding]:
    count = draft.text.count("!")
    if not rules.max_exclamations or count <= rules.max_exclamations:
        return []
    return [
        Finding(
            "exclamations",
            f"{count} exclamation marks; more than {rules.max_exclamations} reads as shouting.",
            "Let the words carry the excitement.",
        )
    ]


def check_capitals(draft: Draft, rules: Rules) -> list[Finding]:
    words = [w for w in _LETTERS.findall(_LINK.sub(" ", draft.text)) if len(w) >= 4]
    loud = [w for w in words if w.isupper()]
    # Three loud words at least: one shouted "FREE" in a long post is emphasis, not a rule.
    if not rules.max_capitals_share or len(loud) < 3:
        return []
    if len(loud) / len(words) <= rules.max_capitals_share:
        return []
    return [
        Finding(
            "capitals",
            f"{len(loud)} of {len(words)} words are in capitals, which reads as shouting.",
            "Write it in sentence case and keep capitals for a word that needs them.",
        )
    ]


def _normalized(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return "less than a minute" if minutes < 1 else f"{minutes} minutes"
