"""feedparser's author e-mail search, in linear time.

feedparser (6.0.x) looks for an e-mail address in every author string with a pattern that
backtracks: each start position inside a run of ``a.a.a.…`` rescans the whole run, so an
author of ``"a@" + "a." * 32_000 + "!"`` takes 36 seconds and one of a megabyte hours
(kurtmckee/feedparser#562, open upstream). A feed is a stranger's document: reading it
must cost time in proportion to its size.

The pattern below finds the same addresses: a match can only start where a run of
address characters starts (a match starting inside a run extends to the run's start, and
``search`` wants the leftmost), and neither the local part nor a domain label can give
characters back usefully (the character after either is ``@`` or ``.``, which neither
contains). Telling the engine so, with a look-behind and possessive quantifiers, leaves
it one pass per run. ``install`` puts it in feedparser's place; the rest of feedparser's
method is kept as it was.
"""

from __future__ import annotations

import re
from typing import Any

from feedparser.mixin import _FeedParserMixin
from feedparser.util import FeedParserDict

#: feedparser's pattern (mixin.py, ``_sync_author_detail``), anchored at runs' starts and
#: without useless backtracking; the groups are the same.
EMAIL = re.compile(
    r"(?<![a-zA-Z0-9_\-.+])"
    r"(([a-zA-Z0-9\_\-\.\+]++)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]++\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _sync_author_detail(self: Any, key: str = "author") -> None:
    """feedparser's ``_FeedParserMixin._sync_author_detail`` with ``EMAIL``."""
    context = self._get_context()
    detail = context.get(f"{key}s", [FeedParserDict()])[-1]
    if detail:
        name = detail.get("name")
        email = detail.get("email")
        if name and email:
            context[key] = f"{name} ({email})"
        elif name:
            context[key] = name
        elif email:
            context[key] = email
        return
    author, email = context.get(key), None
    if not author:
        return
    found = EMAIL.search(author)
    if found:
        email = found.group(0)
        author = author.replace(email, "")
        author = author.replace("()", "").replace("<>", "").replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        context.setdefault(f"{key}_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def install() -> None:
    """Use ``_sync_author_detail`` in every feedparser parser (they all inherit the mixin)."""
    _FeedParserMixin._sync_author_detail = _sync_author_detail  # type: ignore[method-assign]
