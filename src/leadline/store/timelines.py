"""The materialized per-change timelines of each profile (derived data).

A *timeline set* holds, for one profile fingerprint, one row per change: its start, the time
it reached each stage (or nothing), and the records behind them. ``watermark`` is the last
change-log entry the set reflects; a refresh rebuilds only the changes named after it.

A build (the first, full one, or an incremental one) runs in chunks, each its own short
write transaction (``services/refresh.py``). Its state lives on the set's row: ``target``
(the change-log position the build brings the set to), ``cursor`` (the last change key done;
keys are built in sorted order) and ``done``/``total``. Every chunk commits with a
compare-and-set on ``(target, cursor)`` (``advance``): of two builders of one set (two
servers, a server and the CLI) exactly one commits each chunk, the other sees it lost and
goes on from the new cursor, so no chunk is written twice and none from an older snapshot
over a newer one. A set is ``complete`` once its first full build ended; until then readers
get its progress, never half its figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, delete, insert, select, update

from leadline.correlate.timeline import ChangeTimeline
from leadline.domain.times import to_micros
from leadline.store.neighbourhood import in_chunks
from leadline.store.raw import fetch_all
from leadline.store.tables import timeline_sets, timelines
from leadline.store.writer import insert_many


@dataclass(frozen=True)
class TimelineSet:
    id: int
    fingerprint: str
    unit: str
    stages: int
    watermark: int
    built_at: int = 0
    complete: bool = True
    target: int | None = None  # a build is running (or was cut off) towards this position
    cursor: str | None = None
    done: int = 0
    total: int = 0

    @property
    def building(self) -> bool:
        return self.target is not None


_COLUMNS = ("id", "fingerprint", "unit", "stages", "watermark", "built_at", "complete",
            "target", "cursor", "done", "total")  # fmt: skip


def get_set(conn: Connection, fingerprint: str) -> TimelineSet | None:
    s = timeline_sets.c
    query = select(*(s[c] for c in _COLUMNS)).where(s.fingerprint == fingerprint)
    row = conn.execute(query).first()
    if row is None:
        return None
    values = dict(zip(_COLUMNS, row, strict=True))
    values["complete"] = bool(values["complete"])
    return TimelineSet(**values)


def create_set(
    conn: Connection,
    fingerprint: str,
    name: str,
    unit: str,
    stages: int,
    built_at: int,
    target: int,
) -> TimelineSet:
    """A new, incomplete set whose first (full) build runs towards ``target``."""
    values = {
        "fingerprint": fingerprint,
        "profile_name": name,
        "unit": unit,
        "stages": stages,
        "watermark": 0,
        "built_at": built_at,
        "complete": False,
        "target": target,
    }
    new_id = conn.execute(insert(timeline_sets).values(**values)).inserted_primary_key
    assert new_id is not None
    return TimelineSet(int(new_id[0]), fingerprint, unit, stages, 0, built_at, False, target)


def start_build(conn: Connection, ts: TimelineSet, target: int) -> bool:
    """Start an incremental build of a set with no build running; ``False`` when another
    builder started one (or finished one) since ``ts`` was read."""
    s = timeline_sets.c
    result = conn.execute(
        update(timeline_sets)
        .where(s.id == ts.id, s.target.is_(None), s.watermark == ts.watermark)
        .values(target=target, cursor=None, done=0, total=0)
    )
    return result.rowcount == 1


def advance(
    conn: Connection, ts: TimelineSet, cursor: str | None, new_cursor: str, done: int, total: int
) -> bool:
    """Claim the chunk that ends at ``new_cursor``: ``True`` if the build was still at
    ``(ts.target, cursor)`` (then this transaction writes the chunk), ``False`` if another
    builder moved it (write nothing)."""
    s = timeline_sets.c
    at_cursor = s.cursor.is_(None) if cursor is None else s.cursor == cursor
    result = conn.execute(
        update(timeline_sets)
        .where(s.id == ts.id, s.target == ts.target, at_cursor)
        .values(cursor=new_cursor, done=done, total=total)
    )
    return result.rowcount == 1


def finish_build(conn: Connection, ts: TimelineSet, cursor: str | None, built_at: int) -> bool:
    """End the build at ``(ts.target, cursor)``: the set now reflects ``target``."""
    s = timeline_sets.c
    at_cursor = s.cursor.is_(None) if cursor is None else s.cursor == cursor
    result = conn.execute(
        update(timeline_sets)
        .where(s.id == ts.id, s.target == ts.target, at_cursor)
        .values(watermark=ts.target, target=None, cursor=None, complete=True, built_at=built_at)
    )
    return result.rowcount == 1


def analyze(conn: Connection) -> None:
    """On PostgreSQL, ANALYZE the timelines after a full build: without statistics the
    planner takes a year's window for a few rows (bitmap scans, twice the time at 1M)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ANALYZE timelines")


def replace(
    conn: Connection,
    set_id: int,
    keys: Sequence[str],
    built: Sequence[ChangeTimeline],
    fresh: bool = False,
) -> None:
    """Drop the rows of ``keys`` and store ``built`` (a change out of scope simply vanishes).

    ``fresh``: the set was created in this transaction, so there is nothing to drop.
    """
    tl = timelines.c
    for chunk in () if fresh else in_chunks(keys):
        conn.execute(delete(timelines).where(tl.set_id == set_id, tl.change_key.in_(chunk)))
    insert_many(conn, timelines, [_row(set_id, t) for t in built])


