"""Rows by composite key, fast on both engines.

SQLite answers a row-value ``(a, b) IN ((?, ?), …)`` with a **full scan** of the table (its
planner uses no index for row-value lists), so a lookup by composite key would grow with the
table: quadratic over an import, ruinous at a million rows. Two ways around it:

* ``rows_by_keys``: the hot path (every upsert batch). SQLite joins the table to
  ``json_each(:keys)`` (one parameter, one cached statement, an index search per key);
  PostgreSQL joins it to ``unnest()`` of one array per key column (a long row-value IN is
  planned as one OR branch per key there: slow to plan and to run).
* ``keys_in(columns, keys)``: a condition to combine with others. On SQLite it is spelled
  ``(a = ? AND b = ?) OR …``, for which SQLite uses the index for every term (MULTI-INDEX
  OR); PostgreSQL gets ``(a, b) IN (SELECT * FROM unnest(:a, :b))`` (one array parameter
  per column: the statement text does not depend on the number of keys, and the planner
  sees a semi-join instead of one OR branch per key). At most ``MAX_KEYS`` keys at a time
  (SQLite nests an OR chain one level per term and allows 1,000 levels).
* ``values_in(column, values)``: the same for one column. SQLite gets ``IN (?, …)``,
  PostgreSQL ``= ANY(:array)``. ``chunk_size(conn)`` is how many values to pass at a time:
  ``MAX_KEYS`` on SQLite, all of them (up to ``ARRAY_KEYS``) on PostgreSQL; ``in_chunks``
  cuts any iterable into lists of that many.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Table,
    bindparam,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

MAX_KEYS = 500
IN_LIST = 5000  # values per single-column IN list
ARRAY_KEYS = 100_000  # values per PostgreSQL array parameter


def chunk_size(conn: Connection) -> int:
    """How many keys or values to give ``keys_in``/``values_in`` at a time on ``conn``."""
    return ARRAY_KEYS if conn.dialect.name == "postgresql" else MAX_KEYS


def in_chunks(items: Iterable[Any], size: int = MAX_KEYS) -> Iterator[list[Any]]:
    """``items`` as consecutive lists of ``size`` (the last one shorter), lazily."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _array_type(column: Any) -> str:
    return "bigint" if isinstance(column.type, Integer) else "text"


class ValuesIn(ColumnElement[bool]):
    inherit_cache = False  # rendered per dialect below
    _is_implicitly_boolean = True
    type = Boolean()

    def __init__(self, column: Any, values: Sequence[Any]) -> None:
        self.column = column
        self.values = list(values)


def values_in(column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """True where ``column`` equals one of ``values``."""
    return ValuesIn(column, values)


@compiles(ValuesIn)
def _in_list(element: ValuesIn, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(element.values), **kw)


@compiles(ValuesIn, "postgresql")
def _any_array(element: ValuesIn, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    array = compiler.process(bindparam(None, element.values, unique=True), **kw)
    return f"{column} = ANY(CAST({array} AS {_array_type(element.column)}[]))"


class KeysIn(ColumnElement[bool]):
    inherit_cache = False  # the keys are the statement: nothing to reuse
    _is_implicitly_boolean = True  # a condition as it stands (no "= 1" on SQLite)
    type = Boolean()

    def __init__(self, columns: Sequence[Any], keys: Sequence[tuple[Any, ...]]) -> None:
        if len(keys) > ARRAY_KEYS:
            raise ValueError(f"keys_in takes at most {ARRAY_KEYS} keys, got {len(keys)}")
        self.columns = list(columns)
        self.keys = [tuple(k) for k in keys]


def keys_in(columns: Sequence[Any], keys: Sequence[tuple[Any, ...]]) -> ColumnElement[bool]:
    """True where ``columns`` equal one of ``keys`` (tuples in the same order)."""
    if len(columns) == 1:
        return values_in(columns[0], [k[0] for k in keys])
    return KeysIn(columns, keys)


@compiles(KeysIn)
def _row_values(element: KeysIn, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(tuple_(*element.columns).in_(element.keys), **kw)


@compiles(KeysIn, "postgresql")
def _unnest(element: KeysIn, compiler: SQLCompiler, **kw: Any) -> str:
    names = [compiler.process(c, **kw) for c in element.columns]
    arrays = []
    for i, column in enumerate(element.columns):
        bound = compiler.process(bindparam(None, [k[i] for k in element.keys], unique=True), **kw)
        arrays.append(f"CAST({bound} AS {_array_type(column)}[])")
    return f"({', '.join(names)}) IN (SELECT * FROM unnest({', '.join(arrays)}))"


@compiles(KeysIn, "sqlite")
def _or_of_ands(element: KeysIn, compiler: SQLCompiler, **kw: Any) -> str:
    if len(element.keys) > MAX_KEYS:
        raise ValueError(
            f"keys_in takes at most {MAX_KEYS} keys on SQLite, got {len(element.keys)}"
        )
    if not element.keys:
        return compiler.process(tuple_(*element.columns).in_([]), **kw)
    # Rendered directly: building and_/== expressions per key costs far more to compile.
    names = [compiler.process(c, **kw) for c in element.columns]
    terms = []
    for key in element.keys:
        parts = [
            f"{name} = {compiler.process(bindparam(None, v, type_=c.type, unique=True), **kw)}"
            for name, c, v in zip(names, element.columns, key, strict=True)
        ]
        terms.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(terms) + ")"


def rows_by_keys(
    conn: Connection,
    table: Table,
    key_columns: Sequence[str],
    keys: Sequence[tuple[Any, ...]],
    columns: Sequence[str],
) -> list[Sequence[Any]]:
    """``columns`` of the rows of ``table`` whose ``key_columns`` equal one of ``keys``."""
    if not keys:
        return []
    if len(key_columns) == 1:
        col = table.c[key_columns[0]]
        out: list[Sequence[Any]] = []
        for start in range(0, len(keys), IN_LIST):
            values = [k[0] for k in keys[start : start + IN_LIST]]
            out.extend(conn.execute(select(*(table.c[c] for c in columns)).where(col.in_(values))))
        return out
    wanted = ", ".join(f"t.{c}" for c in columns)
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(
            f"CAST(:k{i} AS {'bigint' if isinstance(table.c[n].type, Integer) else 'text'}[])"
            for i, n in enumerate(key_columns)
        )
        on = " AND ".join(f"t.{n} = k.{n}" for n in key_columns)
        sql = (
            f"SELECT {wanted} FROM {table.name} AS t "
            f"JOIN unnest({arrays}) AS k({', '.join(key_columns)}) ON {on}"
        )
        params = {f"k{i}": [k[i] for k in keys] for i in range(len(key_columns))}
        return list(conn.execute(text(sql), params))
    on = " AND ".join(f"t.{n} = json_extract(k.value, '$[{i}]')" for i, n in enumerate(key_columns))
    sql = f"SELECT {wanted} FROM json_each(:keys) AS k JOIN {table.name} AS t ON {on}"
    return list(conn.execute(text(sql), {"keys": json.dumps([list(k) for k in keys])}))
