"""Import mentions from other tools' exports: CSV and JSON Lines, mapped by column name.

Every row is validated whole into a ``NormalizedItem`` or rejected with its line number and
the reason; valid rows go through the ingest pipeline in chunks, one transaction each, so
no row is ever half-imported and re-importing a file changes nothing (the pipeline's
unique keys). While an import runs, its source's cursor holds the last line stored, so an
import killed half-way resumes where it stopped instead of starting over.

Line numbers are physical lines (counted by "\\n" only), as an editor shows them; a stray
carriage return inside a field is a malformed row, not a line break.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from harken.core.models import Workspace
from harken.listening.models import Source
from harken.listening.pipeline import ingest
from harken.networks.base import NormalizedItem

#: Our field ← the names other tools give that column, most specific first.
ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "tweet_id", "post_id", "status_id", "message_id", "id"),
    "text": ("text", "full_text", "content", "message", "body", "snippet"),
    "posted": ("posted", "created_at", "created", "published_at", "published", "date", "timestamp"),
    "author_id": ("author_id", "user_id", "from_id", "author", "user"),
    "author_handle": ("author_handle", "screen_name", "username", "handle", "user_name"),
    "author_name": ("author_name", "display_name", "name", "full_name"),
    "author_followers": ("author_followers", "followers_count", "followers", "reach"),
    "url": ("url", "permalink", "link", "post_url"),
    "language": ("language", "lang"),
    "in_reply_to": (
        "in_reply_to",
        "in_response_to_tweet_id",
        "in_reply_to_status_id",
        "in_reply_to_id",
        "parent_id",
    ),
    "conversation_id": ("conversation_id", "thread_id"),
    "kind": ("kind", "type"),
    "network": ("network", "platform"),
    "is_own": ("is_own",),
    "inbound": ("inbound",),
}
FIELDS = tuple(ALIASES)
REQUIRED = ("external_id", "text", "posted")

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}
_TIME_FORMATS = ("%a %b %d %H:%M:%S %z %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")


class RowError(ValueError):
    """Why a row was rejected, in words a person can act on."""


@dataclass
class Progress:
    """How far an import has read: bytes of the file and lines so far."""

    done_bytes: int
    total_bytes: int
    lines: int


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    already: int = 0  # stored before (a re-import) or twice in the file
    skipped: int = 0  # before the resume point of an interrupted import
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, why)


@dataclass
class Options:
    """How rows become mentions."""

    mapping: dict[str, str]
    network: str = "x"
    own_handles: frozenset[str] | None = None  # None: decided by is_own / inbound columns


def default_mapping(
    columns: list[str], explicit: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Our field → their column: ``explicit`` entries first, then the usual names."""
    explicit = dict(explicit or {})
    unknown = set(explicit) - set(FIELDS)
    if unknown:
        raise RowError(f"unknown field(s) in the mapping: {', '.join(sorted(unknown))}")
    by_lower = {column.strip().lower(): column for column in columns if column.strip()}
    mapping: dict[str, str] = {}
    for ours, aliases in ALIASES.items():
        if ours in explicit:
            mapping[ours] = explicit[ours]
            continue
        found = next((by_lower[a] for a in aliases if a in by_lower), None)
        if found is not None:
            mapping[ours] = found
    return mapping


def check_mapping(mapping: Mapping[str, str], columns: list[str] | None) -> None:
    missing = [ours for ours in REQUIRED if ours not in mapping]
    if "author_id" not in mapping and "author_handle" not in mapping:
        missing.append("author_id")
    if missing:
        raise RowError(f"no column for: {', '.join(missing)}; name it with --map FIELD=COLUMN")
    if columns is not None:
        absent = sorted(c for c in mapping.values() if c not in columns)
        if absent:
            raise RowError(f"the file has no column named {', '.join(absent)}")