TIME = np.dtype("<f8")  # one stored time: little-endian float64 micros, NaN = not reached


def pack_times(start_us: int, times: Sequence[int | None]) -> bytes:
    """The stored ``times`` of a change: its start, then each stage's time (NaN: not reached).

    Micros are integers far below 2**53, so float64 holds each one exactly.
    """
    values = [float(start_us), *(math.nan if x is None else float(x) for x in times)]
    return np.array(values, dtype=TIME).tobytes()


def unpack_times(blob: bytes) -> tuple[int, list[int | None]]:
    """``(start_us, stage times)`` of one stored ``times`` value (the inverse of pack_times)."""
    values = np.frombuffer(blob, dtype=TIME).tolist()
    return int(values[0]), [None if math.isnan(x) else int(x) for x in values[1:]]


def _row(set_id: int, t: ChangeTimeline) -> dict[str, Any]:
    start = to_micros(t.start.at)
    times = [None if h is None else to_micros(h.at) for h in t.stages]
    return {
        "set_id": set_id,
        "change_key": t.key,
        "start_at": start,
        "end_at": times[-1] if times else None,
        "times": pack_times(start, times),
        "sources": json.dumps(
            [t.start.source, *(None if h is None else h.source for h in t.stages)]
        ),
    }


@dataclass(frozen=True)
class Matrix:
    """Changes that reached the last stage in a window: start and stage times, micros.

    ``times`` is float64 (n, k) with NaN for a stage that did not happen; float64 holds
    every microsecond timestamp exactly (they are far below 2**53). Rows come in no
    particular order; ``keys`` (row by row) is ``None`` unless asked for.
    """

    keys: list[str] | None
    start: NDArray[np.float64]
    times: NDArray[np.float64]
    end: NDArray[np.int64]  # when each change reached the last stage


# The window's times glued into one value by the database: no row objects at all.
_CONCAT = {
    "sqlite": "CAST(group_concat(times, x'') AS BLOB)",  # UTF-8 databases copy bytes as-is
    "postgresql": "string_agg(times, ''::bytea)",
}


def read_matrix(
    conn: Connection,
    ts: TimelineSet,
    start_us: int | None,
    end_us: int | None,
    with_keys: bool = False,
) -> Matrix:
    """The changes of ``ts`` that reached the last stage in ``[start_us, end_us)``.

    Reads ``times`` through the DB-API cursor from the covering index ``(set_id, end_at,
    times)``, without an ORDER BY; without ``with_keys`` the database concatenates the blobs
    and numpy reads them in one ``frombuffer``.
    """
    where = ["set_id = ?", "end_at IS NOT NULL"]
    params: list[int] = [ts.id]
    if start_us is not None:
        where.append("end_at >= ?")
        params.append(start_us)
    if end_us is not None:
        where.append("end_at < ?")
        params.append(end_us)
    condition = " AND ".join(where)
    keys: list[str] | None = None
    if with_keys:
        sql = f"SELECT change_key, times FROM timelines WHERE {condition}"
        rows = fetch_all(conn, sql, params, binary=True)
        keys = [key for key, _ in rows]
        n, blob = len(rows), b"".join([bytes(times) for _, times in rows])
    else:
        concat = _CONCAT[conn.dialect.name]
        sql = f"SELECT count(*), {concat} FROM timelines WHERE {condition}"
        [(n, blob)] = fetch_all(conn, sql, params, binary=True)
    return _matrix(keys, int(n), bytes(blob or b""), ts.stages)


def _matrix(keys: list[str] | None, n: int, blob: bytes, k: int) -> Matrix:
    if len(blob) != n * (k + 1) * TIME.itemsize:
        raise ValueError(f"timelines: expected {n} × {k + 1} times, got {len(blob)} bytes")
    # Read-only and without a copy on little-endian machines (TIME is then native float64).
    table = np.frombuffer(blob, dtype=TIME).reshape(n, k + 1).astype(np.float64, copy=False)
    start, times = table[:, 0], table[:, 1:]
    end = (times[:, -1] if k else start).astype(np.int64)
    return Matrix(keys, start, times, end)


@dataclass(frozen=True)
class StoredTimeline:
    key: str
    start_at: int
    times: list[int | None]
    sources: list[str | None]


def read_one(conn: Connection, ts: TimelineSet, key: str) -> StoredTimeline | None:
    tl = timelines.c
    row = conn.execute(
        select(tl.change_key, tl.times, tl.sources).where(tl.set_id == ts.id, tl.change_key == key)
    ).first()
    if row is None:
        return None
    start_at, times = unpack_times(row.times)
    return StoredTimeline(row.change_key, start_at, times, json.loads(row.sources))


def count_in_flight(conn: Connection, ts: TimelineSet) -> int:
    from sqlalchemy import func

    tl = timelines.c
    query = select(func.count()).where(tl.set_id == ts.id, tl.end_at.is_(None))
    return int(conn.execute(query).scalar_one())
