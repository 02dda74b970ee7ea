"""Handles as people write them, made comparable."""

from __future__ import annotations

import re

#: Spreadsheet column names (normalised) that mean a network, and the network they mean.
NETWORK_COLUMNS = {
    "bluesky": "bluesky",
    "bsky": "bluesky",
    "mastodon": "mastodon",
    "fediverse": "mastodon",
    "x": "x",
    "twitter": "x",
    "reddit": "reddit",
}

#: What a network appends to every handle: dropped when comparing across networks.
SUFFIXES = (".bsky.social",)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def clean_handle(raw: str) -> str:
    """A handle in its stored form: trimmed, lower case, without a leading "@" (or "u/")."""
    handle = raw.strip().lower().removeprefix("@")
    return handle.removeprefix("u/") if handle.startswith("u/") else handle


def stem(handle: str) -> str:
    """The part of a handle a person keeps across networks: "maya" for "maya@mastodon.social",
    "@maya" on X and "maya.bsky.social"."""
    local = clean_handle(handle).split("@", 1)[0]
    for suffix in SUFFIXES:
        local = local.removesuffix(suffix)
    return local


def emails_in(text: str) -> set[str]:
    return {found.lower().rstrip(".") for found in _EMAIL.findall(text or "")}


def links_in(text: str) -> list[str]:
    return [found.lower().rstrip(".,)") for found in _URL.findall(text or "")]


def normal_name(name: str) -> str:
    return " ".join(name.casefold().split())
