"""Thumbnails of the images a message carries: only addresses the message itself holds
(its text and its own URL), only https, only what names an image file. Nothing is fetched
by Harken; the browser loads each one lazily without a referrer (``Referrer-Policy:
no-referrer`` on the tag), and the page's CSP allows ``img-src https:`` for it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: At most this many thumbnails under one message.
MOST = 4
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_URL = re.compile(r"https://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)


def is_image_url(url: str) -> bool:
    """An https address whose path ends in an image file's suffix, with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() != "https" or not parts.hostname or parts.username:
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
