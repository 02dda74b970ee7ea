"""Network HTML as plain text, for matching, analysis and safe display.

Mastodon statuses and feed summaries arrive as HTML written by strangers. Harken stores
them as plain text (templates escape it again when they show it): every tag dropped,
``script`` and ``style`` with their content, entities decoded, whitespace tidied.
"""

from __future__ import annotations

import html
import re

import nh3

_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_END = re.compile(r"(?i)</p>|</div>|</h\d>|</blockquote>")
_LINE_BREAK = re.compile(r"(?i)<br\s*/?>|</li>")


def plain_text(fragment: str) -> str:
    """``fragment`` (HTML) as plain text, paragraphs kept as blank lines."""
    if not fragment:
        return ""
    spaced = _LINE_BREAK.sub("\n", _BLOCK_END.sub("\n\n", fragment))
    text = html.unescape(nh3.clean(spaced, tags=set()))
    text = _SPACE.sub(" ", text)
    lines = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", lines).strip()
