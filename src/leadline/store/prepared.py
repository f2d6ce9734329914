"""A record made ready for the store (``Prepared``): its row, stored JSON, digest, child rows
and change-log refs.

Preparing holds no database state, so ``services.ingest`` prepares records in worker
processes and sends them to the one process that writes (``writer.RecordWriter``); the
tuples here pickle and insert faster than dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadline.domain.records import RecordModel
from leadline.store import changelog
from leadline.store.mapping import MAPPINGS, KindMapping, Row, serialise

Rows = tuple[tuple[str, ...], list[tuple[Any, ...]]]  # column names, one tuple per row
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}


def _names(row: Row) -> tuple[str, ...]:
    """``row``'s column names, as one shared tuple per set of names (pickled once a chunk)."""
    names = tuple(row)
    return _NAMES.setdefault(names, names)


def _child_tuples(children: dict[str, list[Row]]) -> dict[str, Rows]:
    return {
        name: (_names(rows[0]), [tuple(r.values()) for r in rows])
        for name, rows in children.items()
        if rows
    }


@dataclass(slots=True)
class Prepared:
    """A validated record made ready for the store: its row, stored JSON and digest.

    ``prepare`` makes one; it holds no database state, so records can be prepared in other
    processes (see ``services.ingest``). The row is ``values`` in ``columns`` order, child
    rows likewise (tuples pickle and insert faster than dicts). ``children`` (child rows per
    child table) and ``refs`` (change-log refs) are computed lazily from ``record`` when they
    are needed (new or changed rows only), or eagerly by ``prepare(eager=True)`` when
    ``record`` is not kept.
    """

    kind: str
    key: tuple[Any, ...]
    columns: tuple[str, ...]
    values: tuple[Any, ...]
    data: str
    digest: str
    record: RecordModel | None = None
    children: dict[str, Rows] | None = None
    refs: set[str] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # The fields as constructor arguments: cheaper to load than slots state.
        return (
            Prepared,
            (
                self.kind,
                self.key,
                self.columns,
                self.values,
                self.data,
                self.digest,
                self.record,
                self.children,
                self.refs,
            ),
        )

    def child_rows(self, m: KindMapping) -> dict[str, Rows]:
        if self.children is None:
            assert self.record is not None
            self.children = _child_tuples(m.children(self.record))
        return self.children

    def log_refs(self) -> set[str]:
        if self.refs is None:
            assert self.record is not None
            self.refs = changelog.refs_of(self.record)
        return self.refs


def prepare(record: RecordModel, *, eager: bool = False) -> Prepared:
    """The ``Prepared`` form of ``record`` (``eager``: children and refs computed now and
    the record itself dropped, for sending between processes)."""
    m = MAPPINGS[record.kind]
    row = m.row(record)
    data, digest = serialise(record)
    key = tuple([row[c] for c in m.key_columns])
    columns, values = _names(row), tuple(row.values())
    if not eager:
        return Prepared(m.kind, key, columns, values, data, digest, record)
    refs = set() if m.kind == "incident" else changelog.refs_of(record)
    children = _child_tuples(m.children(record))
    return Prepared(m.kind, key, columns, values, data, digest, None, children, refs)
