"""Batched, idempotent upserts of records by natural key.

A ``RecordWriter`` works inside one transaction owned by its caller: it buffers records per
kind, and on each flush reads the stored digests of the batch's keys, inserts what is new,
rewrites what changed (row and child rows) and leaves what is unchanged untouched.
Records come in as they are or already ``prepared.Prepared``; the inserts themselves are
``bulk``'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.errors import LineError
from leadline.store import changelog
from leadline.store.bulk import insert_tuples, next_ids, secondary_indexes
from leadline.store.keyset import rows_by_keys
from leadline.store.mapping import MAPPINGS, KindMapping
from leadline.store.prepared import Prepared, prepare


@dataclass
class KindCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


@dataclass
class _Fresh:
    """A kind whose table was empty when this writer first wrote it (``bulk`` mode only).

    ``seen`` holds ``hash(key)`` of every key this writer inserted: a key whose hash is not
    in it cannot be stored, so its digest is not looked up (a hash collision only costs the
    lookup). ``indexes`` are the dropped secondary indexes to create again in ``finish``.
    """

    seen: set[int] = field(default_factory=set)
    indexes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RecordWriter:
    """Upserts records by natural key inside the caller's transaction.

    ``bulk`` (a large import): for a kind whose table is empty when first written, keys new
    to this writer skip the digest lookup, and (when that first write is a full batch) the
    table's and its child tables' non-unique secondary indexes (but the parent-id ones) are
    dropped and created again by ``finish``, in the same transaction. The stored rows are the
    same either way.
    """

    conn: Connection
    batch_size: int = 2000
    bulk: bool = False
    counts: dict[str, KindCounts] = field(default_factory=dict)
    changed_ids: dict[str, set[int]] = field(default_factory=dict)
    _buffers: dict[str, list[Prepared]] = field(default_factory=dict)
    _fresh: dict[str, _Fresh | None] = field(default_factory=dict)

    def add(self, record: RecordModel) -> None:
        self.add_prepared(prepare(record))

    def add_prepared(self, item: Prepared) -> None:
        buf = self._buffers.setdefault(item.kind, [])
        buf.append(item)
        if len(buf) >= self.batch_size:
            self._flush_kind(item.kind)

    def add_all(self, records: Iterable[RecordModel]) -> None:
        for record in records:
            self.add(record)

    def flush(self) -> None:
        for kind in list(self._buffers):
            self._flush_kind(kind)

    def finish(self) -> None:
        """``flush``, then create again the indexes ``bulk`` mode dropped; on PostgreSQL,
        ANALYZE the tables that were empty before (their first statistics)."""
        self.flush()
        filled: list[str] = []
        for kind, fresh in self._fresh.items():
            if fresh is not None:
                for _name, sql in fresh.indexes:
                    self.conn.exec_driver_sql(sql)
                fresh.indexes = []
                m = MAPPINGS[kind]
                filled += [m.table.name, *(c.table.name for c in m.child_tables)]
        if filled and self.conn.dialect.name == "postgresql":
            # Without statistics (autovacuum not round yet, or off) the planner guesses a
            # few rows for any range: bitmap scans and on-disk sorts for reports at 1M
            # tickets that take half the time once the tables are analyzed.
            self.conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{n}"' for n in filled))

    def _flush_kind(self, kind: str) -> None:
        items = self._buffers.pop(kind, [])
        if items:
            self._write(MAPPINGS[kind], items)

    def _write(self, m: KindMapping, items: list[Prepared]) -> None:
        counts = self.counts.setdefault(m.kind, KindCounts())
        pending: dict[tuple[Any, ...], Prepared] = {}
        for item in items:
            pending[item.key] = item  # newest wins
        fresh = self._fresh_state(m, more=len(items) >= self.batch_size)
        if fresh is None:
            stored = self._stored(m, list(pending))
        else:
            seen = fresh.seen
            stored = self._stored(m, [k for k in pending if hash(k) in seen])
            seen.update(hash(k) for k in pending)
        # Classify in input order: a key seen twice in one batch is new, then updated.
        last: dict[tuple[Any, ...], str] = {key: d for key, (_id, d) in stored.items()}
        for item in items:
            before = last.get(item.key)
            if before is None:
                counts.new += 1
            elif before == item.digest:
                counts.unchanged += 1
            else:
                counts.updated += 1
            last[item.key] = item.digest
        self._log_changes(m, items, pending, stored)
        new = [(k, p) for k, p in pending.items() if k not in stored]
        changed = [
            (stored[k][0], p)
            for k, p in pending.items()
            if k in stored and stored[k][1] != p.digest
        ]
        ids = self.changed_ids.setdefault(m.kind, set())
        if new:
            # Ids assigned here (what the database would assign), then one executemany of
            # tuples (COPY on PostgreSQL): no read-back of the new ids.
            new_ids = next_ids(self.conn, m.table, len(new))
            columns = ["id", *new[0][1].columns, "data", "digest"]
            insert_tuples(
                self.conn,
                m.table,
                columns,
                [(i, *p.values, p.data, p.digest) for i, (_, p) in zip(new_ids, new, strict=True)],
            )
            ids.update(new_ids)
            if m.child_tables:
                self._insert_children(m, [(i, p) for i, (_, p) in zip(new_ids, new, strict=True)])
        if changed:
            t = m.table
            self.conn.execute(
                update(t).where(t.c.id == bindparam("_id")),
                [
                    {**dict(zip(p.columns, p.values, strict=True)), "data": p.data}
                    | {"digest": p.digest, "_id": i}
                    for i, p in changed
                ],
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
        items: list[Prepared],
        pending: dict[tuple[Any, ...], Prepared],
        stored: dict[tuple[Any, ...], tuple[int, str]],
    ) -> None:
        """Append change-log refs for every new or changed record (old content included),
        and ``w:KIND`` when any record of the batch is new or changed: the log's position
        then moves with every write that can change an answer, even a record that names
        nothing to link (a deployment run without a commit), which report caches rely on
        (``services/answer_cache.py``)."""
        if m.kind == "incident":
            return  # incidents never move a lead-time stage (report caches hash their digests)
        refs: set[str] = set()
        for item in items:
            before = stored.get(item.key)
            if before is None or before[1] != pending[item.key].digest:
                refs |= item.log_refs()
                refs.add(f"{changelog.WROTE}:{m.kind}")
        changed_ids = [i for k, (i, d) in stored.items() if pending[k].digest != d]
        if changed_ids:
            rows = self.conn.execute(select(m.table.c.data).where(m.table.c.id.in_(changed_ids)))
            for (data,) in rows:
                old = parse_line(data, "<stored>", 0)
                if not isinstance(old, LineError):
                    refs |= changelog.refs_of(old)
        changelog.append_refs(self.conn, refs)

    def _fresh_state(self, m: KindMapping, *, more: bool) -> _Fresh | None:
        """The ``_Fresh`` state of ``m``'s kind (decided on its first write; ``bulk`` only).

        Indexes are dropped only when that write is a full batch (``more`` may follow): a
        kind written in one go gains nothing from building its indexes afterwards. Never on
        PostgreSQL: ``DROP INDEX`` takes a lock that stops every reader of the table — a
        running server's dashboards and metric reads — until the import commits (SQLite
        readers keep their snapshot).
        """
        if m.kind in self._fresh:
            return self._fresh[m.kind]
        fresh: _Fresh | None = None
        if self.bulk and _is_empty(self.conn, m.table):
            fresh = _Fresh()
        if fresh is not None and more and self.conn.dialect.name != "postgresql":
            parents = {c.table.name: c.parent_column for c in m.child_tables}
            for table in [m.table, *(c.table for c in m.child_tables)]:
                keep = parents.get(table.name)
                for name, sql in secondary_indexes(self.conn, table.name):
                    if keep is None or not _indexes_only(sql, keep):
                        self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
                        fresh.indexes.append((name, sql))
        self._fresh[m.kind] = fresh
        return fresh

    def _stored(
        self, m: KindMapping, keys: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], tuple[int, str]]:
        cols = list(m.key_columns)
        rows = rows_by_keys(self.conn, m.table, cols, keys, ["id", "digest", *cols])
        return {tuple(r[2:]): (int(r[0]), str(r[1])) for r in rows}

    def _insert_children(self, m: KindMapping, parents: list[tuple[int, Prepared]]) -> None:
        per_parent = [(parent_id, p.child_rows(m)) for parent_id, p in parents]
        for child in m.child_tables:
            name = child.table.name
            columns: list[str] | None = None
            rows: list[tuple[Any, ...]] = []
            for parent_id, children in per_parent:
                entry = children.get(name)
                if entry is not None:
                    if columns is None:
                        columns = [*entry[0], child.parent_column]
                    rows += [(*values, parent_id) for values in entry[1]]
            if columns is not None:
                insert_tuples(self.conn, child.table, columns, rows)


def _is_empty(conn: Connection, table: Table) -> bool:
    return conn.execute(select(table.c.id).limit(1)).first() is None


def _indexes_only(sql: str, column: str) -> bool:
    """Whether the ``CREATE INDEX`` statement ``sql`` indexes ``column`` alone."""
    return sql.rstrip().endswith((f"({column})", f'("{column}")'))
