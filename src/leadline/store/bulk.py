"""Fast inserts on either backend, inside the caller's transaction, and the id and index
facts a bulk write needs.

SQLite gets prepared ``executemany`` statements; PostgreSQL gets ``COPY`` (psycopg's
``executemany`` sends one statement per row). Every store module that appends rows uses
these; they know tables, not records (``writer.RecordWriter`` upserts records).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, select


def secondary_indexes(conn: Connection, table: str) -> list[tuple[str, str]]:
    """The non-unique indexes of ``table`` (not the primary key's, not a constraint's), as
    (name, the statement that creates it)."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = to_regclass(%(t)s) AND NOT x.indisunique"
            " AND NOT x.indisprimary ORDER BY i.relname",
            {"t": table},
        )
    else:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            (table,),
        )
    return [(str(name), str(sql)) for name, sql in rows]


def next_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """The ids the database would give the next ``count`` rows inserted into ``table``,
    taken (in the caller's write transaction): SQLite's next rowids (the largest id + 1 on,
    as for a rowid table without AUTOINCREMENT), PostgreSQL's next values of the id
    column's sequence."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%(t)s, 'id'))"
            " FROM generate_series(1, %(n)s) ORDER BY 1",
            {"t": table.name, "n": count},
        )
        return [int(r[0]) for r in rows]
    last = conn.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1)).scalar()
    start = int(last or 0) + 1
    return list(range(start, start + count))


def insert_tuples(
    conn: Connection, table: Table, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows given as tuples in ``columns`` order, inside the caller's transaction.

    For tables whose columns need no bind processing (text, integers): the values go to the
    driver as they are. SQLite gets one DB-API ``executemany`` of a prepared statement (no
    per-row SQLAlchemy work); PostgreSQL gets ``COPY``.
    """
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    raw: Any = conn.connection.driver_connection
    if conn.dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        raw.executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)
        return
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows fast on either backend, inside the caller's transaction.

    SQLite's executemany runs in C and is fast as is; psycopg's executemany sends one
    statement per row, so on PostgreSQL rows are streamed with COPY instead.
    """
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(c) for c in columns])
