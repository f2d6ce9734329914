"""Where the demo keeps track of what it loaded, so that loading it again is exact.

The demo records the natural keys it wrote in a ``sync_cursors`` row (source ``demo``), in
the same transaction as the records. That answers two questions on the next run:

* **Is there other data?** A record table holding more rows than the demo wrote, or a stored
  profile or collection that is not the demo's, means the database is not (only) the demo's.
* **What is stale?** Records of the previous demo that the new one does not have (another
  anchor moves every generic event, whose time is part of its key; another seed changes
  everything). They are deleted, and their links are written to the change log so every
  materialized timeline they touched is rebuilt — the same as an update would.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, select

from leadline.domain.parse import parse_line
from leadline.domain.records import RecordModel
from leadline.errors import LineError
from leadline.store import changelog, cursors
from leadline.store import collections as stored_collections
from leadline.store import profiles as stored_profiles
from leadline.store.keyset import rows_by_keys
from leadline.store.mapping import MAPPINGS
from leadline.words import plural

SOURCE, SCOPE, RESOURCE = "demo", "acme", "records"
Keys = dict[str, list[tuple[Any, ...]]]


def keys_of(records: Iterable[RecordModel]) -> Keys:
    """The stored (table) form of each record's natural key, per kind."""
    out: Keys = {kind: [] for kind in MAPPINGS}
    for record in records:
        m = MAPPINGS[record.kind]
        out[record.kind].append(m.key_of(m.row(record)))
    return out


def read_marker(conn: Connection) -> dict[str, Any] | None:
    marker = cursors.get(conn, SOURCE, SCOPE, RESOURCE)
    return marker if isinstance(marker, dict) else None


def write_marker(conn: Connection, marker: dict[str, Any]) -> None:
    if cursors.get(conn, SOURCE, SCOPE, RESOURCE) != marker:
        cursors.put(conn, SOURCE, SCOPE, RESOURCE, marker)


def marker_keys(marker: dict[str, Any] | None) -> Keys:
    stored = (marker or {}).get("keys", {})
    return {kind: [tuple(k) for k in stored.get(kind, [])] for kind in MAPPINGS}


def other_data(
    conn: Connection,
    marker: dict[str, Any] | None,
    profiles: Iterable[str],
    collections: Iterable[str],
) -> str:
    """What the database holds besides the demo ('' when nothing): '12 commits, 1 profile'.
    Before the demo was ever loaded (no marker) every profile and collection is someone
    else's, whatever its name."""
    ours = marker_keys(marker)
    parts = []
    for kind, m in MAPPINGS.items():
        total = int(conn.execute(select(func.count()).select_from(m.table)).scalar_one())
        extra = total - len(ours[kind])
        if extra > 0:
            parts.append(plural(extra, kind.replace("_", " ")))
    mine = marker is not None
    stored = [
        ("profile", stored_profiles.names(conn), set(profiles) if mine else set()),
        ("collection", [r.name for r in stored_collections.all_rows(conn)],
         set(collections) if mine else set()),
    ]  # fmt: skip
    for noun, names, demo_names in stored:
        others = sorted(n for n in names if n not in demo_names)
        if others:
            parts.append(f"{plural(len(others), noun)} ({', '.join(others[:3])})")
    return ", ".join(parts)


def remove_stale(conn: Connection, old: Keys, new: Keys) -> int:
    """Delete the previous demo's records that the new demo does not have; returns how many."""
    removed = 0
    for kind, m in MAPPINGS.items():
        keep = set(new.get(kind, []))
        stale = [k for k in old.get(kind, []) if k not in keep]
        if not stale:
            continue
        rows = rows_by_keys(conn, m.table, m.key_columns, stale, ["id", "data"])
        refs: set[str] = set()
        for _id, data in rows:
            record = parse_line(data, "<stored>", 0)
            if not isinstance(record, LineError):
                refs |= changelog.refs_of(record)
        changelog.append(conn, refs)
        ids = [int(r[0]) for r in rows]
        for start in range(0, len(ids), 1000):
            conn.execute(delete(m.table).where(m.table.c.id.in_(ids[start : start + 1000])))
        removed += len(ids)
    return removed