def import_file(
    workspace: Workspace,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    network: str = "x",
    own_handles: set[str] | None = None,
    chunk_size: int = 1000,
    progress: Callable[[Progress], None] | None = None,
    enrichment: bool = True,
) -> ImportReport:
    """Import a .csv or .jsonl file into ``workspace``; see the module docstring."""
    path = Path(path)
    source = import_source(workspace, path, network)
    resume_after = _resume_line(source)
    report = ImportReport()
    total = path.stat().st_size
    with path.open("rb") as handle:
        reader = _reader_for(path, handle)
        options = Options(
            mapping=default_mapping(reader.columns, mapping),
            network=network,
            own_handles=frozenset(h.casefold().lstrip("@") for h in own_handles)
            if own_handles
            else None,
        )
        check_mapping(options.mapping, reader.columns if isinstance(reader, CsvReader) else None)
        chunk: list[tuple[int, NormalizedItem]] = []
        for line, record in reader.records():
            if line <= resume_after:
                report.skipped += 1
                continue
            _take(line, record, options, chunk, report)
            if len(chunk) >= chunk_size:
                _store(source, chunk, report, reader.line, enrichment)
                _report_progress(progress, handle, total, reader.line)
        _store(source, chunk, report, reader.line, enrichment)
        _report_progress(progress, handle, total, reader.line)
    # Finished: the next import of this file reads it whole again (and changes nothing).
    Source.objects.filter(pk=source.pk).update(cursor="")
    return report


def import_source(workspace: Workspace, path: Path, network: str) -> Source:
    source, _ = Source.objects.get_or_create(
        workspace=workspace,
        kind=Source.Kind.IMPORT,
        name=f"Import: {path.name}"[:200],
        defaults={"network": network, "enabled": False},
    )
    return source


def _resume_line(source: Source) -> int:
    prefix, _, line = source.cursor.partition(":")
    return int(line) if prefix == "line" and line.isdigit() else 0


def _take(
    line: int,
    record: dict[str, Any] | RowError,
    options: Options,
    chunk: list[tuple[int, NormalizedItem]],
    report: ImportReport,
) -> None:
    report.rows += 1
    try:
        if isinstance(record, RowError):
            raise record
        chunk.append((line, to_item(record, options)))
    except RowError as exc:
        report.rejected.append((line, str(exc)))


def _store(
    source: Source,
    chunk: list[tuple[int, NormalizedItem]],
    report: ImportReport,
    line: int,
    enrichment: bool,
) -> None:
    if not chunk:
        # Still move the resume point past rows that were all rejected.
        Source.objects.filter(pk=source.pk).update(cursor=f"line:{line}")
        return
    result = ingest(
        source, [item for _, item in chunk], cursor=f"line:{line}", enrichment=enrichment
    )
    lines = {item.external_id: number for number, item in chunk}
    report.imported += result.stored
    report.already += result.known
    report.rejected.extend((lines.get(ext, 0), why) for ext, why in result.rejected)
    chunk.clear()


def _report_progress(
    progress: Callable[[Progress], None] | None, handle: IO[bytes], total: int, line: int
) -> None:
    if progress is not None:
        progress(Progress(done_bytes=handle.tell(), total_bytes=total, lines=line))


# Readers ------------------------------------------------------------------------------


