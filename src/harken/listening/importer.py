"""Import mentions from other tools' exports: CSV and JSON Lines, mapped by column name.

Every row is validated whole into a ``NormalizedItem`` or rejected with its line number and
the reason; valid rows go through the ingest pipeline in chunks, one transaction each, so
no row is ever half-imported and re-importing a file changes nothing (the pipeline's
unique keys). While an import runs, its source's cursor holds the SHA-256 of the file and
the last line stored, so an import killed half-way resumes where it stopped when the same
file is imported again, and a different file of the same name starts from its first line.

Values are checked against what the columns can hold before anything is stored: a count
too large for its column, a date before 1970 or more than a day ahead, a list where text
belongs: each rejects its row (line number and why), never the whole import.

Line numbers are physical lines (counted by "\\n" only), as an editor shows them; a stray
carriage return inside a field is a malformed row, not a line break.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import math
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from harken.core.models import Workspace
from harken.listening.models import Author, Mention, Source
from harken.listening.normalize import clean_text
from harken.listening.pipeline import IngestResult, ingest_batches
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

#: Dates outside [1970, now + a day of clock skew] are a broken column, not a post's time.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(days=1)
#: Unix times from this magnitude on are milliseconds (JavaScript's and Java's exports):
#: as seconds they would fall after the year 5138.
MS_EPOCH_FROM = 10**11
#: The range of Author.followers on every database we support (not only the current one's).
FOLLOWERS_RANGE = BaseDatabaseOperations.integer_field_ranges[
    Author._meta.get_field("followers").get_internal_type()
]
NETWORK_MAX = Mention._meta.get_field("network").max_length or 32
ID_MAX = Mention._meta.get_field("external_id").max_length or 255
#: Separators a CSV file may use; on a tie, the first.
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}

# What a JSON value other than text may be for each of our fields (CSV cells are always
# text), and the words for it; a field not named here takes text only.
_ID_FIELDS = ("external_id", "author_id", "in_reply_to", "conversation_id")
_NON_TEXT: dict[str, tuple[tuple[type, ...], str]] = {
    **dict.fromkeys(_ID_FIELDS, ((int,), "text or a whole number")),
    "posted": ((int, float), "a date (text or a Unix time)"),
    "author_followers": ((int, float), "a number"),
    "is_own": ((bool, int), "true or false"),
    "inbound": ((bool, int), "true or false"),
}
_SURROGATE = re.compile("[\ud800-\udfff]")


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


def check_network(network: str) -> None:
    """Refuse a default network the columns cannot hold, before anything is stored."""
    if not network.strip():
        raise RowError("the network name is empty")
    if len(network) > NETWORK_MAX:
        raise RowError(f"the network name {network[:40]!r} is longer than {NETWORK_MAX} characters")


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
    check_network(network)
    digest = file_digest(path)
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
        _check_columns(reader, options.mapping)
        source = import_source(workspace, path, network)
        resume_after = _resume_line(source, digest)
        read: deque[_Chunk] = deque()
        chunks = _chunks(reader, handle, options, report, resume_after, chunk_size, digest, read)
        # On PostgreSQL the next chunk is analysed while the last is stored; each chunk is
        # still stored in order, in its own transaction with its resume point.
        for result in ingest_batches(source, chunks, enrichment=enrichment):
            done = read.popleft()
            _tally(report, done.lines, result)
            if progress is not None:
                progress(Progress(done_bytes=done.offset, total_bytes=total, lines=done.line))
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


def file_digest(path: Path) -> str:
    """The SHA-256 of the file's bytes: what ties a resume point to this very file (a
    different export saved under the same name must not skip its first rows)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _cursor(digest: str, line: int) -> str:
    return f"sha256:{digest}:line:{line}"


def _resume_line(source: Source, digest: str) -> int:
    """The last line stored by an interrupted import of this same file; else 0."""
    kind, _, rest = source.cursor.partition(":")
    stored_digest, _, line = rest.partition(":line:")
    if kind != "sha256" or stored_digest != digest or not line.isdigit():
        return 0  # another file (or an older cursor that names none): read it whole
    return int(line)


