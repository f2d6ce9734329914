"""Plain DB-API reads for the hot paths: tuples straight from the driver, no Row objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def fetch_all(
    conn: Connection, sql: str, params: Sequence[Any] = (), *, binary: bool = False
) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``?`` placeholders, no other ``?`` or ``%``) in ``conn``'s transaction.

    ``binary``: on PostgreSQL, ask for results in binary format (a ``bytea`` then arrives as
    its bytes rather than as hex text to decode: 2 bytes on the wire and a parse per byte).
    """
    postgres = conn.dialect.name == "postgresql"
    if conn.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor: Any = conn.connection.cursor()
    try:
        if binary and postgres:
            cursor.execute(sql, tuple(params), binary=True)
        else:
            cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()
