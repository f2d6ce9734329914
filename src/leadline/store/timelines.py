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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, delete, insert, select, update

from leadline.correlate.timeline import ChangeTimeline
from leadline.domain.times import to_micros
from leadline.store.bulk import insert_many
from leadline.store.keyset import in_chunks
from leadline.store.raw import fetch_all
from leadline.store.tables import timeline_sets, timelines


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
    end = t.end
    sources: list[Any] = [t.start.source, *(None if h is None else h.source for h in t.stages)]
    extras = _extras(t)
    if extras:
        sources.append(extras)
    return {
        "set_id": set_id,
        "change_key": t.key,
        "start_at": start,
        "end_at": None if end is None else to_micros(end.at),
        "times": pack_times(start, times),
        "sources": json.dumps(sources),
        "baseline": t.baseline,
    }


def _extras(t: ChangeTimeline) -> dict[str, str]:
    """What a profile with ``completed_work: all``, ``categories`` or ``scope.people`` stores
    besides the stage sources, as a trailing object of ``sources``: the record that finished
    the change (``completed``), its ``category`` and the team ``member`` it counts for.
    Profiles without those options store none, so their rows are as they always were."""
    extras: dict[str, str] = {}
    if t.done is not None and t.end is not None:
        extras["completed"] = t.end.source
    if t.category is not None:
        extras["category"] = t.category
    if t.member is not None:  # a people-based team's: who the change counts for
        extras["member"] = t.member
    return extras


def split_sources(sources: list[Any]) -> tuple[list[str | None], dict[str, str]]:
    """A stored ``sources`` list: the start's and each stage's record, and the extras."""
    if sources and isinstance(sources[-1], dict):
        return sources[:-1], sources[-1]
    return sources, {}


@dataclass(frozen=True)
class Matrix:
    """Changes that reached the last stage in a window: start and stage times, micros.

    ``times`` is float64 (n, k) with NaN for a stage that did not happen; float64 holds
    every microsecond timestamp exactly (they are far below 2**53). Rows come in no
    particular order; ``keys`` (row by row) is ``None`` unless asked for, ``categories``
    (row by row) unless asked for with ``with_categories``.
    """

    keys: list[str] | None
    start: NDArray[np.float64]
    times: NDArray[np.float64]
    end: NDArray[np.int64]  # when each change finished (reached the last stage: end_at)
    categories: list[str | None] | None = None
    groups: list[Any] | None = None  # each row's attribute (store/timeline_groups.py)


# The window's times glued into one value by the database: no row objects at all.
_CONCAT = {
    "sqlite": "CAST(group_concat(times, x'') AS BLOB)",  # UTF-8 databases copy bytes as-is
    "postgresql": "string_agg(times, ''::bytea)",
}


def window_condition(
    ts: TimelineSet, start_us: int | None, end_us: int | None, baseline: bool | None
) -> tuple[str, list[Any]]:
    """The condition (and its parameters) for the finished changes of a window; ``baseline``
    ``None``: all of them, else only those whose flag is ``baseline``."""
    where = ["set_id = ?", "end_at IS NOT NULL"]
    params: list[Any] = [ts.id]
    if start_us is not None:
        where.append("end_at >= ?")
        params.append(start_us)
    if end_us is not None:
        where.append("end_at < ?")
        params.append(end_us)
    if baseline is not None:
        where.append("baseline = ?")
        params.append(baseline)
    return " AND ".join(where), params