def _check_columns(reader: CsvReader | JsonLinesReader, mapping: Mapping[str, str]) -> None:
    """Refuse a file without the needed columns, saying what it does hold."""
    try:
        check_mapping(mapping, reader.columns if isinstance(reader, CsvReader) else None)
    except RowError as exc:
        raise RowError(f"{exc} ({reader.describe()})") from None


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


@dataclass(frozen=True)
class _Chunk:
    """Where a chunk of the file ends, and the line of each of its items' ids."""

    lines: dict[str, int]
    line: int
    offset: int


def _chunks(
    reader: CsvReader | JsonLinesReader,
    handle: IO[bytes],
    options: Options,
    report: ImportReport,
    resume_after: int,
    chunk_size: int,
    digest: str,
    read: deque[_Chunk],
) -> Iterator[tuple[list[NormalizedItem], str]]:
    """The file's valid rows in chunks of ``chunk_size``, each with the resume point after
    it (a chunk of only rejected rows still moves the resume point past them)."""
    chunk: list[tuple[int, NormalizedItem]] = []
    for line, record in reader.records():
        if line <= resume_after:
            report.skipped += 1
            continue
        _take(line, record, options, chunk, report)
        if len(chunk) >= chunk_size:
            yield _handed_over(chunk, reader.line, handle.tell(), digest, read)
    yield _handed_over(chunk, reader.line, handle.tell(), digest, read)


def _handed_over(
    chunk: list[tuple[int, NormalizedItem]],
    line: int,
    offset: int,
    digest: str,
    read: deque[_Chunk],
) -> tuple[list[NormalizedItem], str]:
    read.append(_Chunk({item.external_id: number for number, item in chunk}, line, offset))
    items = [item for _, item in chunk]
    chunk.clear()
    return items, _cursor(digest, line)


def _tally(report: ImportReport, lines: dict[str, int], result: IngestResult) -> None:
    report.imported += result.stored
    report.already += result.known
    report.rejected.extend((lines.get(ext, 0), why) for ext, why in result.rejected)


# Readers ------------------------------------------------------------------------------


class _LineCounter:
    """Decoded physical lines of a binary file, counting them as they go by."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.line = 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.line += 1
            text = raw.decode("utf-8", errors="replace")
            # Excel's "CSV UTF-8" starts with a byte order mark: not part of the first name.
            yield text.removeprefix("\ufeff") if self.line == 1 else text


class CsvReader:
    """Rows of a CSV file separated by commas, semicolons, tabs or vertical bars: whichever
    its header line uses most (spreadsheets in many locales save with semicolons)."""

    def __init__(self, handle: IO[bytes], default_delimiter: str = ",") -> None:
        self.lines = _LineCounter(handle)
        physical = iter(self.lines)
        first = next(physical, "")
        self.delimiter = sniff_delimiter(first, default_delimiter)
        self.reader = csv.reader(itertools.chain([first], physical), delimiter=self.delimiter)
        header = next(self.reader, [])
        self.columns = [column.strip() for column in header]

    @property
    def line(self) -> int:
        return self.lines.line

    def describe(self) -> str:
        shown = ", ".join(repr(c) for c in self.columns[:12]) or "none"
        return f"its columns, separated by {DELIMITERS[self.delimiter]}: {shown}"

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


def sniff_delimiter(header: str, default: str = ",") -> str:
    """The separator a header line uses most, outside quoted names; ``default`` if none.

    Counting beats csv.Sniffer here: one line is all there is, and Sniffer guesses any
    character (a letter, a space) where the candidates are few and known."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else default


class JsonLinesReader:
    """One JSON object per line. Its columns, for the default mapping, are the keys seen in
    its first lines, except those that only hold objects: an object is reached by naming a
    path ("user.screen_name"), never taken whole (Twitter's "user" is no author id)."""

    PEEK = 100

    def __init__(self, handle: IO[bytes]) -> None:
        self.lines = _LineCounter(handle)
        self._records = self._parse()
        self._peeked = list(itertools.islice(self._records, self.PEEK))
        records = [record for _, record in self._peeked if isinstance(record, dict)]
        self.keys = list(dict.fromkeys(key for record in records for key in record))
        self.columns = [
            key
            for key in self.keys
            if any(not isinstance(r.get(key), dict) for r in records if key in r)
        ]

    @property
    def line(self) -> int:
        return self.lines.line

    def describe(self) -> str:
        return f"its keys: {', '.join(repr(k) for k in self.keys[:12]) or 'none'}"

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
            except RecursionError:  # 100,000 brackets: Python's parser recurses per level
                yield self.lines.line, RowError("nested too deeply to read")
                continue
            if not isinstance(value, dict):
                yield self.lines.line, RowError("not a JSON object")
                continue
            yield self.lines.line, value


