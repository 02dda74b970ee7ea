"""Characters the way each network counts them, for the reply box and before sending.

Bluesky counts graphemes (300), X weighted characters (280: most scripts outside Latin and
emoji weigh 2, every link 23), Mastodon characters with links at the server's own weight
(500 unless the server said otherwise), Reddit characters (10,000 for a comment). The
limits are the connectors' own class data; the counting of Bluesky and Mastodon is theirs
too. ``inbox.js`` counts the same way in the browser; this is what is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

from harken.networks.registry import connector_class

URL = regex.compile(r"https?://[^\s<>\"]+[^\s<>\"'.,;:!?)\]]")
#: X's weight-1 ranges (twitter-text configuration v3); everything else weighs 2.
X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
X_URL = 23
MASTODON_DEFAULTS = {"max_chars": 500, "url_chars": 23}


@dataclass(frozen=True)
class Count:
    used: int
    limit: int | None
    unit: str  # "graphemes", "characters", "weighted characters"
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
    return len(regex.findall(r"\X", text))


def x_weight(text: str) -> int:
    weight = 0
    rest = URL.sub("", text)
    weight += X_URL * len(URL.findall(text))
    for cluster in regex.findall(r"\X", rest):
        if _is_emoji(cluster):
            weight += 2
            continue
        for char in cluster:
            code = ord(char)
            weight += 1 if any(lo <= code <= hi for lo, hi in X_LIGHT) else 2
    return weight


def _is_emoji(cluster: str) -> bool:
    return any(ord(c) >= 0x1F000 for c in cluster) or "\u200d" in cluster or "\ufe0f" in cluster


def mastodon_length(text: str, url_chars: int) -> int:
    return len(URL.sub("", text)) + url_chars * len(URL.findall(text))


def count(network: str, text: str, account_config: dict[str, Any] | None = None) -> Count:
    """How ``network`` counts ``text``, against the limit of the account that sends it."""
    limit = _limit(network)
    if network == "bluesky":
        return Count(graphemes(text), limit, "graphemes")
    if network == "x":
        return Count(x_weight(text), limit, "characters", X_URL)
    if network == "mastodon":
        limits = {**MASTODON_DEFAULTS, **((account_config or {}).get("limits") or {})}
        url_chars = int(limits["url_chars"])
        return Count(
            mastodon_length(text, url_chars), int(limits["max_chars"]), "characters", url_chars
        )
    return Count(len(text), limit, "characters")


def _limit(network: str) -> int | None:
    try:
        return connector_class(network).max_chars
    except (KeyError, ImportError):
        return None


def unit_for(network: str) -> str:
    """What the reply box counts in: the same words ``count`` uses."""
    return {"bluesky": "graphemes", "x": "x", "mastodon": "urls"}.get(network, "characters")
