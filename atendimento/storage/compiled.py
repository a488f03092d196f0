"""Lookups compiled once: the hot repository reads run without peewee building their SQL.

Peewee builds a query's SQL in Python every time the query runs. For a lookup by key that
costs far more than running it: about 180 µs to build the SQL of a fifteen-column select,
against about 10 µs for SQLite to run it (issue 6's relay profile). `select` and `first` have
peewee build the statement of each shape (table, record, which columns are compared, which
are NULL, order, limit) once per database, kept in `Tables.compiled`, and afterwards only bind
the values and turn the rows into records. The SQL is still peewee's, so it is right for each
backend. `joined` does the same for a join read once per relayed message (the client, their
thread and its open atendimento in one statement).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from peewee import BooleanField, Field

from atendimento.storage.fields import JsonTextField, UtcDateTimeField
from atendimento.storage.tables import Tables

R = TypeVar("R")

# Columns whose values the driver hands back in another type than the record's; the rest
# (integers, text) arrive as they are kept.
_CONVERTED = (UtcDateTimeField, BooleanField, JsonTextField)


@dataclass(frozen=True, slots=True)
class _Select:
    sql: str
    where: tuple[tuple[str, Field], ...]  # the compared columns, in their parameters' order
    fixed: tuple[Any, ...]  # parameters after those, fixed when compiled (the limit)
    convert: tuple[Callable[[Any], Any] | None, ...]


def select(t: Tables, table: Any, record: type[R], *, order_by: Sequence[str] = (),
           limit: int | None = None, **where: Any) -> list[R]:
    """The rows of `table` whose columns equal `where` (None: IS NULL), as `record`s; the
    record's fields name the columns to read. `order_by`: column names, "-name" descending."""
    shape = (table.__name__, record, tuple((name, value is None) for name, value in
                                           sorted(where.items())), tuple(order_by), limit)
    statement = t.compiled.get(shape)
    if statement is None:
        statement = t.compiled[shape] = _compile(table, record, shape[2], order_by, limit)
    values = [field.db_value(where[name]) for name, field in statement.where]
    cursor = t.db.execute_sql(statement.sql, [*values, *statement.fixed])
    convert = statement.convert
    return [record(*[value if fn is None or value is None else fn(value)
                     for fn, value in zip(convert, row, strict=True)])
            for row in cursor.fetchall()]


def first(t: Tables, table: Any, record: type[R], *, order_by: Sequence[str] = (),
          **where: Any) -> R | None:
    """The first row `select` would return, or None."""
    found = select(t, table, record, order_by=order_by, limit=1, **where)
    return found[0] if found else None


def _compile(table: Any, record: type[R], where: tuple[tuple[str, bool], ...],
             order_by: Sequence[str], limit: int | None) -> _Select:
    columns = [_column(table, f.name) for f in dataclasses.fields(record)]  # type: ignore[arg-type]
    compared = tuple((name, _column(table, name)) for name, is_null in where if not is_null)
    conditions = [_column(table, name).is_null() if is_null else _column(table, name) == 0
                  for name, is_null in where]
    query = table.select(*columns)
    if conditions:
        condition = conditions[0]
        for more in conditions[1:]:
            condition = condition & more
        query = query.where(condition)
    if order_by:
        query = query.order_by(*[_column(table, name[1:]).desc() if name.startswith("-")
                                 else _column(table, name) for name in order_by])
    if limit is not None:
        query = query.limit(limit)
    sql, params = query.sql()
    fixed = tuple(params[len(compared):])
    if len(params) < len(compared) or any(value != limit for value in fixed):
        raise ValueError(f"unexpected parameters in {sql!r}: {params!r}")
    return _Select(sql, compared, fixed, tuple(
        f.python_value if isinstance(f, _CONVERTED) else None for f in columns))


def _column(table: Any, name: str) -> Field:
    meta = table._meta
    field = meta.columns.get(name) or meta.fields.get(name)
    if field is None:
        raise ValueError(f"{meta.table_name} has no column {name!r}")
    return field


@dataclass(frozen=True, slots=True)
class _Join:
    sql: str
    records: tuple[tuple[type, int], ...]  # each record and how many columns it takes
    convert: tuple[Callable[[Any], Any] | None, ...]


def joined(t: Tables, name: str, parts: Sequence[tuple[Any, type]],
           build: Callable[[list[Field]], Any], *values: Any) -> list[tuple[Any, ...]]:
    """The rows of a join, each split into one record per (table, record) of `parts`, None
    where an outer join found no row. `build(fields)` makes the query selecting `fields` (the
    columns of every part's record, in order) and comparing against one placeholder per value
    of `values` (already in the database's types), in order; it runs once per database, and
    the statement is kept under `name`."""
    statement = t.compiled.get(name)
    if statement is None:
        fields = [_column(table, f.name) for table, record in parts
                  for f in dataclasses.fields(record)]  # type: ignore[arg-type]
        sql, params = build(fields).sql()
        if len(params) != len(values):
            raise ValueError(f"{name}: {len(params)} parameters in {sql!r}, {len(values)} given")
        statement = t.compiled[name] = _Join(sql, tuple(
            (record, len(dataclasses.fields(record))) for _table, record in parts),  # type: ignore[arg-type]
            tuple(f.python_value if isinstance(f, _CONVERTED) else None for f in fields))
    found = []
    for row in t.db.execute_sql(statement.sql, values).fetchall():
        converted = [value if fn is None or value is None else fn(value)
                     for fn, value in zip(statement.convert, row, strict=True)]
        split: list[Any] = []
        at = 0
        for record, size in statement.records:
            part = converted[at:at + size]
            at += size
            split.append(None if all(value is None for value in part) else record(*part))
        found.append(tuple(split))
    return found
