"""What Reddit's search refuses, said before a search is saved rather than at every poll."""

from __future__ import annotations

import re

from harken.networks.base import ConnectorError

#: A subreddit's name, as Reddit allows it (and the Reddit connector reads it).
SUBREDDIT_NAME = re.compile(r"[A-Za-z0-9_]{2,21}")


def check_query(query: str) -> None:
    if not query.lower().startswith("subreddit:"):
        return
    name = query.split(None, 1)[0].split(":", 1)[1]
    if not SUBREDDIT_NAME.fullmatch(name):
        raise ConnectorError(
            "Write subreddit:NAME (2 to 21 letters, digits or underscores), then the words "
            "to search for in it, or nothing to read all its new comments.",
            permanent=True,
        )