def _csv_reason(exc: csv.Error) -> str:
    if "new-line character" in str(exc):
        return "malformed CSV: a stray line break inside an unquoted field"
    return f"malformed CSV: {exc}"


#: How binary files that people pick by mistake begin, and what they are.
BINARY_STARTS = {
    b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook is one)",
    b"\xd0\xcf\x11\xe0": "an old Excel or Word file",
    b"\x1f\x8b": "a gzip archive",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"SQLite format 3\x00": "an SQLite database",
}


def _reader_for(path: Path, handle: IO[bytes]) -> CsvReader | JsonLinesReader:
    head = handle.read(4096)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise RowError(f'{path.name} is UTF-16 text: save it as UTF-8 ("CSV UTF-8" in Excel)')
    check_text(path, head)
    handle.seek(0)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return JsonLinesReader(handle)
    if suffix in (".csv", ".tsv", ".txt"):
        return CsvReader(handle, "\t" if suffix == ".tsv" else ",")
    raise RowError(f"{path.name}: expected a .csv or .jsonl file")


def check_text(path: Path, head: bytes) -> None:
    """Refuse a binary file at once, saying what it seems to be: its header would be
    garbage, and every line of it a rejected row. A file whose first line is text is read
    as usual: binary lines further down are rejected, each with its number, and the rest
    stored. Text in another encoding than UTF-8 (Excel's "CSV" in Western Europe is
    Windows-1252) is text: it has no control characters."""
    what = next((name for magic, name in BINARY_STARTS.items() if head.startswith(magic)), "")
    if not what and _controls(head.split(b"\n", 1)[0]):  # a header (or record) of noise
        what = "binary data"
    if what:
        raise RowError(
            f"{path.name} is not text but {what}: export the mentions as CSV (UTF-8) "
            "or JSON Lines and import that file"
        )


#: Bytes that no text file holds: C0 controls other than tab, line feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r") + b"\x7f"


def _controls(head: bytes) -> int:
    return len(head) - len(head.translate(None, _CONTROL_BYTES))


# One row → one item --------------------------------------------------------------------


def to_item(record: Mapping[str, Any], options: Options) -> NormalizedItem:
    """Validate a whole row into an item, or raise ``RowError`` naming the first problem."""
    value = _getter(record, options.mapping)
    external_id = clean_id(value("external_id"))
    if not external_id:
        raise RowError("no id")
    if len(external_id) > ID_MAX:
        raise RowError(f"id longer than {ID_MAX} characters")
    text = (value("text") or "").strip()
    if not text:
        raise RowError("no text")
    author_id = clean_id(value("author_id")) or (value("author_handle") or "").strip()
    if not author_id:
        raise RowError("no author")
    handle = (value("author_handle") or author_id).strip().lstrip("@")
    return NormalizedItem(
        network=_network(value("network"), options.network),
        external_id=external_id,
        kind=(value("kind") or "post").strip()[:16] or "post",
        text=text,
        created=parse_time(value("posted")),
        author_id=author_id,
        author_handle=handle,
        author_name=(value("author_name") or "").strip(),
        author_followers=_count(value("author_followers")),
        url=(value("url") or "").strip(),
        language=(value("language") or "").strip()[:8],
        in_reply_to=clean_id(value("in_reply_to")),
        conversation_id=clean_id(value("conversation_id")),
        is_own=_is_own(value, options, author_id, handle),
    )


def _getter(record: Mapping[str, Any], mapping: Mapping[str, str]) -> Callable[[str], Any]:
    """Our field's value in the row, checked for its JSON type (see ``checked``)."""

    def value(ours: str) -> Any:
        column = mapping.get(ours)
        if column is None:
            return None
        if column in record:
            return checked(ours, column, record[column])
        current: Any = record  # JSON Lines: "user.screen_name" reads nested objects
        for part in column.split("."):
            current = current.get(part) if isinstance(current, dict) else None
        return checked(ours, column, current)

    return value