def read_matrix(
    conn: Connection,
    ts: TimelineSet,
    start_us: int | None,
    end_us: int | None,
    with_keys: bool = False,
    *,
    baseline: bool | None = None,
    with_ends: bool = False,
    with_categories: bool = False,
) -> Matrix:
    """The changes of ``ts`` that finished (``end_at``: by default, reached the last stage)
    in ``[start_us, end_us)`` (``baseline=False``: leaving out the baseline changes;
    ``None``: all).

    Reads ``times`` through the DB-API cursor from the covering index ``(set_id, end_at,
    baseline, times)``, without an ORDER BY; without ``with_keys`` the database concatenates
    the blobs and numpy reads them in one ``frombuffer``. ``end`` is the stored ``end_at``
    when rows are read one by one (``with_keys``, ``with_ends``: a set of a profile with
    ``completed_work: all``, where a change may finish before its last stage), else the
    last stage's time, which is ``end_at`` in every other set. ``with_categories`` also
    reads each row's stored category.
    """
    condition, params = window_condition(ts, start_us, end_us, baseline)
    if not (with_keys or with_ends or with_categories):
        concat = _CONCAT[conn.dialect.name]
        sql = f"SELECT count(*), {concat} FROM timelines WHERE {condition}"
        [(n, blob)] = fetch_all(conn, sql, params, binary=True)
        return matrix_of(None, int(n), bytes(blob or b""), ts.stages)
    extra = ", sources" if with_categories else ""
    sql = f"SELECT change_key, end_at, times{extra} FROM timelines WHERE {condition}"
    rows = fetch_all(conn, sql, params, binary=True)
    blob = b"".join([bytes(row[2]) for row in rows])
    end = np.array([int(row[1]) for row in rows], dtype=np.int64)
    keys = [row[0] for row in rows] if with_keys else None
    matrix = matrix_of(keys, len(rows), blob, ts.stages, end)
    if not with_categories:
        return matrix
    categories = [split_sources(json.loads(row[3]))[1].get("category") for row in rows]
    return Matrix(matrix.keys, matrix.start, matrix.times, matrix.end, categories)


def matrix_of(
    keys: list[str] | None, n: int, blob: bytes, k: int, end: NDArray[np.int64] | None = None
) -> Matrix:
    if len(blob) != n * (k + 1) * TIME.itemsize:
        raise ValueError(f"timelines: expected {n} × {k + 1} times, got {len(blob)} bytes")
    # Read-only and without a copy on little-endian machines (TIME is then native float64).
    table = np.frombuffer(blob, dtype=TIME).reshape(n, k + 1).astype(np.float64, copy=False)
    start, times = table[:, 0], table[:, 1:]
    if end is None:
        end = (times[:, -1] if k else start).astype(np.int64)
    return Matrix(keys, start, times, end)


@dataclass(frozen=True)
class StoredTimeline:
    key: str
    start_at: int
    times: list[int | None]
    sources: list[str | None]
    baseline: bool = False
    end_at: int | None = None
    extras: dict[str, str] = field(default_factory=dict)  # completed, category, … (_extras)


def read_one(conn: Connection, ts: TimelineSet, key: str) -> StoredTimeline | None:
    tl = timelines.c
    row = conn.execute(
        select(tl.change_key, tl.times, tl.sources, tl.baseline, tl.end_at).where(
            tl.set_id == ts.id, tl.change_key == key
        )
    ).first()
    if row is None:
        return None
    start_at, times = unpack_times(row.times)
    sources, extras = split_sources(json.loads(row.sources))
    end_at = None if row.end_at is None else int(row.end_at)
    return StoredTimeline(
        row.change_key, start_at, times, sources, bool(row.baseline), end_at, extras
    )


def count_baseline(
    conn: Connection, ts: TimelineSet, start_us: int | None, end_us: int | None
) -> int:
    """How many baseline changes reached the last stage in ``[start_us, end_us)``."""
    condition, params = window_condition(ts, start_us, end_us, True)
    [(n,)] = fetch_all(conn, f"SELECT count(*) FROM timelines WHERE {condition}", params)
    return int(n)


def baseline_keys(conn: Connection, ts: TimelineSet, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` are baseline changes."""
    tl = timelines.c
    found: set[str] = set()
    for chunk in in_chunks(keys):
        query = select(tl.change_key).where(
            tl.set_id == ts.id, tl.baseline.is_(True), tl.change_key.in_(chunk)
        )
        found.update(str(k) for (k,) in conn.execute(query))
    return found


def members(conn: Connection, ts: TimelineSet, keys: Sequence[str]) -> dict[str, str]:
    """The team member each of ``keys`` counts for (a people-based team's set; ``_extras``)."""
    tl = timelines.c
    found: dict[str, str] = {}
    for chunk in in_chunks(keys):
        query = select(tl.change_key, tl.sources).where(
            tl.set_id == ts.id, tl.change_key.in_(chunk)
        )
        for key, sources in conn.execute(query):
            member = split_sources(json.loads(sources))[1].get("member")
            if member is not None:
                found[str(key)] = member
    return found


def count_in_flight(conn: Connection, ts: TimelineSet) -> int:
    from sqlalchemy import func

    tl = timelines.c
    query = select(func.count()).where(tl.set_id == ts.id, tl.end_at.is_(None))
    return int(conn.execute(query).scalar_one())
