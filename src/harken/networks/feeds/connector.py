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
import re
import xml.sax
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urljoin, urlsplit

import feedparser
import httpx

from harken.lib import http
from harken.lib.http import HttpStatusError
from harken.networks.base import Connector, ConnectorError, NormalizedItem, Page
from harken.networks.feeds import authors, worker
from harken.networks.text import plain_text

authors.install()  # feedparser's author e-mail search, without its quadratic blow-up

#: How many entry ids the cursor remembers; more than any real feed's window.
SEEN_LIMIT = 500
MAX_FEED_BYTES = 5 * 1024 * 1024
ACCEPT = (
    "application/feed+json, application/atom+xml, application/rss+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: JSON nested deeper than this is a hostile document, not a feed (JSON Feed needs 4).
MAX_JSON_DEPTH = 64
#: Why a reason is cut: the source's page shows it, it must stay a line.
_REASON_CHARS = 160


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


@dataclass
class Parsed:
    """What a feed document held: its language, its readable entries, the entries it could
    not read with why (id, reason), and whether the document itself broke off."""

    language: str
    entries: list[Entry]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    damaged: bool = False


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
        """New entries since ``cursor``, oldest first; an unchanged feed (304) returns none.

        One bad entry never stops the others: an entry that cannot be read is skipped, with
        why, in ``Page.skipped`` (once: the cursor remembers it like any entry)."""
        state = load_cursor(cursor)
        response = self._get(state)
        if response.status_code == 304:
            return Page(items=[], cursor=cursor)
        parsed = parse(response)
        seen = set(state.get("seen", ()))
        fresh = [entry for entry in parsed.entries if is_new(entry, seen, state.get("oldest"))]
        fresh.sort(key=lambda e: e.created or datetime.min.replace(tzinfo=UTC))
        items = []
        skipped = [(ident, why) for ident, why in parsed.skipped if ident not in seen]
        for entry in fresh:
            try:
                items.append(self._normalize(entry, parsed.language))
            except Exception as exc:  # one entry's surprise must not cost the feed
                skipped.append((entry.id, unreadable(exc)))
        # A damaged body (cut off, bad XML after the first entries) keeps no validators, so
        # the next poll reads the whole feed again instead of a 304 that hides the rest.
        validators = None if parsed.damaged else response
        remembered = [ident for ident, _ in parsed.skipped]
        return Page(
            items=items,
            cursor=dump_cursor(state, validators, parsed.entries, remembered),
            skipped=skipped,
        )

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
        link = self._link(entry.link)
        # Without an author, the site speaks: the article's, or else the feed's own.
        site = (urlsplit(link).hostname if link else "") or urlsplit(self.url).hostname or ""
        title = plain_text(entry.title)
        text = join_text(title, plain_text(entry.summary_html))
        return NormalizedItem(
            network=self.network,
            external_id=item_id(self.url, entry.id),
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

    def _link(self, raw: str) -> str:
        """The entry's web address, absolute; none when it is not a valid http(s) URL (a
        ``tag:`` permalink, ``mailto:``, ``http://[::1``): the entry is kept without it."""
        if not raw:
            return ""
        try:
            link = unwrap_redirect(urljoin(self.url, raw.strip()))
            parts = urlsplit(link)
        except ValueError:
            return ""
        return link if parts.scheme in ("http", "https") and parts.hostname else ""


class Unreadable(ValueError):
    """An entry this reader refuses; the message says why, as the source's page shows it."""


def unreadable(exc: BaseException) -> str:
    """Why an entry could not be read, in a line: the error's kind and its words."""
    if isinstance(exc, Unreadable):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "an entry nested too deeply to read"
    said = str(exc).strip()
    reason = f"could not be read: {type(exc).__name__}" + (f" ({said})" if said else "")
    return reason[:_REASON_CHARS]


# --- identity --------------------------------------------------------------------------

#: Ids that name one thing on the whole web: an http(s) URL with a host, an RFC 4151
#: ``tag:`` URI (its authority and date make it unique) or a URN (``urn:uuid:``...).
_GLOBAL_ID = re.compile(r"(?i)^(?:https?://[^/\s?#]+|tag:[^,\s]+,\d{4}|urn:[a-z0-9][a-z0-9-]*:\S)")


def item_id(feed_url: str, ident: str) -> str:
    """The mention's external id for the entry ``ident`` of the feed at ``feed_url``.

    Many feeds number their entries (``<guid>1</guid>``) or use ids only unique on their
    site (``t3_abc``, ``yt:video:...``): such an id is the feed's address and the id, so
    that two feeds' entry 1 are two mentions. A globally unique id stays as it is, so an
    article found by two feeds is one mention."""
    if _GLOBAL_ID.match(ident):
        return external_id(ident)
    return external_id(f"{feed_url}#{ident}")


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
        try:
            return entry.created >= datetime.fromisoformat(oldest)
        except (TypeError, ValueError):
            return True  # a damaged cursor: dedupe makes a repeat harmless
    return True


def dump_cursor(
    state: dict[str, Any],
    response: httpx.Response | None,
    entries: list[Entry],
    skipped: list[str] = (),  # type: ignore[assignment]
) -> str:
    """The cursor after reading ``entries``; the ids of the ``skipped`` entries are
    remembered too, so an unreadable entry is reported once, not at every poll."""
    current = [e.id for e in sorted(entries, key=_newest_first)] + list(skipped)
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


def parse(response: httpx.Response) -> Parsed:
    """The feed's language and entries, the entries it could not read, and whether the body
    was damaged; a ``ConnectorError`` that says what is wrong when the body is not a feed."""
    body = response.content
    head = body[:1024].lstrip()
    # The whole header, charset included: a feed declared windows-1251 only there is
    # read as windows-1251, not as UTF-8 mojibake.
    full_type = response.headers.get("content-type", "")
    content_type = full_type.split(";")[0].strip().lower()
    if head.startswith(b"{") or content_type in ("application/feed+json", "application/json"):
        return parse_json_feed(body, str(response.url))
    # feedparser's time is not bounded by the document's size: a child process, with a
    # CPU-time limit, reads it (see ``worker``).
    return worker.parse_xml_bounded(body, str(response.url), full_type)


def parse_xml_feed(body: bytes, url: str, content_type: str) -> Parsed:
    # No base URL: feedparser would resolve relative entry ids ("t3_abc" on Reddit) against
    # it, and an id must not change with the address the feed was read from.
    try:
        parsed = feedparser.parse(
            defuse_references(body), response_headers={"content-type": content_type}
        )
    except RecursionError:
        raise ConnectorError(f"The feed at {url} is nested too deeply to read.") from None
    except (UnicodeError, ValueError) as exc:  # feedparser's own, on a document it chokes on
        raise ConnectorError(
            f"The feed at {url} cannot be read ({type(exc).__name__}: {exc})."[:300]
        ) from None
    if not parsed.entries:
        if looks_like_html(body, parsed):
            raise ConnectorError(
                f"{url} is a web page, not a feed. Look for its RSS or Atom link.", permanent=True
            )
        if parsed.bozo:
            raise ConnectorError(f"The feed at {url} cannot be read: {_bozo_reason(parsed)}.")
        if not parsed.version:
            raise ConnectorError(f"{url} is not an RSS, Atom or JSON feed.", permanent=True)
    language = _scrub(parsed.feed.get("language", ""))
    entries, skipped = _read_entries(parsed.entries, _xml_entry, _xml_id)
    damaged = is_damaged(parsed)
    if damaged and not entries:
        raise ConnectorError(f"The feed at {url} cannot be read: {_bozo_reason(parsed)}.")
    return Parsed(language, entries, skipped, damaged)


_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]{1,16}|[0-9]{1,20});")


