"""What X's recent search refuses, said before a search is saved rather than at every
poll (X API v2, "Build a query")."""

from __future__ import annotations

import shlex

from harken.networks.base import ConnectorError

#: X operators that X refuses on their own ("conjunction-required"): a query needs at
#: least one standalone term beside them.
CONJUNCTION_ONLY = ("is:", "has:", "lang:", "place_country:", "point_radius:", "bounding_box:")


def check_query(query: str) -> None:
    # X answers such a query with a 400 at every poll; say so before it is saved.
    terms = [t.strip("()") for t in terms_of(query) if t.strip("()") not in ("", "OR", "AND")]
    standalone = [
        t for t in terms if not t.startswith("-") and not t.lower().startswith(CONJUNCTION_ONLY)
    ]
    if not standalone:
        raise ConnectorError(
            "X needs at least one word, “phrase”, #hashtag, @handle or from: in a search; "
            "exclusions (-word) and is:, has: or lang: cannot stand alone.",
            permanent=True,
        )


def terms_of(query: str) -> list[str]:
    """The query's terms, a quoted phrase counting as one (an unclosed quote as words)."""
    try:
        return shlex.split(query, posix=True)
    except ValueError:
        return query.split()
