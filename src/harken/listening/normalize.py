"""Normalize inbound items before they are stored: clean fields and near-duplicate fingerprints.

Everything here is pure (no database), so the pipeline and the bench can run it in bulk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from harken.networks.base import NormalizedItem

#: Shorter normalized texts ("thanks!", "@Delta") are too common to mean "the same post".
MIN_FINGERPRINT_CHARS = 24

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@[\w.\-]+(?:@[\w.\-]+)?")
_RT_PREFIX = re.compile(r"^\s*(?:rt|mt)\b[\s:]*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Half of a UTF-16 pair on its own (JSON's "\\ud800"): no encoding can store it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Characters that reorder what follows them: embeddings and overrides (U+202A-202E),
#: isolates (U+2066-2069) and the invisible direction marks (U+200E, U+200F, U+061C).
#: In a name or handle they make ``evil\u202egnp.exe`` read "evilexe.png"; a real
#: right-to-left name shows right without them.
_BIDI = re.compile(r"[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
#: Before this, a post's time is not a time but a placeholder (year 1, epoch zero as
#: -1...): nothing was posted on the networks Harken reads before 1990.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

# Field sizes of the Mention and Author models: longer values are cut, not rejected.
_ID_MAX = 255
_URL_MAX = 2000
#: The most text a mention keeps. Posts are at most a few thousand characters on every
#: network; a longer "mention" is a whole article from a feed or a hostile payload, and
#: storing, matching and showing 200,000 characters per row helps nobody.
MAX_TEXT_CHARS = 10_000
#: How far ahead of our clock a post's time may be (clock skew) before it is taken as
#: wrong: a post from 2099 would otherwise sit at the top of the stream for decades.
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(slots=True)
class Prepared:
    """An item cleaned for storage, with its fingerprint."""

    item: NormalizedItem
    network: str
    external_id: str
    text: str
    posted: datetime
    url: str
    in_reply_to: str
    author_id: str
    author_handle: str
    fingerprint: str


class Rejected(ValueError):
    """An item that cannot be stored; the message says why in plain words."""


def fingerprint(text: str) -> str:
    """A hash of the text that survives re-sharing: no URLs, handles, RT prefix, case or spacing.

    Empty when too little text is left to call two posts the same.
    """
    core = _RT_PREFIX.sub("", text)
    core = _HANDLE.sub(" ", _URL.sub(" ", core))
    core = _NOT_WORD.sub(" ", core.casefold()).strip()
    if len(core) < MIN_FINGERPRINT_CHARS:
        return ""
    return hashlib.blake2b(core.encode(), digest_size=16).hexdigest()


def safe_url(url: str) -> str:
    """The URL if it is http(s) and fits the column; otherwise nothing (never javascript: etc.)."""
    url = (url or "").strip()
    if len(url) > _URL_MAX or not url.lower().startswith(("http://", "https://")):
        return ""
    return url


def aware(moment: datetime) -> datetime:
    """Networks that send naive times mean UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def clean_field(value: str) -> str:
    """A short field (id, handle, URL, language) fit for every database: no NUL or other
    control characters (PostgreSQL refuses NUL), no lone surrogate (no encoding has one)."""
    value = value or ""
    if not value.isprintable():  # the common case, clean already, costs one C scan
        value = _CONTROL.sub("", value)
        value = _SURROGATE.sub("\ufffd", value)
    return value.strip()


def clean_name(value: str) -> str:
    """An author's name or handle: a clean field without direction overrides."""
    value = clean_field(value)
    return _BIDI.sub("", value) if not value.isascii() else value


def clean_text(text: str) -> str:
    # NUL and other control characters break PostgreSQL text columns and terminals.
    text = _CONTROL.sub("", text or "")
    text = _SURROGATE.sub("\ufffd", text).strip()
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[: MAX_TEXT_CHARS - 1]
    space = cut.rfind(" ", MAX_TEXT_CHARS - 200)  # end on a word when one ends nearby
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def clean_rating(value: object) -> int | None:
    """A review's stars as stored: a whole number 1 to 5, or None (a network's 0 for "not
    rated", a float or a string is not a rating the database's check would take)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= 5 else None


def received_time(moment: datetime, now: datetime | None = None) -> datetime:
    """The post's time, or now when it claims to be from the future or from before
    ``EARLIEST`` (year 1 overflows date arithmetic and some databases' conversions)."""
    moment = aware(moment)
    now = now or datetime.now(UTC)
    if moment > now + MAX_CLOCK_SKEW or moment < EARLIEST:
        return now
    return moment


def prepare(item: NormalizedItem) -> Prepared:
    """Clean one item, or raise ``Rejected``. The item kept in ``Prepared`` is the cleaned
    one, so that what is matched, analysed and stored is the same clean text."""
    if not item.network:
        raise Rejected("no network")
    external_id = clean_field(item.external_id)
    if not external_id:
        raise Rejected("no id")
    if len(external_id) > _ID_MAX:
        raise Rejected("id longer than 255 characters")
    author_id = clean_name(item.author_id or item.author_handle or "")[:_ID_MAX]
    if not author_id:
        raise Rejected("no author")
    if not isinstance(item.created, datetime):
        raise Rejected("no time")
    item = _cleaned(item)
    text = clean_text(item.text)
    return Prepared(
        item=item,
        network=item.network,
        external_id=external_id,
        text=text,
        posted=received_time(item.created),
        url=safe_url(clean_field(item.url)),
        in_reply_to=clean_field(item.in_reply_to)[:_ID_MAX],
        author_id=author_id,
        author_handle=(item.author_handle.strip().lstrip("@") or author_id)[:_ID_MAX],
        fingerprint="" if item.is_own else fingerprint(text),
    )


def _cleaned(item: NormalizedItem) -> NormalizedItem:
    """``item`` with its short fields cleaned (``clean_field``, ``clean_name``); the item
    itself when nothing changes, as for nearly every item."""
    text = item.text
    try:
        joined = "".join([getattr(item, name) for name, _ in _SHORT_FIELDS])
    except TypeError:  # None, or a number, where text belongs
        joined = "\x00"
    if (
        joined.isprintable()  # no control, surrogate or direction character: all clean
        and isinstance(text, str)
        and (text.isascii() or not _SURROGATE.search(text))
    ):
        return item
    changed: dict[str, Any] = {}
    for name, clean in _SHORT_FIELDS:
        value = getattr(item, name)
        if isinstance(value, str) and value:
            fresh = clean(value)
            if fresh != value:
                changed[name] = fresh
        elif value is None or not isinstance(value, str):
            changed[name] = ""
    if not isinstance(text, str):
        changed["text"] = ""
    elif not text.isprintable() and _SURROGATE.search(text):
        changed["text"] = _SURROGATE.sub("\ufffd", text)  # the matcher reads it as it is
    return dataclasses.replace(item, **changed) if changed else item


_SHORT_FIELDS = (
    ("external_id", clean_field),
    ("author_id", clean_name),
    ("author_handle", clean_name),
    ("author_name", clean_name),
    ("url", clean_field),
    ("language", clean_field),
    ("in_reply_to", clean_field),
    ("conversation_id", clean_field),
    ("kind", clean_field),
)