def checked(ours: str, column: str, raw: Any) -> Any:
    """``raw`` if a JSON value of its type can be our field; text comes back cleaned.

    A list or an object is never turned into text ("['a']"): the row is rejected, naming
    the column and what it should hold. Ids may be whole numbers; counts, dates and flags
    may be numbers (and flags true/false); everything else must be text."""
    if raw is None or isinstance(raw, str):
        return _clean(raw) if raw is not None else None
    allowed, expected = _NON_TEXT.get(ours, ((), "text"))
    # JSON's true/false are Python ints too: only a flag takes them.
    if isinstance(raw, allowed) and (bool in allowed or not isinstance(raw, bool)):
        return raw
    if ours in _ID_FIELDS and type(raw) is float and _whole(raw):
        return int(raw)  # 1.23e5 from a tool that writes every number as a float
    raise RowError(f"{column}: expected {expected}, found {_json_type(raw)}")


def _whole(number: float) -> bool:
    # Beyond 2**53 a float no longer holds every whole number: the id would be a neighbour's.
    return math.isfinite(number) and number.is_integer() and abs(number) < 2**53


def _json_type(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, dict):
        return "an object"
    if isinstance(raw, list):
        return "a list"
    if isinstance(raw, float) and not _whole(raw):
        return f"the number {raw!r}"
    return "a number"


def _clean(text: str) -> str:
    # Control characters break PostgreSQL text columns; a lone UTF-16 surrogate from JSON's
    # "\\ud800" cannot be encoded by either database driver.
    return _SURROGATE.sub("\ufffd", clean_text(text))


def _network(raw: str | None, default: str) -> str:
    network = (raw or default).strip().lower()
    if len(network) > NETWORK_MAX:
        raise RowError(f"network {network[:40]!r} is longer than {NETWORK_MAX} characters")
    return network


def clean_id(raw: Any) -> str:
    """An id as text; "3.0" (a spreadsheet's float) is "3"."""
    if raw is None:
        return ""
    text = str(raw).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        return text[:-2]
    return text


def parse_time(raw: Any) -> datetime:
    """ISO 8601, Twitter's "Tue Oct 31 22:10:47 +0000 2017", or Unix seconds or milliseconds;
    naive is UTC. A date before 1970 or more than a day ahead is refused."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _in_range(_from_epoch(raw))
    text = str(raw or "").strip()
    if not text:
        raise RowError("no date")
    if text.replace(".", "", 1).isdigit():
        return _in_range(_from_epoch(float(text)))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = _strptime(text)
    return _in_range(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _from_epoch(number: float) -> datetime:
    if not math.isfinite(number):
        raise RowError(f"unreadable date {number!r}")
    seconds = number / 1000 if abs(number) >= MS_EPOCH_FROM else number
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, ValueError, OSError):
        raise RowError(f"date out of range: {number:.0f} is no Unix time") from None


def _in_range(moment: datetime) -> datetime:
    if moment < EARLIEST:
        raise RowError(f"date {moment:%Y-%m-%d} is before 1970")
    latest = timezone.now() + CLOCK_SKEW
    if moment > latest:
        raise RowError(
            f"date {moment.isoformat()} is in the future (after {latest:%Y-%m-%d %H:%M})"
        )
    return moment


def _strptime(text: str) -> datetime:
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise RowError(f"unreadable date {text[:40]!r}")


def _count(raw: Any) -> int | None:
    """A follower count that fits its column on every database, or ``RowError``."""
    if raw is None or str(raw).strip() == "":
        return None
    try:
        number = float(raw) if isinstance(raw, float) else float(str(raw).strip())
    except ValueError:
        raise RowError(f"followers is not a number: {str(raw)[:20]!r}") from None
    if not math.isfinite(number):
        raise RowError(f"followers is not a number: {str(raw)[:20]!r}")
    # Whole numbers as written: a float would round 2**53 + 1 (exact ints stay exact).
    count = raw if isinstance(raw, int) else int(number)
    low, high = FOLLOWERS_RANGE
    if count < low:
        raise RowError("followers is negative")
    if count > high:
        raise RowError(f"followers is too large: {str(raw)[:24]} (at most {high:,})")
    return count


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
