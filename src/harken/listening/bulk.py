"""Bulk reads, inserts and updates for the ingest pipeline's hot path.

Django's ``bulk_create``/``bulk_update`` and ``__in`` lookups build statements through the
expression machinery, one value at a time (``bulk_update`` a CASE per field); at ingest
volume that costs more than the database's own work. These build small SQL by hand from
the model's own table and column names (never from input) and pass every value as a
parameter. Values are converted as the fields would convert them.
"""

from __future__ import annotations

import itertools
import json
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


def _json_converter(field: models.Field) -> Callable[[Any], Any]:
    if connection.vendor == "sqlite":
        return lambda value: json.dumps(value) if value else _EMPTY_JSON[type(value)]
    return lambda value: field.get_db_prep_save(value, connection)


# Most mentions carry empty enrichment lists and dicts: encode those once.
_EMPTY_JSON = {dict: "{}", list: "[]", tuple: "[]", str: '""', type(None): "null"}


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


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(str(model._meta.db_table))


def _convert(
    converters: list[Callable[[Any], Any]], rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    return [tuple(c(v) for c, v in zip(converters, row, strict=True)) for row in rows]


def insert_ignoring_conflicts(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """INSERT the rows; a row that hits a unique constraint is skipped (ON CONFLICT DO
    NOTHING, understood by SQLite ≥ 3.24 and PostgreSQL)."""
    if connection.vendor == "postgresql":
        _copy_ignoring_conflicts(model, fields, rows)
        return
    values = _convert(_converters(model, fields), rows)
    if not values:
        return
    columns = ", ".join(_column(model, name) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, MAX_PARAMS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            part = values[start : start + per_statement]
            sql = (
                f"INSERT INTO {_table(model)} ({columns}) VALUES "  # noqa: S608 (model names)
                + ", ".join([one] * len(part))
                + " ON CONFLICT DO NOTHING"
            )
            cursor.execute(sql, [value for row in part for value in row])


_LOADS = itertools.count()


def _copy_ignoring_conflicts(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT.

    COPY streams the rows through the driver's C code; a many-row VALUES would be quoted
    value by value (client-side binding) and costs ten times more at ingest volume."""
    columns = ", ".join(_column(model, name) for name in fields)
    # Insert in key order (the callers put the unique key first), so two workers storing
    # the same rows wait on each other in one order instead of deadlocking.
    order = ", ".join(str(position) for position in range(1, min(3, len(fields)) + 1))
    with _staged(model, fields, rows) as (cursor, staging):
        cursor.execute(
            f"INSERT INTO {_table(model)} ({columns}) SELECT {columns} FROM {staging} "  # noqa: S608
            f"ORDER BY {order} ON CONFLICT DO NOTHING"
        )


@contextmanager
def _staged(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[tuple[Any, str]]:
    """A temporary table of ``fields`` (typed as in ``model``) holding ``rows``, by COPY."""
    converters = [
        (lambda value: None if value is None else json.dumps(value))
        if isinstance(_field(model, name), models.JSONField)
        else _same
        for name in fields
    ]
    values = _convert(converters, rows)
    columns = ", ".join(_column(model, name) for name in fields)
    staging = connection.ops.quote_name(f"_harken_load_{next(_LOADS)}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608 (model names)
            f"SELECT {columns} FROM {_table(model)} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        yield cursor, staging
        cursor.execute(f"DROP TABLE {staging}")


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


def _array_member(model: type[models.Model], name: str) -> str:
    """PostgreSQL takes the whole list as one array parameter, cast to the column's type:
    an array the driver typed otherwise (numeric[]) would keep the index out of use."""
    field = _field(model, name)
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return f"= ANY(%s::{target.cast_db_type(connection)}[])"


def select_in(
    model: type[models.Model],
    fields: Sequence[str],
    where: dict[str, Any],
    in_field: str,
    values: Sequence[Any],
    extra: str = "",
    extra_params: Sequence[Any] = (),
) -> list[tuple[Any, ...]]:
    """``fields`` of the rows matching ``where`` (equality) whose ``in_field`` is one of
    ``values``. Values come back as the driver gives them (datetimes: see ``as_datetime``)."""
    selected = ", ".join(_column(model, name) for name in fields)
    conditions = " AND ".join(f"{_column(model, name)} = %s" for name in where)
    fixed = [*where.values(), *extra_params]
    found: list[tuple[Any, ...]] = []
    per_statement = MAX_PARAMS - len(fixed)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for start in range(0, len(values), per_statement):
            part = list(values[start : start + per_statement])
            member = _array_member(model, in_field) if postgres else _in_list(len(part))
            sql = (
                f"SELECT {selected} FROM {_table(model)} WHERE "  # noqa: S608 (model names)
                + (f"{conditions} AND " if conditions else "")
                + (f"{extra} AND " if extra else "")
                + f"{_column(model, in_field)} {member}"
            )
            cursor.execute(sql, [*fixed, part] if postgres else [*fixed, *part])
            found.extend(cursor.fetchall())
    return found
