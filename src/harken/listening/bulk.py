"""Bulk reads, inserts and updates for the ingest pipeline's hot path.

Django's ``bulk_create``/``bulk_update`` and ``__in`` lookups build statements through the
expression machinery, one value at a time (``bulk_update`` a CASE per field); at ingest
volume that costs more than the database's own work. These build small SQL by hand from
the model's own table and column names (never from input) and pass every value as a
parameter. Values are converted as the fields would convert them.

On PostgreSQL every lookup by a list of keys is a probe per key (see ``_probe_sql``), which
keeps it on the unique index whatever the planner believes about the table, and rows go in
by COPY through a staging table kept for the session.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction

#: Parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMS = 30_000


def _datetime_converter() -> Callable[[Any], Any]:
    if connection.vendor == "sqlite":
        return _sqlite_datetime
    return _same  # psycopg adapts aware datetimes itself


def _sqlite_datetime(value: Any) -> Any:
    """What Django's SQLite adapter stores (naive UTC as text), without its detours."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _json_text(value: Any) -> str:
    """JSON as stored by a JSONField; most mentions carry empty enrichment lists and
    dicts, so those skip the encoder."""
    return json.dumps(value) if value else _EMPTY_JSON[type(value)]


_EMPTY_JSON = {dict: "{}", list: "[]", tuple: "[]", str: '""', type(None): "null"}


def _json_converter(field: models.Field) -> Callable[[Any], Any]:
    if connection.vendor == "sqlite":
        return _json_text
    return lambda value: field.get_db_prep_save(value, connection)


def _field(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):  # a reverse relation has no column
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field


def _converters(model: type[models.Model], fields: Sequence[str]) -> list[Callable[[Any], Any]]:
    converters: list[Callable[[Any], Any]] = []
    for name in fields:
        field = _field(model, name)
        if isinstance(field, models.DateTimeField):
            converters.append(_datetime_converter())
        elif isinstance(field, models.JSONField):
            converters.append(_json_converter(field))
        else:
            converters.append(_same)
    return converters


def _same(value: Any) -> Any:
    return value


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(_field(model, name).column))


def column_list(model: type[models.Model], names: Sequence[str]) -> str:
    """The quoted columns of the fields ``names`` of ``model``, comma-separated."""
    return ", ".join(_column(model, name) for name in names)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(str(model._meta.db_table))


def _convert(
    converters: list[Callable[[Any], Any]], rows: Iterable[Sequence[Any]]
) -> list[Sequence[Any]]:
    converting = [(i, c) for i, c in enumerate(converters) if c is not _same]
    if not converting:  # nothing to convert: the rows as they are
        return list(rows)
    values: list[Sequence[Any]] = []
    for row in rows:
        row = list(row)
        for i, convert in converting:
            row[i] = convert(row[i])
        values.append(row)
    return values


