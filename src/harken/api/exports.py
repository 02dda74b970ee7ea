"""Exports that stream: CSV or JSON Lines, one row at a time, in constant memory.

Rows come from ``QuerySet.iterator()`` (a server-side cursor on PostgreSQL, chunks on
SQLite) as plain values, never model objects, and each line is written as it is read:
a million mentions cost the memory of one chunk. CSV cells that a spreadsheet would run
as a formula are neutralised by the contacts' ``safe_cell`` (a leading ').
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from harken.contacts.exports import safe_cell

Format = Literal["csv", "jsonl"]
CHUNK = 2000
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


class _Line:
    """A file-like that hands back what csv.writer writes: one line per ``writerow``."""

    def write(self, text: str) -> str:
        return text


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _cell(value: Any) -> str:
    # Lists and objects (intents, tags, e-mails) as JSON, which a script can read back.
    plain = _plain(value)
    if isinstance(plain, list | dict):
        plain = json.dumps(plain, ensure_ascii=False)
    return safe_cell(plain)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([_cell(cell) for cell in row])


def json_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    for row in rows:
        record = {name: _plain(cell) for name, cell in zip(header, row, strict=True)}
        yield json.dumps(record, ensure_ascii=False) + "\n"


def stream(
    name: str, fmt: Format, columns: dict[str, str], rows: QuerySet[Any]
) -> StreamingHttpResponse:
    """Stream ``rows`` as ``fmt``: ``columns`` maps each output name to its lookup."""
    header = list(columns)
    values = rows.values_list(*columns.values()).iterator(chunk_size=CHUNK)
    lines = csv_lines(header, values) if fmt == "csv" else json_lines(header, values)
    response = StreamingHttpResponse(lines, content_type=MEDIA[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