def defuse_references(body: bytes) -> bytes:
    """The document with its character references to no character (``&#xD800;``, half a
    UTF-16 pair; ``&#0;``; past U+10FFFF) made U+FFFD: feedparser's lenient parser turns
    them into characters that it then fails to encode, and the whole feed with them."""

    def replace(found: re.Match[bytes]) -> bytes:
        digits = found.group(1)
        number = int(digits[1:], 16) if digits[:1] in b"xX" else int(digits)
        if number == 0 or 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
            return b"&#xFFFD;"
        return found.group(0)

    return _REFERENCE.sub(replace, body) if b"&#" in body else body


def _read_entries(
    raws: list[Any], read: Callable[[Any], Entry], ident: Callable[[Any], str]
) -> tuple[list[Entry], list[tuple[str, str]]]:
    """Each raw entry read, or skipped with why; empty ones (the debris of a broken
    document, or an entry with nothing to show) are skipped too, and said so."""
    entries: list[Entry] = []
    skipped: list[tuple[str, str]] = []
    for raw in raws:
        try:
            entry = read(raw)
        except Exception as exc:
            skipped.append((_safe_id(ident, raw), unreadable(exc)))
            continue
        if has_content(entry):
            entries.append(entry)
        else:
            skipped.append((entry.id, "an empty entry: no title, text or link"))
    return entries, skipped


def _safe_id(ident: Callable[[Any], str], raw: Any) -> str:
    try:
        return ident(raw)
    except Exception:
        return _digest(repr(raw)[:10_000])


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
    return Entry(
        id=_xml_id(raw),
        title=_scrub(raw.get("title", "")),
        summary_html=_scrub(summary),
        link=_scrub(raw.get("link", "")),
        created=_from_struct(stamp),
        author=_author(raw),
        language=_scrub(raw.get("language", "")),
    )


def _xml_id(raw: Any) -> str:
    content = raw.get("content") or []
    summary = raw.get("summary") or (content[0].get("value", "") if content else "")
    ident = _scrub(raw.get("id") or "").strip() or _scrub(raw.get("link") or "").strip()
    return ident or _digest(raw.get("title", "") + summary)