def insert_ignoring_conflicts(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT the rows; a row that hits a unique constraint is skipped (ON CONFLICT DO
    NOTHING, understood by SQLite ≥ 3.24 and PostgreSQL). With ``returning``, those
    fields of the rows this statement inserted (not of the skipped ones), in no order."""
    if connection.vendor == "postgresql":
        return _copy_ignoring_conflicts(model, fields, rows, returning)
    values = _convert(_converters(model, fields), rows)
    if not values:
        return []
    columns = ", ".join(_column(model, name) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = _returning(model, returning)
    per_statement = max(1, MAX_PARAMS // len(fields))
    inserted: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            part = values[start : start + per_statement]
            sql = (
                f"INSERT INTO {_table(model)} ({columns}) VALUES "  # noqa: S608 (model names)
                + ", ".join([one] * len(part))
                + " ON CONFLICT DO NOTHING"
                + tail
            )
            cursor.execute(sql, [value for row in part for value in row])
            if returning:
                inserted.extend(cursor.fetchall())
    return inserted


def _returning(model: type[models.Model], fields: Sequence[str]) -> str:
    if not fields:
        return ""
    return " RETURNING " + ", ".join(_column(model, name) for name in fields)


def _copy_ignoring_conflicts(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """PostgreSQL: COPY into the staging table, then one INSERT … SELECT … ON CONFLICT.

    COPY streams the rows through the driver's C code; a many-row VALUES, or arrays to
    unnest, would be quoted value by value in Python and cost three times more."""
    columns = ", ".join(_column(model, name) for name in fields)
    # Insert in key order (the callers put the unique key first), so two workers storing
    # the same rows wait on each other in one order instead of deadlocking.
    order = ", ".join(str(position) for position in range(1, min(3, len(fields)) + 1))
    with _staged(model, fields, rows) as (cursor, staging):
        if staging is None:
            return []
        cursor.execute(
            f"INSERT INTO {_table(model)} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
            f"ORDER BY {order} ON CONFLICT DO NOTHING" + _returning(model, returning)
        )
        return cursor.fetchall() if returning else []


@contextmanager
def _staged(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[tuple[Any, str | None]]:
    """A temporary table of ``fields`` (typed as in ``model``) holding ``rows``, by COPY;
    None for no rows.

    The table lives as long as the session and is emptied after each use and at commit:
    creating and dropping one per statement cost as much catalog work as the COPY itself.
    ``IF NOT EXISTS`` finds it again after a rolled-back transaction took it along."""
    converters: list[Callable[[Any], Any]] = [
        _json_text if isinstance(_field(model, name), models.JSONField) else _same
        for name in fields
    ]
    values = _convert(converters, rows)
    # Outside a transaction, ON COMMIT DELETE ROWS would empty the table after the COPY.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if not values:
            yield cursor, None
            return
        columns = ", ".join(_column(model, name) for name in fields)
        staging = connection.ops.quote_name(_staging_name(model, fields))
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {columns} FROM {_table(model)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        yield cursor, staging
        # Empty for its next use in this transaction (after an error, the rollback does).
        cursor.execute(f"DELETE FROM {staging}")  # noqa: S608 (our own table)


def _staging_name(model: type[models.Model], fields: Sequence[str]) -> str:
    """One staging table per model and column list (at most 63 bytes, PostgreSQL's limit)."""
    signature = "_".join(str(_field(model, name).column) for name in fields)
    digest = format(zlib.crc32(signature.encode()), "08x")
    return f"_harken_stage_{model._meta.db_table}"[:50] + f"_{digest}"


def update_by_pk(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """UPDATE ``fields`` of each row; each row is (value, ..., pk)."""
    rows = list(rows)
    if not rows:
        return
    if connection.vendor == "postgresql":
        _update_from_staging(model, fields, rows)
        return
    values = _convert([*_converters(model, fields), _same], rows)
    assignments = ", ".join(f"{_column(model, name)} = %s" for name in fields)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    sql = f"UPDATE {_table(model)} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (model names)
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def as_datetime(value: Any) -> Any:
    """A datetime read by ``select_in``: SQLite gives naive UTC (text or, through Django's
    registered converter, a datetime), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _update_from_staging(
    model: type[models.Model], fields: Sequence[str], rows: list[Sequence[Any]]
) -> None:
    pk = model._meta.pk.name
    # The staged rows put the key first: (pk, value, ...).
    staged_rows = ([row[-1], *row[:-1]] for row in rows)
    assignments = ", ".join(f"{_column(model, name)} = s.{_column(model, name)}" for name in fields)
    pk_column = connection.ops.quote_name(str(model._meta.pk.column))
    with _staged(model, [pk, *fields], staged_rows) as (cursor, staging):
        cursor.execute(
            f"UPDATE {_table(model)} AS t SET {assignments} FROM {staging} AS s "  # noqa: S608
            f"WHERE t.{pk_column} = s.{pk_column}"
        )


def _in_list(count: int) -> str:
    return "IN (" + ", ".join(["%s"] * count) + ")"


def _key_value(model: type[models.Model], name: str) -> str:
    """A key of the list, as the column's type: compared as another type (numeric for
    ints) the column would go through a cast and its index out of use. Text columns
    compare as text, which their indexes serve, and a key is never cut to their length."""
    field = _field(model, name)
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    db_type = str(target.cast_db_type(connection))
    if db_type == "text" or db_type.startswith("varchar"):
        return "k.v"
    return f"k.v::{db_type}"


def _key_list(keys: Sequence[Any]) -> str:
    """The keys as one JSON array (strings and ints). The driver would quote a list as an
    array value by value, in Python: a fifth of the lookups' time, waits included, in a
    profile of 50,000 mentions."""
    return json.dumps(keys, ensure_ascii=False)


def select_in(
    model: type[models.Model],
    fields: Sequence[str],
    where: dict[str, Any],
    in_field: str,
    values: Sequence[Any],
    extra: str = "",
    extra_params: Sequence[Any] = (),
    first_by: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """``fields`` of the rows matching ``where`` (equality) whose ``in_field`` is one of
    ``values``. Values come back as the driver gives them (datetimes: see ``as_datetime``).

    ``first_by`` keeps, per value of ``in_field``, only the first row in that order (on
    PostgreSQL the database does it; on SQLite the caller sorts, as SQLite reads all)."""
    keys = list(dict.fromkeys(values))  # a key asked twice would be probed twice
    if not keys:
        return []
    selected = ", ".join(_column(model, name) for name in fields)
    postgres = connection.vendor == "postgresql"
    conditions = [f"{_column(model, name)} = {_fixed_value(model, name)}" for name in where]
    if extra:
        conditions.append(extra)
    fixed = [*where.values(), *extra_params]
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute(
                _probe_sql(model, selected, conditions, in_field, first_by),
                [_key_list(keys), *fixed],
            )
            return cursor.fetchall()
        found: list[tuple[Any, ...]] = []
        per_statement = MAX_PARAMS - len(fixed)
        for start in range(0, len(keys), per_statement):
            part = keys[start : start + per_statement]
            sql = (
                f"SELECT {selected} FROM {_table(model)} WHERE "  # noqa: S608 (model names)
                + " AND ".join([*conditions, f"{_column(model, in_field)} {_in_list(len(part))}"])
            )
            cursor.execute(sql, [*fixed, *part])
            found.extend(cursor.fetchall())
        return found


def _fixed_value(model: type[models.Model], name: str) -> str:
    """The placeholder for an equality the lookup fixes (the workspace, the network).

    On PostgreSQL it goes in as ``(SELECT value)``, a value the planner cannot see: it
    then plans for a typical workspace. Seen as a constant, a workspace newer than the
    statistics looks empty, and any index that starts with it looked cheaper than the
    unique key — a whole workspace read for every id (100 mentions/s in a second
    workspace after 50,000 in the first)."""
    if connection.vendor != "postgresql":
        return "%s"
    field = _field(model, name)
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return f"(SELECT %s::{target.cast_db_type(connection)})"


def _probe_sql(
    model: type[models.Model],
    selected: str,
    conditions: list[str],
    in_field: str,
    first_by: Sequence[str],
) -> str:
    """One index probe per key: a LATERAL subquery per element of the key list.

    ``col = ANY(array)`` leaves the plan to the table's statistics, and those lag behind
    an ingest: a table (or a workspace) that grew since the last ANALYZE looks empty, so
    the planner scans the whole workspace and filters — 10 ms a batch at 40,000 rows,
    growing with every batch. ``OFFSET 0`` keeps the subquery from being flattened into
    a join the planner could hash, so each key is one descent of the index that holds it."""
    key = f"{_column(model, in_field)} = {_key_value(model, in_field)}"
    order = ""
    if first_by:
        order = " ORDER BY " + ", ".join(_column(model, name) for name in first_by) + " LIMIT 1"
    return (
        "SELECT m.* FROM jsonb_array_elements_text(%s::jsonb) AS k(v) "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT {selected} FROM {_table(model)} WHERE "
        + " AND ".join([key, *conditions])
        + f"{order} OFFSET 0) AS m"
    )