class _LineCounter:
    """Decoded physical lines of a binary file, counting them as they go by."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.line += 1
            yield raw.decode("utf-8", errors="replace")


class CsvReader:
    def __init__(self, handle: IO[bytes]) -> None:
        self.lines = _LineCounter(handle)
        self.reader = csv.reader(self.lines)
        header = next(self.reader, [])
        self.columns = [column.strip() for column in header]

    @property
    def line(self) -> int:
        return self.lines.line

    def records(self) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        while True:
            start = self.lines.line + 1
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, RowError(_csv_reason(exc))
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(self.columns):
                yield start, RowError(f"expected {len(self.columns)} columns, found {len(row)}")
                continue
            yield start, dict(zip(self.columns, row, strict=True))


class JsonLinesReader:
    """One JSON object per line. Its columns, for the default mapping, are the keys seen in
    its first lines (a key may be missing where it has no value); "user.screen_name"
    reaches into objects."""

    PEEK = 100

    def __init__(self, handle: IO[bytes]) -> None:
        self.lines = _LineCounter(handle)
        self._records = self._parse()
        self._peeked = list(itertools.islice(self._records, self.PEEK))
        keys = (record for _, record in self._peeked if isinstance(record, dict))
        self.columns = list(dict.fromkeys(key for record in keys for key in record))

    @property
    def line(self) -> int:
        return self.lines.line

    def records(self) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        yield from self._peeked
        yield from self._records

    def _parse(self) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        for text in self.lines:
            if not text.strip():
                continue
            try:
                value = json.loads(text)
            except ValueError as exc:
                yield self.lines.line, RowError(f"not valid JSON ({exc})")
                continue
            if not isinstance(value, dict):
                yield self.lines.line, RowError("not a JSON object")
                continue
            yield self.lines.line, value


def _csv_reason(exc: csv.Error) -> str:
    if "new-line character" in str(exc):
        return "malformed CSV: a stray line break inside an unquoted field"
    return f"malformed CSV: {exc}"


def _reader_for(path: Path, handle: IO[bytes]) -> CsvReader | JsonLinesReader:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return JsonLinesReader(handle)
    if suffix in (".csv", ".tsv", ".txt"):
        return CsvReader(handle)
    raise RowError(f"{path.name}: expected a .csv or .jsonl file")


# One row → one item --------------------------------------------------------------------


def to_item(record: Mapping[str, Any], options: Options) -> NormalizedItem:
    """Validate a whole row into an item, or raise ``RowError`` naming the first problem."""
    value = _getter(record, options.mapping)
    external_id = clean_id(value("external_id"))
    if not external_id:
        raise RowError("no id")
    text = str(value("text") or "").strip()
    if not text:
        raise RowError("no text")
    author_id = clean_id(value("author_id")) or str(value("author_handle") or "").strip()
    if not author_id:
        raise RowError("no author")
    handle = str(value("author_handle") or author_id).strip().lstrip("@")
    return NormalizedItem(
        network=str(value("network") or options.network).strip().lower()[:32],
        external_id=external_id,
        kind=str(value("kind") or "post").strip()[:16] or "post",
        text=text,
        created=parse_time(value("posted")),
        author_id=author_id,
        author_handle=handle,
        author_name=str(value("author_name") or "").strip(),
        author_followers=_count(value("author_followers")),
        url=str(value("url") or "").strip(),
        language=str(value("language") or "").strip()[:8],
        in_reply_to=clean_id(value("in_reply_to")),
        conversation_id=clean_id(value("conversation_id")),
        is_own=_is_own(value, options, author_id, handle),
    )


def _getter(record: Mapping[str, Any], mapping: Mapping[str, str]) -> Callable[[str], Any]:
    def value(ours: str) -> Any:
        column = mapping.get(ours)
        if column is None:
            return None
        if column in record:
            return record[column]
        current: Any = record  # JSON Lines: "user.screen_name" reads nested objects
        for part in column.split("."):
            current = current.get(part) if isinstance(current, dict) else None
        return current

    return value


def clean_id(raw: Any) -> str:
    """An id as text; "3.0" (a spreadsheet's float) is "3"."""
    if raw is None:
        return ""
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def parse_time(raw: Any) -> datetime:
    """ISO 8601, Twitter's "Tue Oct 31 22:10:47 +0000 2017", or Unix seconds; naive is UTC."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return datetime.fromtimestamp(raw, tz=UTC)
    text = str(raw or "").strip()
    if not text:
        raise RowError("no date")
    if text.replace(".", "", 1).isdigit():
        return datetime.fromtimestamp(float(text), tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _strptime(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _strptime(text: str) -> datetime:
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise RowError(f"unreadable date {text[:40]!r}")


def _count(raw: Any) -> int | None:
    if raw is None or str(raw).strip() == "":
        return None
    try:
        number = int(float(str(raw).strip()))
    except ValueError:
        raise RowError(f"followers is not a number: {str(raw)[:20]!r}") from None
    if number < 0:
        raise RowError("followers is negative")
    return number


def _flag(raw: Any, name: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw if raw is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(f"{name} is neither true nor false: {text[:20]!r}")


def _is_own(value: Callable[[str], Any], options: Options, author_id: str, handle: str) -> bool:
    """Ours when the author is one of our handles; else the file's is_own or inbound column."""
    inbound = _flag(value("inbound"), "inbound") if "inbound" in options.mapping else None
    if options.own_handles is not None:
        return (
            handle.casefold() in options.own_handles or author_id.casefold() in options.own_handles
        )
    if "is_own" in options.mapping:
        return _flag(value("is_own"), "is_own")
    return inbound is False
