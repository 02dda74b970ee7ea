"""Whether a variant may be scheduled on its account's network, and why not.

Each network counts text its own way, read from its connector class (``max_chars``,
``counts_urls_as``, ``text_counting``) and, for a server that says its own limits
(Mastodon), from what the account last read from it (``config["limits"]``). A problem
names the rule it breaks, so the composer can say exactly what to change.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

import regex

from harken.networks.base import Connector
from harken.networks.models import Account
from harken.networks.registry import connector_class, network_label

_URL = re.compile(r"https?://\S+")
_GRAPHEME = regex.compile(r"\X")
#: X's weight-one code point ranges (twitter-text v3): Latin, punctuation, some symbols.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")


@dataclass(frozen=True)
class Problem:
    """One broken rule: ``rule`` is a stable name, ``message`` says what and how to fix."""

    rule: str
    message: str


class CannotSchedule(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


def text_length(text: str, cls: type[Connector], url_chars: int | None = None) -> int:
    """``text``'s length as ``cls``'s network counts it (``url_chars`` overrides the
    class's URL weight, for servers that say their own)."""
    url_weight = url_chars if url_chars is not None else cls.counts_urls_as
    rest, urls = text, 0
    if url_weight is not None:
        urls = len(_URL.findall(text))
        rest = _URL.sub("", text)
    if cls.text_counting == "graphemes":
        counted = len(_GRAPHEME.findall(rest))
    elif cls.text_counting == "weighted":
        counted = _weighted(rest)
    else:
        counted = len(rest)
    return counted + (url_weight or 0) * urls


def _weighted(text: str) -> int:
    """X's count: NFC, an emoji sequence weighs 2, a code point in ``_X_LIGHT`` 1, others 2."""
    total = 0
    for grapheme in _GRAPHEME.findall(unicodedata.normalize("NFC", text)):
        if _EMOJI.search(grapheme):
            total += 2
            continue
        for char in grapheme:
            point = ord(char)
            total += 1 if any(low <= point <= high for low, high in _X_LIGHT) else 2
    return total


def limits_for(account: Account, cls: type[Connector]) -> tuple[int | None, int | None]:
    """(max characters, URL weight) for ``account``: the server's own when it said them."""
    config = cast(dict[str, Any], account.config) or {}
    said = config.get("limits") or {}
    return said.get("max_chars") or cls.max_chars, said.get("url_chars", cls.counts_urls_as)


def check_text(text: str, account: Account) -> list[Problem]:
    """The rules ``text`` breaks on ``account``'s network (empty when none)."""
    cls = connector_class(account.network)
    label = network_label(account.network)
    if "publish" not in cls.capabilities:
        return [Problem("network", f"Harken cannot publish to {label}.")]
    if not text.strip():
        return [Problem("empty", f"The {label} text is empty; write what to post there.")]
    max_chars, url_chars = limits_for(account, cls)
    if max_chars is None:
        return []
    length = text_length(text, cls, url_chars)
    if length <= max_chars:
        return []
    return [Problem("length", _length_message(label, cls, length, max_chars, url_chars))]


def _length_message(
    label: str, cls: type[Connector], length: int, max_chars: int, url_chars: int | None
) -> str:
    how = {
        "graphemes": "counting each emoji or accented letter as one",
        "weighted": "counting emoji and CJK characters as two",
    }.get(cls.text_counting, "")
    links = f"each link as {url_chars}" if url_chars is not None else ""
    counted = ", ".join(part for part in (how, links) if part)
    said = f" ({counted})" if counted else ""
    return (
        f"{label} allows {max_chars} characters; this text has {length}{said}. "
        f"Shorten it by {length - max_chars}."
    )


def check_variant(variant: Any) -> list[Problem]:
    """Everything that keeps ``variant`` from being scheduled."""
    problems = []
    account = variant.account
    if account.status != Account.Status.ACTIVE:
        label = network_label(account.network)
        problems.append(
            Problem(
                "account",
                f"{account.handle} on {label} needs reconnecting before it can publish.",
            )
        )
    if variant.scheduled_at is None:
        problems.append(Problem("time", "Choose when to publish it."))
    return problems + check_text(variant.text, account)
