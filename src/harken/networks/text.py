"""Network HTML as plain text, for matching, analysis and safe display; and a message's
attachments as addresses under its text (``with_attachments``).

Mastodon statuses and feed summaries arrive as HTML written by strangers. Harken stores
them as plain text (templates escape it again when they show it): every tag dropped,
``script`` and ``style`` with their content, entities decoded, whitespace tidied.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import nh3

_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_END = re.compile(r"(?i)</p>|</div>|</h\d>|</blockquote>")
_LINE_BREAK = re.compile(r"(?i)<br\s*/?>|</li>")
_HTTP = re.compile(r"(?i)https?://[^\s<>\"']+$")


def plain_text(fragment: str) -> str:
    """``fragment`` (HTML) as plain text, paragraphs kept as blank lines."""
    if not fragment:
        return ""
    spaced = _LINE_BREAK.sub("\n", _BLOCK_END.sub("\n\n", fragment))
    text = html.unescape(nh3.clean(spaced, tags=set()))
    text = _SPACE.sub(" ", text)
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()


def with_attachments(text: str, addresses: Iterable[str]) -> str:
    """``text`` with the addresses of what a message carries (images, files, a shared
    post) under it, each once on its own line: the stored message's media shape, where
    the inbox finds images to show through its signed, guarded proxy
    (``harken.inbox.media``) and every other file as a link. Only http(s) addresses;
    one the text already holds is not repeated."""
    found: list[str] = []
    for address in addresses:
        address = str(address or "").strip()
        if _HTTP.match(address) and address not in found and address not in text:
            found.append(address)
    if not found:
        return text
    return "\n\n".join(part for part in (text.rstrip(), "\n".join(found)) if part)
