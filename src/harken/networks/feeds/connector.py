"""Web feeds: RSS, Atom and JSON Feed, read with conditional GET.

One connector covers blogs, news sites, Google Alerts feeds, Reddit search feeds and
YouTube channel feeds, none of which needs an API key. RSS and Atom go through
feedparser; JSON Feed (https://jsonfeed.org/version/1.1), which feedparser does not read,
is parsed here.

The cursor is JSON: the validators of the last answer (``etag``, ``modified``) for a
conditional GET, and the ids of the entries already returned (newest first, capped) with
the oldest date among them. A feed is a sliding window, so "new" means "an id not seen
before", and an unseen entry older than everything remembered is one that fell out of
the memory, not news.
"""

from __future__ import annotations

import hashlib
import html
import json
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit

import feedparser
import httpx

from harken.lib import http
from harken.lib.http import HttpStatusError
from harken.networks.base import Connector, ConnectorError, NormalizedItem, Page
from harken.networks.text import plain_text

#: How many entry ids the cursor remembers; more than any real feed's window.
SEEN_LIMIT = 500
MAX_FEED_BYTES = 5 * 1024 * 1024
ACCEPT = (
    "application/feed+json, application/atom+xml, application/rss+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True)
class Entry:
    """One feed entry, whichever format it came in."""

    id: str
    title: str
    summary_html: str
    link: str
    created: datetime | None
    author: str
    language: str


class Feed(Connector):
    network = "feed"
    label = "Web feed"
    capabilities: ClassVar[frozenset[str]] = frozenset({"fetch"})

    @property
    def url(self) -> str:
        url = self.config.get("url") or ""
        if not url:
            raise ConnectorError("This feed source has no URL.", permanent=True)
        return url

    def fetch(self, cursor: str | None) -> Page:
        """New entries since ``cursor``, oldest first; an unchanged feed (304) returns none."""
        state = load_cursor(cursor)
        response = self._get(state)
        if response.status_code == 304:
            return Page(items=[], cursor=cursor)
        feed_language, entries, damaged = parse(response)
        seen = set(state.get("seen", ()))
        fresh = [entry for entry in entries if is_new(entry, seen, state.get("oldest"))]
        fresh.sort(key=lambda e: e.created or datetime.min.replace(tzinfo=UTC))
        items = [self._normalize(entry, feed_language) for entry in fresh]
        # A damaged body (cut off, bad XML after the first entries) keeps no validators, so
        # the next poll reads the whole feed again instead of a 304 that hides the rest.
        validators = None if damaged else response
        return Page(items=items, cursor=dump_cursor(state, validators, entries))

    def _get(self, state: dict[str, Any]) -> httpx.Response:
        headers = {"Accept": ACCEPT}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("modified"):
            headers["If-Modified-Since"] = state["modified"]
        try:
            return http.get(self.url, headers=headers, max_bytes=MAX_FEED_BYTES)
        except HttpStatusError as exc:
            if exc.status in (404, 410):
                raise ConnectorError(
                    f"The feed at {self.url} is gone (HTTP {exc.status}); check its address.",
                    permanent=True,
                ) from exc
            raise

    def _normalize(self, entry: Entry, feed_language: str) -> NormalizedItem:
        link = unwrap_redirect(urljoin(self.url, entry.link)) if entry.link else ""
        site = urlsplit(link or self.url).hostname or ""
        title = plain_text(entry.title)
        text = join_text(title, plain_text(entry.summary_html))
        return NormalizedItem(
            network=self.network,
            external_id=external_id(entry.id),
            kind="article",
            text=text,
            created=entry.created or datetime.now(UTC),
            author_id=entry.author or site,
            author_handle=entry.author or site,
            author_name=entry.author,
            url=link,
            language=(entry.language or feed_language)[:16],
            raw={"id": entry.id, "title": title, "feed": self.url},
        )


# --- cursor ----------------------------------------------------------------------------


def load_cursor(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        state = json.loads(cursor)
    except ValueError:
        return {}  # an unreadable cursor starts over; dedupe makes the repeat harmless
    return state if isinstance(state, dict) else {}


def is_new(entry: Entry, seen: set[str], oldest: str | None) -> bool:
    if entry.id in seen:
        return False
    if oldest and entry.created and len(seen) >= SEEN_LIMIT:
        # The memory is full: an unseen entry older than all of it was forgotten, not new.
        return entry.created >= datetime.fromisoformat(oldest)
    return True


def dump_cursor(
    state: dict[str, Any], response: httpx.Response | None, entries: list[Entry]
) -> str:
    current = [e.id for e in sorted(entries, key=_newest_first)]
    seen = list(dict.fromkeys(current + list(state.get("seen", ()))))[:SEEN_LIMIT]
    dates = [e.created for e in entries if e.created]
    oldest = min(dates).isoformat() if dates else state.get("oldest")
    headers = response.headers if response is not None else {}
    cursor = {
        "etag": headers.get("etag", ""),
        "modified": headers.get("last-modified", ""),
        "seen": seen,
        "oldest": oldest,
    }
    return json.dumps(cursor, separators=(",", ":"))


def _newest_first(entry: Entry) -> float:
    return -(entry.created.timestamp() if entry.created else 0.0)


# --- parsing ---------------------------------------------------------------------------


def parse(response: httpx.Response) -> tuple[str, list[Entry], bool]:
    """The feed's language, its entries with something to show, and whether the body was
    damaged; a ``ConnectorError`` that says what is wrong when the body is not a feed."""
    body = response.content
    head = body[:1024].lstrip()
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if head.startswith(b"{") or content_type in ("application/feed+json", "application/json"):
        language, entries = parse_json_feed(body, str(response.url))
        return language, [e for e in entries if has_content(e)], False
    return parse_xml_feed(body, str(response.url), content_type)


def parse_xml_feed(body: bytes, url: str, content_type: str) -> tuple[str, list[Entry], bool]:
    # No base URL: feedparser would resolve relative entry ids ("t3_abc" on Reddit) against
    # it, and an id must not change with the address the feed was read from.
    parsed = feedparser.parse(body, response_headers={"content-type": content_type})
    if not parsed.entries:
        if looks_like_html(body, parsed):
            raise ConnectorError(
                f"{url} is a web page, not a feed. Look for its RSS or Atom link.", permanent=True
            )
        if parsed.bozo:
            raise ConnectorError(f"The feed at {url} cannot be read: {_bozo_reason(parsed)}.")
        if not parsed.version:
            raise ConnectorError(f"{url} is not an RSS, Atom or JSON feed.", permanent=True)
    language = parsed.feed.get("language", "") or ""
    entries = [entry for entry in map(_xml_entry, parsed.entries) if has_content(entry)]
    damaged = is_damaged(parsed)
    if damaged and not entries:
        raise ConnectorError(f"The feed at {url} cannot be read: {_bozo_reason(parsed)}.")
    return language, entries, damaged


def is_damaged(parsed: Any) -> bool:
    """Whether the XML itself broke off. feedparser also flags mere warnings (a missing or
    wrong content type or encoding declaration) that leave the document whole."""
    return bool(parsed.bozo) and isinstance(parsed.get("bozo_exception"), xml.sax.SAXException)


def has_content(entry: Entry) -> bool:
    """An entry with no title, text or link is debris of a broken document, not a post."""
    return bool(entry.title.strip() or plain_text(entry.summary_html).strip() or entry.link)


def _bozo_reason(parsed: Any) -> str:
    error = parsed.get("bozo_exception", "")
    reason = getattr(error, "getMessage", lambda: "")() or str(error)
    return reason.rstrip(".") or "the document is malformed"


def looks_like_html(body: bytes, parsed: Any) -> bool:
    head = body[:2048].lower()
    return not parsed.version and (b"<html" in head or b"<!doctype html" in head)


def _xml_entry(raw: Any) -> Entry:
    content = raw.get("content") or []
    summary = raw.get("summary") or (content[0].get("value", "") if content else "")
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    link = raw.get("link", "")
    ident = raw.get("id") or link or _digest(raw.get("title", "") + summary)
    return Entry(
        id=ident,
        title=raw.get("title", ""),
        summary_html=summary,
        link=link,
        created=_from_struct(stamp),
        author=_author(raw),
        language=raw.get("language", "") or "",
    )


def _from_struct(stamp: Any) -> datetime | None:
    # feedparser gives times as UTC struct_time tuples.
    if not stamp:
        return None
    year, month, day, hour, minute, second = stamp[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _author(raw: Any) -> str:
    detail = raw.get("author_detail") or {}
    return (detail.get("name") or raw.get("author") or "").strip()


def parse_json_feed(body: bytes, url: str) -> tuple[str, list[Entry]]:
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise ConnectorError(f"The feed at {url} is not valid JSON: {exc}.") from None
    if not isinstance(document, dict) or "jsonfeed.org/version/" not in str(
        document.get("version", "")
    ):
        raise ConnectorError(f"{url} answered JSON that is not a JSON Feed.", permanent=True)
    items = document.get("items")
    if not isinstance(items, list):
        raise ConnectorError(f"The JSON Feed at {url} has no items list.")
    feed_author = _json_author(document)
    entries = [_json_entry(item, feed_author) for item in items if isinstance(item, dict)]
    return str(document.get("language") or ""), entries


def _json_entry(item: dict[str, Any], feed_author: str) -> Entry:
    summary = item.get("content_html") or html.escape(
        str(item.get("content_text") or item.get("summary") or "")
    )
    link = str(item.get("url") or item.get("external_url") or "")
    return Entry(
        id=str(item.get("id") or link or _digest(summary)),
        title=str(item.get("title") or ""),
        summary_html=str(summary),
        link=link,
        created=_iso(item.get("date_published") or item.get("date_modified")),
        author=_json_author(item) or feed_author,
        language=str(item.get("language") or ""),
    )


def _json_author(node: dict[str, Any]) -> str:
    # Version 1.1 has "authors" (a list); 1.0 had "author" (one object).
    authors = node.get("authors") or (
        [node["author"]] if isinstance(node.get("author"), dict) else []
    )
    names = [str(a.get("name", "")).strip() for a in authors if isinstance(a, dict)]
    return ", ".join(n for n in names if n)


def _iso(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- text ---------------------------------------------------------------------------


def join_text(title: str, summary: str) -> str:
    # YouTube and some blogs repeat the title as the summary: say it once.
    if not summary or summary == title:
        return title
    return f"{title}\n\n{summary}" if title else summary


def unwrap_redirect(link: str) -> str:
    """The article behind a Google Alerts link (``https://www.google.com/url?url=...``)."""
    parts = urlsplit(link)
    if parts.hostname and parts.hostname.endswith("google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("url") or parse_qs(parts.query).get("q")
        if target and target[0].startswith(("http://", "https://")):
            return target[0]
    return link


def external_id(ident: str) -> str:
    """The entry's id, hashed when it is too long for the mention table's key."""
    return ident if len(ident) <= 255 else "sha1:" + _digest(ident)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
