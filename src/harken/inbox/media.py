"""Thumbnails of the images a message carries, served through Harken.

Only addresses the message itself holds (its text and its own URL), only http(s), only
what names an image file. The viewer's browser never loads them from their host: a
tracking pixel in a stranger's post would learn every responder's IP address and when
they read it. The page links each image to ``/inbox/messages/<pk>/media/<n>/?s=…`` and
Harken fetches it (``fetch``):

- through ``harken.lib.http``, so the URL guard refuses private and loopback addresses
  on every hop, with a short timeout, no retry storm and a size limit;
- only when the link's signature matches the address found in that stored message now
  (``signature``): the endpoint is no open proxy for any URL, and a link outlives
  neither an edit of the message nor a change of ``SECRET_KEY``;
- only an image by its first bytes (PNG, JPEG, GIF, WebP, AVIF; never SVG, which can
  carry script), served with the type those bytes say and ``nosniff``;
- kept in a bounded in-memory cache per process, failures too for a few minutes, so a
  page full of thumbnails asks each host once.

A direct message's attachments arrive as addresses in the stored message, like a public
post's images (a Mastodon direct status's ``media_attachments``, Messenger's
``attachments``, X's ``dm_events`` media, a Bluesky chat message's embed): an image becomes
a thumbnail as above; everything else (a PDF, a video, X's DM media, which its host gives
only to a signed-in request, a Bluesky post) is a plain link under the message
(``files``), which the browser never loads until a person follows it.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.signing import Signer
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from harken.lib import http
from harken.networks.base import ConnectorError

#: At most this many thumbnails under one message.
MOST = 4
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
#: The largest image fetched, the time one fetch may take, and how long answers are kept.
MAX_BYTES = 5 * 1024 * 1024
TIMEOUT = 5.0
KEEP_SECONDS = 24 * 3600
KEEP_FAILED_SECONDS = 300
CACHE_BYTES = 48 * 1024 * 1024
#: Hosts whose images only a signed-in request may read (X serves a DM's media to the
#: conversation's members, OAuth-signed): a fetch without the account's keys would fail,
#: so these stay links.
SIGNED_IN_HOSTS = ("ton.twitter.com",)
#: At most this many links under one message.
MOST_FILES = 8


def is_image_url(url: str) -> bool:
    """An http(s) address whose path ends in an image file's suffix, with a host. Plain
    http is fine: Harken fetches it, so the page stays https without mixed content."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.username:
        return False
    if parts.hostname.lower() in SIGNED_IN_HOSTS:
        return False
    return parts.path.lower().endswith(IMAGE_SUFFIXES)


def image_urls(text: str, url: str = "") -> list[str]:
    """The image addresses in ``text`` and ``url``, in order, each once, at most ``MOST``."""
    found: list[str] = []
    for candidate in [url, *_URL.findall(text or "")]:
        candidate = candidate.rstrip(".,;:!?")
        if candidate and candidate not in found and is_image_url(candidate):
            found.append(candidate)
    return found[:MOST]


# --- links the page draws ----------------------------------------------------------------


@dataclass(frozen=True)
class Thumb:
    src: str  # the proxied address, on Harken
    original: str  # where it lives (a link the person may choose to follow)


def signature(mention_id: int, index: int, url: str) -> str:
    return Signer(salt="harken.inbox.media").signature(f"{mention_id}:{index}:{url}")


def thumbs(mention_id: int, text: str, url: str = "") -> list[Thumb]:
    found = image_urls(text, url)
    return [
        Thumb(reverse("inbox_media", args=[mention_id, n]) + "?s=" + signature(mention_id, n, u), u)
        for n, u in enumerate(found)
    ]


def signed_url(mention_id: int, index: int, text: str, url: str, given: str) -> str | None:
    """The address thumbnail ``index`` of this message stands for, when ``given`` is its
    signature; None otherwise (a guess, an old link, another message's signature)."""
    found = image_urls(text, url)
    if not 0 <= index < len(found):
        return None
    wanted = signature(mention_id, index, found[index])
    return found[index] if given and constant_time_compare(given, wanted) else None


@dataclass(frozen=True)
class File:
    url: str  # http(s) only: a link, never loaded by the page
    name: str  # the file's name from the address, or its host
    host: str


def files(text: str, url: str = "") -> list[File]:
    """The http(s) addresses in ``text`` that are not thumbnails, in order, each once, at
    most ``MOST_FILES``: an attachment that is no image, or one Harken cannot fetch.
    ``url`` (the message's own address, linked as "original") is left out."""
    shown = set(image_urls(text, url)) | {url}
    found: list[File] = []
    for candidate in _URL.findall(text or ""):
        candidate = candidate.rstrip(".,;:!?")
        if candidate in shown or any(f.url == candidate for f in found):
            continue
        try:
            parts = urlsplit(candidate)
            host = (parts.hostname or "").lower()
        except ValueError:
            continue
        if not host or parts.username:
            continue
        name = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or host
        found.append(File(candidate, name[:80], host))
    return found[:MOST_FILES]


# --- fetching ----------------------------------------------------------------------------

#: First bytes → content type. SVG is absent on purpose (it is a document with script).
_MAGIC: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypavif", 4, "image/avif"),
]


def sniff(body: bytes) -> str | None:
    """The image type the first bytes say, or None for anything else."""
    for magic, offset, kind in _MAGIC:
        if body[offset : offset + len(magic)] == magic:
            if kind == "image/webp" and not body.startswith(b"RIFF"):
                continue
            return kind
    return None


@dataclass(frozen=True)
class Image:
    content_type: str
    body: bytes


class _Cache:
    """Least recently used, bounded by bytes; ``None`` (a failure) is kept briefly."""

    def __init__(self, most_bytes: int) -> None:
        self.most = most_bytes
        self.size = 0
        self.items: OrderedDict[str, tuple[float, Image | None]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bool, Image | None]:
        with self.lock:
            found = self.items.get(key)
            if found is None or found[0] < time.monotonic():
                return False, None
            self.items.move_to_end(key)
            return True, found[1]

    def put(self, key: str, image: Image | None) -> None:
        keep = KEEP_SECONDS if image is not None else KEEP_FAILED_SECONDS
        with self.lock:
            self._drop(key)
            self.items[key] = (time.monotonic() + keep, image)
            self.size += len(image.body) if image else 0
            while self.size > self.most and self.items:
                self._drop(next(iter(self.items)))

    def _drop(self, key: str) -> None:
        old = self.items.pop(key, None)
        if old is not None and old[1] is not None:
            self.size -= len(old[1].body)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0


CACHE = _Cache(CACHE_BYTES)


def fetch(url: str) -> Image | None:
    """The image at ``url`` through the URL guard, or None when it is not one we serve
    (refused, unreachable, too big, too slow, not an image)."""
    key = hashlib.sha256(url.encode()).hexdigest()
    known, image = CACHE.get(key)
    if known:
        return image
    image = None
    try:
        answer = http.get(
            url,
            timeout=TIMEOUT,
            total_timeout=2 * TIMEOUT,
            max_bytes=MAX_BYTES,
            attempts=2,
            max_wait=2.0,
            headers={"Accept": "image/avif,image/webp,image/png,image/jpeg,image/gif"},
        )
        kind = sniff(answer.content)
        if kind is not None:
            image = Image(kind, answer.content)
    except ConnectorError:
        image = None
    CACHE.put(key, image)
    return image
