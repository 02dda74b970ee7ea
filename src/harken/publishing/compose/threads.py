"""A long text as a thread, and the replies a variant posts after its main post.

A thread splits at sentence ends (at word breaks only when one sentence is longer than a
post), each part within the network's limit counted the network's way, numbered "1/3"
when the author wants. The replies are planned from the variant alone, so the engine, a
retry and a reconciliation after a crash all see the same parts in the same order; each
part has its own idempotency key derived from the variant's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import regex

from harken.networks.counting import limits, text_length
from harken.networks.registry import connector_class

_SENTENCE_END = regex.compile(r"(?<=[.!?…。！？])\s+")
_SPACE = regex.compile(r"\s+")


@dataclass(frozen=True)
class Reply:
    """One reply after the main post: its text and which earlier post it answers
    (0: the main post; n: the n-th reply)."""

    text: str
    parent: int


def split(text: str, fits: Callable[[str], bool], numbered: bool = True) -> list[str]:
    """``text`` in parts that each ``fits``; one part (unnumbered) when the whole fits."""
    text = text.strip()
    if fits(text):
        return [text]
    # The numbering takes room in every part; reserve it for as many digits as needed.
    for digits in (1, 2, 3):
        width = 10**digits - 1
        suffix = f" {width}/{width}" if numbered else ""
        parts = _pack(text, _with_suffix(fits, suffix))
        if len(parts) <= width:
            break
    if numbered:
        total = len(parts)
        return [f"{part} {n}/{total}" for n, part in enumerate(parts, start=1)]
    return parts


def _with_suffix(fits: Callable[[str], bool], suffix: str) -> Callable[[str], bool]:
    return lambda part: fits(part + suffix)


def _pack(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Whole sentences per part while they fit; a sentence too long alone goes by words,
    and a word too long alone is cut."""
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, fits):
        joined = f"{current} {piece}" if current else piece
        if fits(joined):
            current = joined
            continue
        if current:
            parts.append(current)
        current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, fits: Callable[[str], bool]) -> list[str]:
    pieces = []
    for sentence in _SENTENCE_END.split(text):
        sentence = _SPACE.sub(" ", sentence).strip()
        if not sentence:
            continue
        if fits(sentence):
            pieces.append(sentence)
            continue
        for word in sentence.split(" "):
            while not fits(word) and len(word) > 1:
                cut = _longest_prefix(word, fits)
                pieces.append(word[:cut])
                word = word[cut:]
            pieces.append(word)
    return pieces


def _longest_prefix(word: str, fits: Callable[[str], bool]) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(word[:middle]):
            low = middle
        else:
            high = middle - 1
    return low


def fits_on(account: Any) -> Callable[[str], bool]:
    """Whether a text fits one post on ``account``'s network, counted its way."""
    cls = connector_class(account.network)
    max_chars, url_chars = limits(cls, cast(dict[str, Any], account.config))
    if max_chars is None:
        return lambda text: True
    return lambda text: text_length(text, cls, url_chars) <= max_chars


def can_reply(account: Any) -> bool:
    """The network takes replies to our own posts (threads and first comments)."""
    return "reply" in connector_class(account.network).capabilities


def can_thread(account: Any) -> bool:
    """The network continues a thread with replies to our own post (its class says)."""
    cls = connector_class(account.network)
    return cls.makes_threads and "reply" in cls.capabilities


def post_texts(variant: Any) -> list[str]:
    """The main post's text, then the thread's other parts (one text when no thread)."""
    if not variant.thread or not can_thread(variant.account):
        return [variant.text]
    return split(variant.text, fits_on(variant.account), variant.numbered)


def replies(variant: Any) -> list[Reply]:
    """What goes out after the main post, in order: the thread's parts (each answering
    the one before) and the first comment (answering the main post)."""
    texts = post_texts(variant)
    planned = [Reply(text, n) for n, text in enumerate(texts[1:])]
    comment = (variant.first_comment or "").strip()
    if comment and can_reply(variant.account):
        planned.append(Reply(comment, 0))
    return planned


def part_key(key: uuid.UUID | str, n: int) -> str:
    """The idempotency key of reply ``n`` (from 1): the variant's key with its clock
    sequence moved by ``n``. A version 1 key keeps its time, so a network that derives a
    time-ordered record key from it (Bluesky's TIDs) gets one per part, the same on
    every try, and distinct from the main post's."""
    key = uuid.UUID(str(key))
    if n == 0:
        return str(key)
    seq = key.clock_seq
    moved = (seq & 0x3C00) | ((seq + n) & 0x3FF)
    fields = (
        key.time_low,
        key.time_mid,
        key.time_hi_version & 0x0FFF,
        (moved >> 8) & 0x3F,
        moved & 0xFF,
        key.node,
    )
    return str(uuid.UUID(fields=fields, version=key.version or 4))
