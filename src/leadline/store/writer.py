"""Batched, idempotent upserts of records by natural key.

A ``RecordWriter`` works inside one transaction owned by its caller: it buffers records per
kind, and on each flush reads the stored digests of the batch's keys, inserts what is new,
rewrites what changed (row and child rows) and leaves what is unchanged untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)

from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.errors import LineError
from leadline.store import changelog
from leadline.store.keyset import rows_by_keys
from leadline.store.mapping import MAPPINGS, KindMapping, Row, serialise


@dataclass
class KindCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass
class _Pending:
    row: Row
    data: str
    digest: str
    children: dict[str, list[Row]]


@dataclass
class RecordWriter:
    conn: Connection
    batch_size: int = 2000
    counts: dict[str, KindCounts] = field(default_factory=dict)
    changed_ids: dict[str, set[int]] = field(default_factory=dict)
    _buffers: dict[str, list[RecordModel]] = field(default_factory=dict)

    def add(self, record: RecordModel) -> None:
        buf = self._buffers.setdefault(record.kind, [])
        buf.append(record)
        if len(buf) >= self.batch_size:
            self._flush_kind(record.kind)

    def add_all(self, records: Iterable[RecordModel]) -> None:
        for record in records:
            self.add(record)

    def flush(self) -> None:
        for kind in list(self._buffers):
            self._flush_kind(kind)

    def _flush_kind(self, kind: str) -> None:
        records = self._buffers.pop(kind, [])
        if records:
            self._write(MAPPINGS[kind], records)

    def _write(self, m: KindMapping, records: list[RecordModel]) -> None:
        counts = self.counts.setdefault(m.kind, KindCounts())
        pending: dict[tuple[Any, ...], _Pending] = {}
        order: list[tuple[tuple[Any, ...], str]] = []
        for record in records:
            row = m.row(record)
            data, digest = serialise(record)
            key = m.key_of(row)
            order.append((key, digest))
            pending[key] = _Pending(row, data, digest, m.children(record))  # newest wins
        stored = self._stored(m, list(pending))
        # Classify in input order: a key seen twice in one batch is new, then updated.
        last: dict[tuple[Any, ...], str] = {key: d for key, (_id, d) in stored.items()}
        for key, digest in order:
            before = last.get(key)
            if before is None:
                counts.new += 1
            elif before == digest:
                counts.unchanged += 1
            else:
                counts.updated += 1
            last[key] = digest
        self._log_changes(m, records, pending, stored)
        new = [(k, p) for k, p in pending.items() if k not in stored]
        changed = [
            (stored[k][0], p)
            for k, p in pending.items()
            if k in stored and stored[k][1] != p.digest
        ]
        ids = self.changed_ids.setdefault(m.kind, set())
        if new:
            # Plain executemany (fast on both drivers), then read the new ids back by key.
            insert_many(
                self.conn, m.table, [{**p.row, "data": p.data, "digest": p.digest} for _, p in new]
            )
            new_ids = self._stored(m, [k for k, _ in new])
            ids.update(i for i, _ in new_ids.values())
            if m.child_tables:
                self._insert_children(m, [(new_ids[k][0], p) for k, p in new])
        if changed:
            t = m.table
            self.conn.execute(
                update(t).where(t.c.id == bindparam("_id")),
                [{**p.row, "data": p.data, "digest": p.digest, "_id": i} for i, p in changed],
            )
            changed_ids = [i for i, _ in changed]
            ids.update(changed_ids)
            for child in m.child_tables:
                col = child.table.c[child.parent_column]
                self.conn.execute(delete(child.table).where(col.in_(changed_ids)))
            self._insert_children(m, changed)

    def _log_changes(
        self,
        m: KindMapping,
        records: list[RecordModel],
        pending: dict[tuple[Any, ...], _Pending],
        stored: dict[tuple[Any, ...], tuple[int, str]],
    ) -> None:
        """Append change-log refs for every new or changed record (old content included)."""
        if m.kind == "incident":
            return  # incidents never move a lead-time stage
        refs: set[str] = set()
        for record in records:
            key = m.key_of(m.row(record))
            before = stored.get(key)
            if before is None or before[1] != pending[key].digest:
                refs |= changelog.refs_of(record)
        changed_ids = [i for k, (i, d) in stored.items() if pending[k].digest != d]
        if changed_ids:
            rows = self.conn.execute(select(m.table.c.data).where(m.table.c.id.in_(changed_ids)))
            for (data,) in rows:
                old = parse_line(data, "<stored>", 0)
                if not isinstance(old, LineError):
                    refs |= changelog.refs_of(old)
        changelog.append(self.conn, refs)

    def _stored(
        self, m: KindMapping, keys: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], tuple[int, str]]:
        cols = list(m.key_columns)
        rows = rows_by_keys(self.conn, m.table, cols, keys, ["id", "digest", *cols])
        return {tuple(r[2:]): (int(r[0]), str(r[1])) for r in rows}

    def _insert_children(self, m: KindMapping, parents: list[tuple[int, _Pending]]) -> None:
        for child in m.child_tables:
            rows = [
                {**row, child.parent_column: parent_id}
                for parent_id, p in parents
                for row in p.children.get(child.table.name, [])
            ]
            insert_many(self.conn, child.table, rows)


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
