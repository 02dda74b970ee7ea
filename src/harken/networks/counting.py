"""Text counted the way each network counts it, from its connector's class data.

One place for the inbox's reply box and the publishing composer: ``max_chars`` is the
limit, ``text_counting`` says how it is counted ("characters", "graphemes" or X's
"weighted") and ``counts_urls_as`` the weight of a link when the network shortens links.
A server that says its own limits (Mastodon) overrides both through the account's
``config["limits"]``. ``inbox.js`` counts the same way in the browser; this is what is
enforced.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

import regex

from harken.networks.base import Connector
from harken.networks.registry import connector_class

#: A link as networks that shorten links find it: trailing punctuation is not part of it.
URL = regex.compile(r"https?://[^\s<>\"]+[^\s<>\"'.,;:!?)\]]")
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}")
#: X's weight-one code point ranges (twitter-text v3); everything else weighs two.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_UNITS = {"graphemes": "graphemes", "weighted": "characters", "characters": "characters"}


@dataclass(frozen=True)
class Count:
    """How long a text is on one network, against the limit of the account that sends it."""

    used: int
    limit: int | None
    unit: str  # "graphemes" or "characters"
    url_weight: int | None = None

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit

    @property
    def words(self) -> str:
        if self.limit is None:
            return f"{self.used} {self.unit}"
        return f"{self.used} / {self.limit} {self.unit}"


def graphemes(text: str) -> int:
    """What a reader sees as characters: a family emoji or an accented letter is one."""
    return len(_GRAPHEME.findall(text))


def x_weight(text: str) -> int:
    """X's count without links: NFC, an emoji sequence weighs 2, ``_X_LIGHT`` 1, others 2."""
    total = 0
    for grapheme in _GRAPHEME.findall(unicodedata.normalize("NFC", text)):
        if _EMOJI.search(grapheme):
            total += 2
            continue
        for char in grapheme:
            point = ord(char)
            total += 1 if any(low <= point <= high for low, high in _X_LIGHT) else 2
    return total


def text_length(text: str, cls: type[Connector], url_chars: int | None = None) -> int:
    """``text``'s length as ``cls``'s network counts it (``url_chars`` overrides the
    class's URL weight, for servers that say their own)."""
    url_weight = url_chars if url_chars is not None else cls.counts_urls_as
    rest, links = text, 0
    if url_weight is not None:
        links = len(URL.findall(text))
        rest = URL.sub("", text)
    if cls.text_counting == "graphemes":
        counted = graphemes(rest)
    elif cls.text_counting == "weighted":
        counted = x_weight(rest)
    else:
        counted = len(rest)
    return counted + (url_weight or 0) * links


def reply_limit(cls: type[Connector]) -> int | None:
    """A reply's own limit where the network gives comments one (the class's
    ``comment_max_chars``: a YouTube comment 10,000, a LinkedIn comment 1,250), else None:
    a reply is a post like any other there (X, Bluesky, Mastodon, Reddit)."""
    own = getattr(cls, "comment_max_chars", None)
    return own if isinstance(own, int) and own > 0 else None


def limits(
    cls: type[Connector], config: dict[str, Any] | None, *, reply: bool = False
) -> tuple[int | None, int | None]:
    """(max characters, URL weight): the server's own when the account read them;
    ``reply``: the limit of a reply (a comment), falling back to the post's."""
    said = (config or {}).get("limits") or {}
    limit = said.get("max_chars") or cls.max_chars
    if reply:
        limit = reply_limit(cls) or limit
    return limit, said.get("url_chars", cls.counts_urls_as)


def count(
    network: str, text: str, account_config: dict[str, Any] | None = None, *, reply: bool = False
) -> Count:
    """How ``network`` counts ``text`` (a post, or with ``reply`` an answer to a message);
    no limit for a network without a connector."""
    try:
        cls = connector_class(network)
    except (KeyError, ImportError):
        return Count(len(text), None, "characters")
    limit, url_chars = limits(cls, account_config, reply=reply)
    used = text_length(text, cls, url_chars)
    return Count(used, limit, _UNITS.get(cls.text_counting, "characters"), url_chars)


def unit_for(network: str) -> str:
    """How ``inbox.js`` counts in the browser: "graphemes", "x", "urls" or "characters"."""
    try:
        cls = connector_class(network)
    except (KeyError, ImportError):
        return "characters"
    if cls.text_counting == "graphemes":
        return "graphemes"
    if cls.text_counting == "weighted":
        return "x"
    return "urls" if cls.counts_urls_as is not None else "characters"