def _from_struct(stamp: Any) -> datetime | None:
    # feedparser gives times as UTC struct_time tuples.
    if not stamp:
        return None
    year, month, day, hour, minute, second = stamp[:6]
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _author(raw: Any) -> str:
    detail = raw.get("author_detail") or {}
    return _scrub(detail.get("name") or raw.get("author") or "").strip()


def parse_json_feed(body: bytes, url: str) -> Parsed:
    deep = False
    try:
        document = json.loads(body)
    except RecursionError:
        # 100,000 nested brackets: cut what lies below MAX_JSON_DEPTH and read the rest,
        # so the one item that holds them is skipped and the others are stored.
        document, deep = _load_shallow(body, url), True
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

    def read(item: Any) -> Entry:
        if not isinstance(item, dict):
            raise Unreadable("an item that is not a JSON object")
        if deep and _holds(item, _TOO_DEEP):
            raise Unreadable(f"an entry nested more than {MAX_JSON_DEPTH} levels deep")
        return _json_entry(item, feed_author)

    entries, skipped = _read_entries(items, read, _json_id)
    return Parsed(_scrub(document.get("language") or ""), entries, skipped)


def _json_id(item: Any) -> str:
    if not isinstance(item, dict):
        return _digest(json.dumps(item, default=str)[:10_000])
    ident = item.get("id")
    if isinstance(ident, (str, int)) and not isinstance(ident, bool) and str(ident).strip():
        return _scrub(ident).strip()
    return _scrub(_json_link(item) or _digest(json.dumps(item, default=str)))


def _json_link(item: dict[str, Any]) -> str:
    link = item.get("url") or item.get("external_url") or ""
    return _scrub(link) if isinstance(link, str) else ""


def _json_entry(item: dict[str, Any], feed_author: str) -> Entry:
    summary = item.get("content_html") or html.escape(
        _scrub(item.get("content_text") or item.get("summary") or "")
    )
    return Entry(
        id=_json_id(item),
        title=_scrub(item.get("title") or ""),
        summary_html=_scrub(summary),
        link=_json_link(item),
        created=_iso(item.get("date_published") or item.get("date_modified")),
        author=_json_author(item) or feed_author,
        language=_scrub(item.get("language") or ""),
    )


def _json_author(node: dict[str, Any]) -> str:
    # Version 1.1 has "authors" (a list); 1.0 had "author" (one object). Anything else
    # ("authors": 5) is no author.
    authors = node.get("authors")
    if not isinstance(authors, list) or not authors:
        authors = [node["author"]] if isinstance(node.get("author"), dict) else []
    names = [_scrub(a.get("name") or "").strip() for a in authors if isinstance(a, dict)]
    return ", ".join(n for n in names if n)


def _iso(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None  # not a date, or one no calendar arithmetic can hold (year 1 at +05:00)


#: What stands for a value nested below MAX_JSON_DEPTH once it is cut out.
_TOO_DEEP = "\x00harken:nested-too-deep"
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _load_shallow(body: bytes, url: str) -> Any:
    """The document with every value below ``MAX_JSON_DEPTH`` replaced by ``_TOO_DEEP``."""
    try:
        text = body.decode(json.detect_encoding(body))
    except (UnicodeDecodeError, LookupError) as exc:
        raise ConnectorError(f"The feed at {url} is not valid JSON: {exc}.") from None
    pieces: list[str] = []
    depth, kept_to, cut_at = 0, 0, -1
    for token in _JSON_TOKEN.finditer(text):
        mark = token.group()
        if mark[0] == '"':
            continue
        if mark in "[{":
            depth += 1
            if depth == MAX_JSON_DEPTH + 1:
                pieces.append(text[kept_to : token.start()])
                cut_at = token.start()
        else:
            if depth == MAX_JSON_DEPTH + 1 and cut_at >= 0:
                pieces.append(json.dumps(_TOO_DEEP))
                kept_to, cut_at = token.end(), -1
            depth -= 1
    if cut_at >= 0:  # the deep part never closes: nothing after it is JSON
        raise ConnectorError(f"The feed at {url} is nested too deeply to read.")
    pieces.append(text[kept_to:])
    try:
        return json.loads("".join(pieces))
    except (ValueError, RecursionError) as exc:
        raise ConnectorError(f"The feed at {url} is not valid JSON: {exc}.") from None


def _holds(node: Any, value: str) -> bool:
    """Whether ``value`` is somewhere in ``node`` (shallow by now: see ``_load_shallow``)."""
    if isinstance(node, dict):
        return any(_holds(v, value) for v in node.values())
    if isinstance(node, list):
        return any(_holds(v, value) for v in node)
    return node == value


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _scrub(value: Any) -> str:
    """A feed's value as text that every encoder takes: JSON's ``"\\ud800"`` decodes to
    half a UTF-16 pair, which neither the HTML cleaner nor a database accepts."""
    text = value if isinstance(value, str) else str(value)
    return _SURROGATE.sub("\ufffd", text) if not text.isascii() else text


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
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()
