"""The one write path of records: merge each with the stored one of its key, then upsert.

Webhook deliveries, ``leadline sync`` batches and the HTTP API (``POST /v1/records``) all
write records here, so they store the same rows for the same records:

1. ``stored_records``: the stored record of every natural key in the batch, one query per
   kind (``keyset.rows_by_keys``: an index search per key on SQLite too);
2. each record in order is merged with the current state of its key — the stored record,
   or the result for an earlier record of the batch with the same key — by ``policy``
   (default ``domain.merge.merge``, the rule for snapshots; ``None``: every record replaces
   the stored one as it is, the rule for complete records);
3. the final state of each key is upserted once by ``RecordWriter`` (new / updated /
   unchanged counts per kind).

Before anything is written every final record is checked for values the database cannot
hold (``domain.storable``): records are storable once validated, so this only refuses a
record built without validation, with ``UnstorableRecord`` (an input error naming the record
and field) instead of a driver error halfway through the batch.

The bulk NDJSON import (``services.ingest.import_ndjson``) writes complete, validated
records straight to a ``RecordWriter`` in bulk mode: no merge, and its lines are checked as
they are parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

from leadline.domain.merge import merge
from leadline.domain.parse import parse_line
from leadline.domain.quality import label
from leadline.domain.records import RecordModel
from leadline.domain.storable import unstorable
from leadline.errors import InputError, LineError
from leadline.store.keyset import rows_by_keys
from leadline.store.mapping import MAPPINGS
from leadline.store.writer import KindCounts, RecordWriter

Key = tuple[str, tuple[Any, ...]]
MergePolicy = Callable[[RecordModel | None, RecordModel], RecordModel | None]
"""``policy(stored, incoming)``: the record to write for ``incoming`` (``None``: keep the
stored one)."""


class UnstorableRecord(InputError):
    """A record holds a value the database cannot store; nothing of the batch was written."""

    code = "unstorable_record"


def record_key(record: RecordModel) -> Key:
    """The kind and the natural key of ``record`` as its table stores it."""
    m = MAPPINGS[record.kind]
    return record.kind, m.key_of(m.row(record))


def stored_records(conn: Connection, records: Sequence[RecordModel]) -> dict[Key, RecordModel]:
    """The stored records with the natural keys of ``records``: one query per kind."""
    keys: dict[str, set[tuple[Any, ...]]] = {}
    for record in records:
        kind, key = record_key(record)
        keys.setdefault(kind, set()).add(key)
    found: dict[Key, RecordModel] = {}
    for kind, wanted in keys.items():
        m = MAPPINGS[kind]
        for (data,) in rows_by_keys(conn, m.table, m.key_columns, sorted(wanted), ["data"]):
            parsed = parse_line(data, "<stored>", 0)
            if not isinstance(parsed, LineError):
                found[record_key(parsed)] = parsed
    return found


def merge_and_upsert(
    conn: Connection,
    records: Sequence[RecordModel],
    policy: MergePolicy | None = merge,
    *,
    batch_size: int = 2000,
) -> dict[str, KindCounts]:
    """Merge ``records`` (in order) with the stored ones of their keys by ``policy`` and
    upsert the final state of each key once, inside the caller's transaction; the counts
    per kind. ``policy=None``: no merge, each record is written as it is (a key given twice
    counts as new, then updated). Raises ``UnstorableRecord`` before writing anything when
    a record holds a value the database cannot store."""
    if not records:
        return {}
    if policy is None:
        final: Sequence[RecordModel] = records
    else:
        current = stored_records(conn, records)
        merged: dict[Key, RecordModel] = {}  # first-seen order
        for record in records:
            key = record_key(record)
            chosen = policy(current.get(key), record)
            if chosen is not None:
                merged[key] = current[key] = chosen
        final = list(merged.values())
    for record in final:
        problem = unstorable(record.model_dump())
        if problem is not None:
            raise UnstorableRecord(f"{label(record)}: {problem}")
    writer = RecordWriter(conn, batch_size=batch_size)
    writer.add_all(final)
    writer.flush()
    return writer.counts
