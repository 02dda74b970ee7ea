"""Normalize inbound items before they are stored: clean fields and near-duplicate fingerprints.

Everything here is pure (no database), so the pipeline and the bench can run it in bulk.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from harken.networks.base import NormalizedItem

#: Shorter normalized texts ("thanks!", "@Delta") are too common to mean "the same post".
MIN_FINGERPRINT_CHARS = 24

_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@[\w.\-]+(?:@[\w.\-]+)?")
_RT_PREFIX = re.compile(r"^\s*(?:rt|mt)\b[\s:]*", re.IGNORECASE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

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


def clean_text(text: str) -> str:
    # NUL and other control characters break PostgreSQL text columns and terminals.
    text = _CONTROL.sub("", text or "").strip()
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[: MAX_TEXT_CHARS - 1]
    space = cut.rfind(" ", MAX_TEXT_CHARS - 200)  # end on a word when one ends nearby
    return (cut[:space] if space > 0 else cut).rstrip() + "…"


def received_time(moment: datetime, now: datetime | None = None) -> datetime:
    """The post's time, or now when it claims to be from the future."""
    moment = aware(moment)
    now = now or datetime.now(UTC)
    return now if moment > now + MAX_CLOCK_SKEW else moment


def prepare(item: NormalizedItem) -> Prepared:
    """Clean one item, or raise ``Rejected``."""
    external_id = (item.external_id or "").strip()
    if not item.network:
        raise Rejected("no network")
    if not external_id:
        raise Rejected("no id")
    if len(external_id) > _ID_MAX:
        raise Rejected("id longer than 255 characters")
    author_id = (item.author_id or item.author_handle or "").strip()[:_ID_MAX]
    if not author_id:
        raise Rejected("no author")
    if not isinstance(item.created, datetime):
        raise Rejected("no time")
    text = clean_text(item.text)
    return Prepared(
        item=item,
        network=item.network,
        external_id=external_id,
        text=text,
        posted=received_time(item.created),
        url=safe_url(item.url),
        in_reply_to=(item.in_reply_to or "").strip()[:_ID_MAX],
        author_id=author_id,
        author_handle=((item.author_handle or author_id).strip().lstrip("@") or author_id)[
            :_ID_MAX
        ],
        fingerprint="" if item.is_own else fingerprint(text),
    )
